"""Browser journey: a new exhibitor signs up, registers, holds a booth; a rival sees it held.

Nora signs up through the site, confirms her address with the link from the
outbox (no SMTP server is configured in tests), logs in, registers her
organisation, picks a booth on the floor plan, checks its price and holds it.
Bob, who exhibits for another organisation, watches from a second browser
context: the plan shows the booth as held, its page offers no hold, and the
hold button of a page he opened before Nora's hold is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask, current_app
from flask_babel import format_currency
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect
from sqlalchemy import Row, Select, select

from telecom.core.outbox import OutboxMessage
from telecom.core.templating import format_timestamp
from telecom.exhibitors.models import BookingState, BoothBooking, BoothType, Organisation
from telecom.exhibitors.services.pricing import price_booth
from telecom.exhibitors.services.settings import settings_for
from telecom.extensions import db
from tests.exhibitors.factories import make_booth, make_hall, make_organisation, save_settings
from tests.helpers import DEFAULT_PASSWORD, make_edition, make_user

pytestmark = pytest.mark.e2e

NORA_EMAIL = "nora@nordlicht.example"
NORA_NAME = "Nora Nordlicht"
NORA_PASSWORD = "aurora borealis 2015"
NORDLICHT = "Nordlicht Networks"
BOB_EMAIL = "bob@globex.example"
BOB_NAME = "Bob Globex"
BOOTH = "F-103"
HOLD_MINUTES = 45
JUST_TAKEN = "Sorry, this booth was just taken by another exhibitor. Please choose another."


@dataclass(frozen=True)
class Show:
    """What the journey needs to know about the edition, as plain values."""

    url: str
    slug: str
    edition_name: str
    timezone: str
    booth_id: int
    booth_url: str
    total: Decimal  # price_booth's total for BOOTH at the standard rate
    total_text: str  # that total as the pages write it
    globex_id: int


def watch_console(page: Page, errors: list[str]) -> None:
    """Record console errors (CSP violations, failed loads) and uncaught exceptions."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    errors: list[str] = []
    watch_console(page, errors)
    yield errors


@pytest.fixture
def show(app: Flask, live_server: str) -> Show:
    """An edition with hall F and four booths (one blocked); Bob exhibits for Globex."""
    edition = make_edition()
    save_settings(
        edition,
        hold_minutes=HOLD_MINUTES,
        price_shell_scheme=Decimal("480.00"),
        surcharge_corner_pct=Decimal("7.50"),
    )
    hall = make_hall(edition)
    make_booth(hall, "F-101")
    make_booth(hall, "F-102", x="3", blocked=True)
    target = make_booth(hall, BOOTH, x="6", width="6", depth="3", open_sides=2)  # a corner
    make_booth(
        hall, "F-201", y="10", width="6", depth="6", booth_type=BoothType.SPACE_ONLY, open_sides=4
    )
    bob = make_user(BOB_EMAIL, full_name=BOB_NAME)
    globex = make_organisation(edition, "Globex", members=(bob,))

    quote = price_booth(target, settings_for(edition), edition.currency)
    assert quote.surcharge > 0  # the corner surcharge is part of the total under test
    with app.test_request_context():
        total_text = format_currency(quote.total, edition.currency)  # as |currencyformat does
    show = Show(
        url=live_server,
        slug=edition.slug,
        edition_name=edition.name,
        timezone=edition.timezone,
        booth_id=target.id,
        booth_url=f"{live_server}/editions/{edition.slug}/booths/{target.id}",
        total=quote.total,
        total_text=total_text,
        globex_id=globex.id,
    )
    db.session.rollback()  # hold no transaction open while the server writes
    return show


def read_db(query: Select) -> list[Row]:
    """Rows the live server committed, read in a fresh transaction that is then closed."""
    db.session.rollback()
    try:
        return list(db.session.execute(query).all())
    finally:
        db.session.rollback()


def log_in(page: Page, base_url: str, email: str, password: str, name: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Log in", exact=True).click()
    fill_log_in_form(page, email, password, name)


def fill_log_in_form(page: Page, email: str, password: str, name: str) -> None:
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(f"Welcome, {name}.")


def confirmation_link(email: str) -> str:
    messages = read_db(
        select(OutboxMessage.subject, OutboxMessage.body_text).where(
            OutboxMessage.recipient == email
        )
    )
    assert [m.subject for m in messages] == ["Confirm your e-mail address for TELECOM World"]
    match = re.search(r"https?://\S+/account/confirm/\S+", messages[0].body_text)
    assert match, messages[0].body_text
    return match.group(0)


def sign_up_and_confirm(page: Page, show: Show) -> None:
    page.goto(show.url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_label("Full name").fill(NORA_NAME)
    page.get_by_label("E-mail address").fill(NORA_EMAIL)
    page.get_by_label("Password", exact=True).fill(NORA_PASSWORD)
    page.get_by_label("Repeat the password").fill(NORA_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    expect(page.get_by_text(f"We have sent a message to {NORA_EMAIL}.")).to_be_visible()

    # An unconfirmed account cannot log in yet.
    page.goto(show.url + "/account/login")
    page.get_by_label("E-mail address").fill(NORA_EMAIL)
    page.get_by_label("Password", exact=True).fill(NORA_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please confirm your e-mail address first")).to_be_visible()

    link = confirmation_link(NORA_EMAIL)
    assert link.startswith(show.url + "/"), link  # built for the host the visitor used
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/account/login$"))
    expect(page.get_by_role("alert")).to_have_text(
        "Thank you, your e-mail address is confirmed. You can now log in."
    )
    fill_log_in_form(page, NORA_EMAIL, NORA_PASSWORD, NORA_NAME)


def register_organisation(page: Page, show: Show) -> None:
    page.get_by_role("link", name=show.edition_name).first.click()
    expect(page.get_by_role("heading", name=show.edition_name, level=1)).to_be_visible()
    page.get_by_role(
        "link", name=f"Exhibit at {show.edition_name}: register your organisation"
    ).click()
    expect(page).to_have_url(f"{show.url}/editions/{show.slug}/exhibitors/register")
    expect(page.get_by_role("heading", name="Register your organisation")).to_be_visible()

    page.get_by_label("Legal name", exact=True).fill(f"{NORDLICHT} Oy")
    page.get_by_label("Display name", exact=True).fill(NORDLICHT)
    page.get_by_label("Country", exact=True).select_option(label="Finland")
    page.get_by_label("Sector", exact=True).select_option(label="Equipment vendor")
    page.get_by_label("Annual turnover", exact=True).select_option(label="USD 10–100 M")
    page.get_by_label("Website", exact=True).fill("https://nordlicht.example")
    page.get_by_label("Contact name", exact=True).fill(NORA_NAME)
    page.get_by_label("Contact e-mail", exact=True).fill(NORA_EMAIL)
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page.get_by_role("alert")).to_have_text(
        f"{NORDLICHT} is registered. You can now choose a booth."
    )
    expect(page.get_by_role("heading", name=NORDLICHT, level=1)).to_be_visible()


def open_floor_plan(page: Page, show: Show) -> None:
    page.goto(f"{show.url}/editions/{show.slug}")
    page.get_by_role("link", name="Floor plan", exact=True).click()
    expect(page).to_have_url(f"{show.url}/editions/{show.slug}/floorplan")
    expect(page.get_by_role("heading", name="Hall F (F)")).to_be_visible()


def booth_aria_label(status: str) -> re.Pattern[str]:
    return re.compile(rf"^Booth {re.escape(BOOTH)}, {status}, ")


def hold_the_booth(page: Page, show: Show, organisation_id: int) -> None:
    open_floor_plan(page, show)
    legend = page.get_by_role("list", name="Legend")
    expect(legend).to_contain_text("Available (3)")
    expect(legend).to_contain_text("Blocked (1)")
    booth = page.get_by_role("link", name=booth_aria_label("available"))
    expect(booth).to_have_attribute("data-code", BOOTH)
    # The plan's label ends with the standard price, the rate a new organisation pays.
    expect(booth).to_have_attribute("aria-label", re.compile(re.escape(show.total_text) + "$"))
    booth.click()

    expect(page).to_have_url(show.booth_url)
    expect(page.get_by_role("heading", name=f"Booth {BOOTH}", level=1)).to_be_visible()
    expect(page.locator("#booth-status")).to_have_text("Available")
    prices = page.get_by_role("table", name=f"Price for {NORDLICHT} (Standard rate)")
    total = prices.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Total", exact=True)
    )
    expect(total.get_by_role("cell")).to_have_text(show.total_text)
    expect(prices).to_contain_text("Open-side surcharge (7.5 %)")
    section = page.get_by_role("region", name="Book this booth")
    expect(section).to_contain_text(
        f"A hold keeps the booth for you for {HOLD_MINUTES} minutes while you complete the booking."
    )
    section.get_by_role("button", name="Hold this booth").click()

    expect(page).to_have_url(
        f"{show.url}/editions/{show.slug}/exhibitors/{organisation_id}/bookings"
    )
    expect(page.get_by_role("heading", name=f"Bookings of {NORDLICHT}")).to_be_visible()


def check_the_hold(page: Page, show: Show, organisation_id: int) -> None:
    [held] = read_db(
        select(
            BoothBooking.organisation_id,
            BoothBooking.state,
            BoothBooking.price,
            BoothBooking.held_until,
        ).where(BoothBooking.booth_id == show.booth_id)
    )
    assert held.organisation_id == organisation_id
    assert held.state == BookingState.HELD
    assert held.price == show.total
    assert held.held_until is not None
    with current_app.test_request_context():
        until = format_timestamp(held.held_until, show.timezone)

    expect(page.get_by_role("alert")).to_contain_text(
        f"Booth {BOOTH} is held for {NORDLICHT} until {until} ({show.timezone})."
    )
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=BOOTH, exact=True))
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell")
    expect(cells.nth(1)).to_have_text("F")
    expect(cells.nth(2)).to_have_text("18 sqm")
    expect(cells.nth(3)).to_contain_text("Held")
    countdown = cells.nth(3).locator(".hold-countdown")
    expect(countdown).to_contain_text(f"Held until {until} ({show.timezone})")
    # The server writes "45 minutes left"; countdown.js turns it into a ticking clock.
    left = countdown.locator(".countdown-left")
    expect(left).to_have_text(re.compile(rf"^({HOLD_MINUTES}:00|{HOLD_MINUTES - 1}:[0-5]\d) left$"))
    expect(left).not_to_have_text(left.inner_text())  # it ticks every second
    expect(cells.nth(4)).to_have_text(show.total_text)
    expect(row.get_by_role("button", name="Release")).to_be_visible()

    # Without the script, the page says it in minutes.
    html = page.request.get(page.url).text()
    assert re.search(rf"\b({HOLD_MINUTES}|{HOLD_MINUTES - 1}) minutes left\b", html), html


def test_a_new_exhibitor_holds_a_booth_that_a_rival_then_sees_as_held(
    show: Show,
    page: Page,
    new_context: Callable[..., BrowserContext],
    console_errors: list[str],
) -> None:
    # Bob, in his own browser, opens the booth page while the booth is still free.
    bob_context = new_context()
    bob_stale = bob_context.new_page()
    watch_console(bob_stale, console_errors)
    log_in(bob_stale, show.url, BOB_EMAIL, DEFAULT_PASSWORD, BOB_NAME)
    bob_stale.goto(show.booth_url)
    expect(bob_stale.locator("#booth-status")).to_have_text("Available")
    expect(bob_stale.get_by_role("button", name="Hold this booth")).to_be_visible()

    # (1) Nora signs up, confirms her address and logs in; (2) registers Nordlicht.
    sign_up_and_confirm(page, show)
    register_organisation(page, show)
    [(nordlicht,)] = read_db(select(Organisation.id).where(Organisation.display_name == NORDLICHT))

    # (3) She picks the corner booth on the plan, checks its price and holds it.
    hold_the_booth(page, show, nordlicht)
    check_the_hold(page, show, nordlicht)

    # (4) Bob's plan shows the booth held, without a link and without Nora's name.
    bob = bob_context.new_page()
    watch_console(bob, console_errors)
    open_floor_plan(bob, show)
    held = bob.get_by_role("img", name=booth_aria_label("held"))
    expect(held).to_have_attribute("data-code", BOOTH)
    expect(held).to_have_class(re.compile(r"\bbooth--held\b"))
    expect(held.locator(".booth-pattern")).to_have_attribute("fill", "url(#fp-pattern-held)")
    expect(held).not_to_have_attribute("aria-label", re.compile(NORDLICHT))
    expect(bob.locator(f".booth[data-code='{BOOTH}']")).to_have_count(1)  # that one, no link
    any_link = bob.get_by_role("link", name=re.compile(rf"^Booth {re.escape(BOOTH)}\b"))
    expect(any_link).to_have_count(0)
    legend = bob.get_by_role("list", name="Legend")
    expect(legend).to_contain_text("Available (2)")
    expect(legend).to_contain_text("Held (1)")

    # The booth page offers him no hold...
    bob.goto(show.booth_url)
    expect(bob.locator("#booth-status")).to_have_text("Held")
    expect(bob.get_by_role("region", name="Book this booth")).to_contain_text(
        "Another exhibitor holds this booth at the moment."
    )
    expect(bob.get_by_role("button", name="Hold this booth")).to_have_count(0)

    # ...and the button on the page he opened earlier is refused.
    bob_stale.get_by_role("button", name="Hold this booth").click()
    expect(bob_stale.get_by_role("alert")).to_have_text(JUST_TAKEN)
    expect(bob_stale).to_have_url(show.booth_url)
    expect(bob_stale.locator("#booth-status")).to_have_text("Held")
    expect(bob_stale.get_by_role("button", name="Hold this booth")).to_have_count(0)

    bookings = read_db(
        select(BoothBooking.organisation_id, BoothBooking.state).where(
            BoothBooking.booth_id == show.booth_id
        )
    )
    assert [tuple(b) for b in bookings] == [(nordlicht, BookingState.HELD)]
    globex_bookings = select(BoothBooking.id).where(BoothBooking.organisation_id == show.globex_id)
    assert read_db(globex_bookings) == []

    assert console_errors == []
