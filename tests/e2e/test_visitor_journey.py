"""Browser journey: a visitor registers, confirms by the mailed link, downloads the badge;
at the gate a check-in staff member types the badge code and sees "Welcome", then again
and sees "Already checked in today".

The confirmation mail is read from a real SMTP server (aiosmtpd). The edition runs
today, so the badge is valid at the gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import select

from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.participants.models import Registration, RegistrationStatus
from telecom.participants.services import badges
from tests.helpers import DEFAULT_PASSWORD, MailSink, make_edition, make_organizer, make_user
from tests.participants.registration_support import confirmation_link, make_pass

pytestmark = pytest.mark.e2e

EMAIL = "vera@visitor.example"
NAME = "Vera Visitor"


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
def fair(app: Flask, mail: MailSink, live_server: str) -> str:
    """An edition running today (in its own time zone) with a free full pass; its slug."""
    zone = "Europe/Budapest"
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo(zone)).date()
    edition = make_edition(
        "telecom-world-live", name="ITU TELECOM World Live", timezone=zone,
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=2),
    )  # fmt: skip
    make_pass(edition, make_organizer(), name="Full exhibition pass")
    make_user("gate@telecom-world.example", roles={Role.CHECKIN_STAFF}, full_name="Gate Staff")
    return edition.slug


def test_a_visitor_registers_and_is_welcomed_once_at_the_gate(
    app: Flask,
    fair: str,
    mail: MailSink,
    live_server: str,
    page: Page,
    console_errors: list[str],
) -> None:
    # The visitor finds the registration from the edition's page.
    page.goto(f"{live_server}/editions/{fair}")
    page.get_by_role("link", name="Register to visit").click()
    expect(page.get_by_role("heading", name="Full exhibition pass")).to_be_visible()
    page.get_by_role("link", name="Register for the Full exhibition pass").click()

    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Organisation").fill("Safari Telecom")
    page.get_by_label("Job function").select_option(label="Engineering and technical")
    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_label("Sector").select_option(label="Operator")
    page.get_by_label("Professional: business, procurement or policy").check()
    page.get_by_label("I agree that the organizers keep these details").check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    expect(page.locator("#registration-received")).to_contain_text(EMAIL)

    # She follows the link from the mail the SMTP server received.
    [message] = mail.wait_for(1)
    assert message["To"] == EMAIL
    page.goto(confirmation_link(message))
    expect(page.get_by_role("heading", name="You are registered")).to_be_visible()
    badge_mail = mail.wait_for(2)[1]
    assert any(part.get_filename() for part in badge_mail.iter_attachments())

    # ...and downloads her badge from the page.
    badge_link = page.get_by_role("link", name="Download your badge (PDF)")
    response = page.request.get(live_server + str(badge_link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    db.session.expire_all()
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status == RegistrationStatus.CONFIRMED
    code = badges.badge_code(registration)  # what the QR on her badge carries

    # At the gate: a check-in staff member logs in and opens the scanner.
    staff = page.context.browser.new_context()  # type: ignore[union-attr]
    gate = staff.new_page()
    gate.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    gate.goto(f"{live_server}/account/login")
    gate.get_by_label("E-mail address").fill("gate@telecom-world.example")
    gate.get_by_label("Password").fill(DEFAULT_PASSWORD)
    gate.get_by_role("button", name="Log in").click()
    gate.goto(f"{live_server}/checkin/editions/{fair}/")
    expect(gate.locator("#scan-heading")).to_have_text("Ready to scan")

    gate.get_by_label("Badge code").fill(code)
    gate.get_by_label("Badge code").press("Enter")
    expect(gate.locator("#scan-heading")).to_have_text("Welcome")
    expect(gate.locator("#scan-name")).to_have_text(NAME)

    gate.get_by_label("Badge code").fill(code)
    gate.get_by_label("Badge code").press("Enter")
    expect(gate.locator("#scan-heading")).to_have_text("Already checked in today")
    expect(gate.locator("#scan-result")).to_have_attribute(
        "data-result", re.compile("already_checked_in")
    )
    staff.close()

    assert console_errors == []
