"""Browser journey: a forum seat, a full session, the waiting list and a promotion by e-mail.

Eva, a delegate with a forum pass, opens the published programme from the
edition's page, finds tomorrow's one-seat workshop and reserves its seat; the
session is then full. Tom, another delegate, finds it full and joins the
waiting list. Eva cancels; Tom is promoted at once, the promotion mail arrives
at a real SMTP server (aiosmtpd), its link opens the session showing Tom's
seat, and Tom's "My agenda" lists it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.message import Message

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import select

from telecom.auth.models import User
from telecom.extensions import db
from telecom.forum.models import ReservationStatus, SessionKind
from tests.forum.support_public import (
    Forum,
    delegate,
    forum_edition,
    reservation_of,
)
from tests.helpers import DEFAULT_PASSWORD, MailSink, body_of, first_link

pytestmark = pytest.mark.e2e

WORKSHOP = "Workshop: Spectrum sharing for rural 5G"
PLENARY = "Plenary: Digital inclusion"
EVA = "eva.horvath@delegate.example"
TOM = "tom.mensah@delegate.example"


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Console errors (CSP violations, failed loads) and uncaught exceptions on any page."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield errors


@pytest.fixture
def forum(app: Flask, mail: MailSink, live_server: str) -> Forum:
    """A published programme: tomorrow a plenary in Hall A and a workshop with one seat."""
    forum = forum_edition("telecom-world-journey")
    forum.add_room("Hall A", 800, "Main hall")
    forum.add_room("Workshop Room 3", 1, "Level 2")
    forum.add_track("Connectivity", "#0f7c80")
    forum.add_speaker(
        "grace.okafor@regulator.example", "Grace Okafor", job_title="Head of Spectrum",
        organisation="National Communications Authority", country="NG",
        bio="Grace leads spectrum policy at the national regulator.",
    )  # fmt: skip
    forum.add_session(
        PLENARY, day=1, start="09:00", end="10:00", room="Hall A", track="Connectivity",
        kind=SessionKind.PLENARY,
    )  # fmt: skip
    forum.add_session(
        WORKSHOP, day=1, start="11:00", end="12:30", room="Workshop Room 3",
        track="Connectivity", kind=SessionKind.WORKSHOP,
        description="Hands-on: sharing mid-band spectrum between operators.",
    )  # fmt: skip
    forum.set_speakers(WORKSHOP, "Grace Okafor")
    forum.publish()
    delegate(forum, EVA, "Eva Horváth")
    delegate(forum, TOM, "Tom Mensah")
    return forum


def log_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/account/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)


def mail_to(mail: MailSink, address: str, subject_has: str, timeout: float = 10.0) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.to(address):
            if subject_has in str(message["Subject"]):
                return message
        time.sleep(0.05)
    subjects = [str(m["Subject"]) for m in mail.to(address)]
    raise AssertionError(f"no message with {subject_has!r} to {address}; got {subjects}")


def open_workshop_from_programme(page: Page, live_server: str, forum: Forum) -> None:
    """From the edition's page to the workshop, the way a delegate clicks through."""
    page.goto(f"{live_server}/editions/{forum.slug}")
    page.get_by_role("link", name="Forum programme", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forum programme")
    page.locator("#days").get_by_role("link", name="All days").click()
    row = page.locator("#sessions .session-row", has_text=WORKSHOP)
    expect(row).to_contain_text("Workshop Room 3")
    row.get_by_role("link", name=WORKSHOP).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WORKSHOP)


def test_a_freed_seat_goes_to_the_first_on_the_waiting_list(
    app: Flask,
    forum: Forum,
    mail: MailSink,
    live_server: str,
    page: Page,
    browser: Browser,
    console_errors: list[str],
) -> None:
    # Eva finds the workshop through the programme; its one seat is free.
    log_in(page, live_server, EVA)
    open_workshop_from_programme(page, live_server, forum)
    expect(page.locator("#seats-left")).to_contain_text("1 seat left")
    expect(page.locator("#speakers")).to_contain_text("Grace Okafor")
    page.get_by_role("button", name="Reserve a seat").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        f"Your seat in “{WORKSHOP}” is reserved."
    )
    expect(page.locator("#seat-status")).to_have_text("You have a seat in this session.")
    expect(page.locator("#seats-left")).to_contain_text("Full")

    # Tom, in a browser of his own, finds the session full and joins the waiting list.
    tom_context = browser.new_context()
    tom = tom_context.new_page()
    tom.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    log_in(tom, live_server, TOM)
    tom.goto(f"{live_server}/editions/{forum.slug}/forum?day=all")
    expect(tom.locator("#sessions .session-row", has_text=WORKSHOP)).to_contain_text(
        "Full: waiting list open"
    )
    tom.get_by_role("link", name=WORKSHOP).click()
    expect(tom.locator("#seat-status")).to_have_text("This session is full.")
    expect(tom.get_by_role("button", name="Reserve a seat")).to_have_count(0)
    tom.get_by_role("button", name="Join the waiting list").click()
    expect(tom.locator("#seat-status")).to_have_text("You are number 1 on the waiting list.")
    tom.get_by_role("link", name="My agenda").click()
    agenda_row = tom.locator("#agenda .agenda-row", has_text=WORKSHOP)
    expect(agenda_row.locator(".reservation-status")).to_contain_text("On the waiting list")

    # Eva gives her seat up.
    page.get_by_role("button", name="Cancel my seat").click()
    expect(page.get_by_role("alert").first).to_contain_text("is cancelled")
    expect(page.locator("#seat-status")).not_to_contain_text("You have a seat")

    # Tom is promoted at once and told by e-mail; the mail's link shows his seat.
    promoted = mail_to(mail, TOM, "Your seat is confirmed")
    body = body_of(promoted)
    assert WORKSHOP in body
    assert "Workshop Room 3" in body
    tom.goto(first_link(promoted))
    expect(tom.get_by_role("heading", level=1)).to_have_text(WORKSHOP)
    expect(tom.locator("#seat-status")).to_have_text("You have a seat in this session.")
    tom.get_by_role("link", name="My agenda").click()
    expect(
        tom.locator("#agenda .agenda-row", has_text=WORKSHOP).locator(".reservation-status")
    ).to_have_text("Seat reserved")
    # Eva received no promotion mail.
    assert not [m for m in mail.to(EVA) if "Your seat is confirmed" in str(m["Subject"])]
    tom_context.close()

    # What the delegates saw is what was stored.
    workshop = forum.session(WORKSHOP)
    assert workshop.seats_taken == 1
    tom_user = db.session.scalar(select(User).where(User.email == TOM))
    eva_user = db.session.scalar(select(User).where(User.email == EVA))
    assert tom_user is not None and eva_user is not None
    assert reservation_of(tom_user, workshop).status == ReservationStatus.CONFIRMED
    assert reservation_of(eva_user, workshop).status == ReservationStatus.CANCELLED
    assert console_errors == []
