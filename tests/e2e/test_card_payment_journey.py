"""Browser journey: an exhibitor holds a booth and pays for it by card; the plan shows it booked.

Ada from Acme logs in, holds booth F-103 from its page, reviews her order
and types the test card 4242 4242 4242 4242 into the Card Element that
localstripe's fake Stripe.js mounts (its script URL is the STRIPE_JS_URL
setting, let through the Content-Security-Policy). The page sets the card
up, has the server charge it, polls until the outcome is known and reloads:
the order is paid, and the floor plan shows the booth booked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Error, Page, expect
from sqlalchemy import select

from telecom.exhibitors.models import BookingState, BoothBooking
from telecom.extensions import db
from telecom.payments.models import Order, OrderState, Payment, PaymentState
from tests.exhibitors.factories import make_show
from tests.helpers import DEFAULT_PASSWORD
from tests.payments.localstripe_server import LocalStripe

pytestmark = pytest.mark.e2e

BOOTH = "F-103"
SECRET_KEY = "sk_test_journey_0123456789"
PUBLISHABLE_KEY = "pk_test_journey_0123456789"
WEBHOOK_SECRET = "whsec_journey_0123456789"


@pytest.fixture
def card_show(app: Flask, live_server: str, localstripe: LocalStripe):
    app.config.update(
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe.url,
        STRIPE_JS_URL=localstripe.js_url,
    )
    localstripe.register_webhook(f"{live_server}/payments/stripe/webhook", WEBHOOK_SECRET)
    show = make_show()
    values = {
        "url": live_server,
        "slug": show.edition.slug,
        "booth_id": show.booth(BOOTH).id,
        "email": show.ada.email,
        "name": show.ada.full_name,
    }
    db.session.rollback()  # hold no transaction open while the server writes
    return values


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Console errors and uncaught exceptions, less one that localstripe's fake Stripe.js causes.

    That script declares a global `class Element`, which shadows the DOM's
    `Element` for every other script of the page; Bootstrap's event code then
    fails while the page loads. Real Stripe.js declares no such global, and
    the same page without it logs nothing (checked by pointing STRIPE_JS_URL
    at a missing script), so only errors thrown inside Bootstrap's bundle on
    a page that loaded the fake script are left out.
    """
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_error(error: Error) -> None:
        stack = error.stack or ""
        if "bootstrap.bundle.min.js" in stack and "/orders/" in page.url:
            return
        errors.append(f"uncaught: {error} {stack}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    yield errors


def read_db(query):  # type: ignore[no-untyped-def]
    db.session.rollback()
    try:
        return list(db.session.execute(query).all())
    finally:
        db.session.rollback()


def test_an_exhibitor_pays_for_a_held_booth_by_card_and_the_plan_shows_it_booked(
    card_show: dict, page: Page, console_errors: list[str]
) -> None:
    url, slug = card_show["url"], card_show["slug"]

    # Ada logs in and holds the booth from its page.
    page.goto(f"{url}/account/login")
    page.get_by_label("E-mail address").fill(card_show["email"])
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(f"Welcome, {card_show['name']}.")
    page.goto(f"{url}/editions/{slug}/booths/{card_show['booth_id']}")
    page.get_by_role("region", name="Book this booth").get_by_role(
        "button", name="Hold this booth"
    ).click()

    # Her bookings page leads to the order.
    page.get_by_role("link", name="Review and pay").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.locator(".order-state")).to_have_attribute("data-state", "open")
    form = page.locator("#card-payment")
    expect(form).to_contain_text("Test mode")

    # She types the test card into the Card Element served by (fake) Stripe.js.
    element = page.locator("#card-element")
    expect(element.locator("input")).to_have_count(5)
    element.get_by_placeholder("number").fill("4242424242424242")
    element.get_by_placeholder("exp_month").fill("12")
    element.get_by_placeholder("exp_year").fill("30")
    element.get_by_placeholder("cvc").fill("123")
    element.get_by_placeholder("postal_code").fill("1211")
    pay = page.locator("#card-pay-button")
    expect(pay).to_be_enabled()
    pay.click()

    # The page polls until the server knows, then shows the paid order.
    expect(page.locator(".order-state")).to_have_attribute("data-state", "paid", timeout=20000)
    expect(page.locator("#card-payment")).to_have_count(0)
    expect(page.locator(".order-documents")).to_contain_text("Invoice")

    [(state,)] = read_db(
        select(BoothBooking.state).where(BoothBooking.booth_id == card_show["booth_id"])
    )
    assert state == BookingState.PAID
    [(payment_state, intent_id)] = read_db(select(Payment.state, Payment.stripe_payment_intent_id))
    assert payment_state == PaymentState.SUCCEEDED
    assert intent_id.startswith("pi_")
    [(order_state,)] = read_db(select(Order.state))
    assert order_state == OrderState.PAID

    # The floor plan shows the booth booked.
    page.goto(f"{url}/editions/{slug}/floorplan")
    booked = page.locator(f".booth[data-code='{BOOTH}']")
    expect(booked).to_have_class(re.compile(r"\bbooth--booked\b"))
    expect(booked).to_have_attribute("aria-label", re.compile(rf"^Booth {BOOTH}, booked, "))
    assert console_errors == [], console_errors
