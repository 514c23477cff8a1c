"""Browser journey: protocol staff invite a minister, who accepts through the RSVP link.

Protocol staff log in, open the edition's invitations, create an invitation
for a minister (category MIN, country, date of taking office) and send it.
The personal RSVP link is read from the mail the local SMTP server received
and opened in a fresh browser (no account, no login): the invitation is
accepted with two delegation members, and a bilateral meeting slot is booked.
The badges arrive by mail. Back as protocol staff, the protocol list shows the
minister in the right place among invitations made beforehand: below a head of
state, above a minister who took office later, and above a CEO.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import select

from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.participants.models import Registration, RegistrationCategory, RegistrationStatus
from telecom.protocol.models import (
    InvitationStatus,
    MeetingRoom,
    MeetingSlot,
    ProtocolCategory,
    VipInvitation,
)
from tests.helpers import DEFAULT_PASSWORD, MailSink, first_link, make_edition, make_user

pytestmark = pytest.mark.e2e

ZONE = "Europe/Budapest"
SLUG = "telecom-world-next"
OFFICER = "paula.protocol@telecom-world.example"
MINISTER = "H.E. Ms Amina Diallo"
MINISTER_EMAIL = "amina.diallo@mict.example.gov"
MEMBERS = (
    ("Moussa Ndiaye", "Chief of Staff", "moussa.ndiaye@mict.example.gov"),
    ("Fatou Sarr", "Adviser, spectrum policy", "fatou.sarr@mict.example.gov"),
)


# --- fixtures and small helpers ------------------------------------------------


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


def invitation(
    edition_id: int, full_name: str, category: ProtocolCategory, **values: object
) -> None:
    """An invitation made with the models, already sent."""
    db.session.add(
        VipInvitation(
            edition_id=edition_id, full_name=full_name, category=category,
            status=InvitationStatus.INVITED, sent_at=datetime.now(UTC), **values,
        )
    )  # fmt: skip


@pytest.fixture
def protocol_event(app: Flask, mail: MailSink, live_server: str) -> str:
    """An edition six weeks ahead, a protocol officer, three invitations already sent,
    and a bilateral meeting room with a slot on the first day; the edition's slug."""
    today = datetime.now(ZoneInfo(ZONE)).date()
    edition = make_edition(
        SLUG, name="ITU TELECOM World Next", timezone=ZONE,
        start_date=today + timedelta(days=42), end_date=today + timedelta(days=45),
    )  # fmt: skip
    make_user(OFFICER, roles={Role.PROTOCOL}, full_name="Paula Protocol")
    invitation(
        edition.id, "Viktor Orbán-Example", ProtocolCategory.VVIP, form_of_address="H.E. Mr",
        title="Prime Minister", country="HU", email="office@pm.example.gov",
        took_office_on=date(2010, 5, 29),
    )  # fmt: skip
    invitation(
        edition.id, "Jean Dupont", ProtocolCategory.MIN, form_of_address="H.E. Mr",
        title="Minister for Digital Affairs", country="FR", email="cabinet@numerique.example.gov",
        took_office_on=date(2022, 7, 4),
    )  # fmt: skip
    invitation(
        edition.id, "Grace Mwangi", ProtocolCategory.CEO, form_of_address="Ms",
        title="Chief Executive Officer", organisation="Savanna Telecom",
        email="ceo@savanna-telecom.example",
    )  # fmt: skip
    room = MeetingRoom(edition_id=edition.id, name="Bilateral Room A", capacity=12,
                       location="Hall B, level 1")  # fmt: skip
    db.session.add(room)
    db.session.flush()
    starts = datetime.combine(edition.start_date, datetime.min.time(), ZoneInfo(ZONE)).replace(
        hour=10, minute=30
    )
    db.session.add(
        MeetingSlot(
            room_id=room.id, edition_id=edition.id, day=edition.start_date,
            starts_at=starts.astimezone(UTC),
            ends_at=(starts + timedelta(minutes=90)).astimezone(UTC),
        )
    )  # fmt: skip
    commit()
    return edition.slug


def log_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/account/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)


def mail_to(mail: MailSink, address: str, subject_has: str, timeout: float = 10.0) -> Message:
    """The message to `address` whose subject contains `subject_has` (waits for it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.to(address):
            if subject_has in str(message["Subject"]):
                return message
        time.sleep(0.05)
    subjects = [str(m["Subject"]) for m in mail.to(address)]
    raise AssertionError(f"no message with {subject_has!r} to {address}; got {subjects}")


def protocol_list_names(page: Page) -> list[str]:
    """The names in the protocol list, top to bottom."""
    return [
        name.strip()
        for name in page.locator("#invitations tbody tr td:nth-child(2)").all_inner_texts()
    ]


# --- the journey ----------------------------------------------------------------


def test_protocol_staff_invite_a_minister_who_accepts_with_a_delegation(
    app: Flask,
    protocol_event: str,
    mail: MailSink,
    live_server: str,
    page: Page,
    browser: Browser,
    console_errors: list[str],
) -> None:
    slug = protocol_event
    edition_start = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=42)

    # Protocol staff open the edition's invitations: three sent already, by precedence.
    log_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/protocol/editions/{slug}/invitations")
    expect(page.get_by_role("heading", level=1)).to_have_text("VIP invitations")
    assert protocol_list_names(page) == [
        "H.E. Mr Viktor Orbán-Example", "H.E. Mr Jean Dupont", "Ms Grace Mwangi",
    ]  # fmt: skip

    # A new invitation for a minister who took office before Mr Dupont.
    page.get_by_role("link", name="New invitation").click()
    page.get_by_label("Form of address").fill("H.E. Ms")
    page.get_by_label("Full name").fill("Amina Diallo")
    page.get_by_label("Title", exact=True).fill("Minister of Digital Economy")
    page.get_by_label("Protocol category").select_option("MIN")
    page.get_by_label("Took office on").fill("2019-04-07")
    page.get_by_label("Country").select_option(label="Senegal")
    page.get_by_label("E-mail address").fill(MINISTER_EMAIL)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MINISTER)
    expect(page.locator("#status")).to_have_text("Not sent")

    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator("#status")).to_have_text("Invited")

    # The minister's office reads the mail and opens the link, in a browser of its own.
    invited = mail_to(mail, MINISTER_EMAIL, "")
    link = first_link(invited)
    assert "/rsvp/" in link
    vip_context = browser.new_context()
    vip = vip_context.new_page()
    vip.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    vip.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )
    response = vip.goto(link)
    assert response is not None and response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in response.headers["cache-control"]
    expect(vip.locator("#addressee")).to_have_text(MINISTER)
    expect(vip.locator("#vip-title")).to_have_text("Minister of Digital Economy")
    expect(vip.get_by_role("button", name="Log out")).to_have_count(0)  # nobody is logged in

    # Accepted, with the travel details and two delegation members.
    vip.get_by_label("Accept: the invitee will attend").check()
    expect(vip.get_by_label("The invitee's own e-mail address")).to_have_value(MINISTER_EMAIL)
    vip.get_by_label("Arrival date").fill((edition_start - timedelta(days=1)).isoformat())
    vip.get_by_label("Arrival flight").fill("SN 2283")
    vip.get_by_label("Departure date").fill((edition_start + timedelta(days=3)).isoformat())
    vip.get_by_label("Departure flight").fill("SN 2284")
    vip.get_by_label("Dietary needs").fill("Halal")
    for number, (name, function, email) in enumerate(MEMBERS, start=1):
        vip.get_by_label(f"Name of member {number}", exact=True).fill(name)
        vip.get_by_label(f"Function of member {number}", exact=True).fill(function)
        vip.get_by_label(f"E-mail of member {number}", exact=True).fill(email)
    vip.get_by_label("I agree that the details given here are processed").check()
    vip.get_by_role("button", name="Send the reply").click()

    # The confirmation lists the three badges that were mailed, and offers meeting rooms.
    heading = vip.get_by_role("heading", level=1)
    expect(heading).to_have_text("Thank you: the invitation is accepted")
    badge_rows = vip.locator("#badges tr.badge-row")
    expect(badge_rows).to_have_count(3)
    expect(badge_rows.nth(0)).to_contain_text("Amina Diallo")
    expect(badge_rows.nth(0)).to_contain_text("VIP")
    for index, (name, function, _email) in enumerate(MEMBERS, start=1):
        expect(badge_rows.nth(index)).to_contain_text(name)
        expect(badge_rows.nth(index)).to_contain_text(function)
        expect(badge_rows.nth(index)).to_contain_text("Delegation")

    # A bilateral meeting on the first day.
    meetings = vip.locator("#meetings")
    meetings.get_by_label("10:30").check()
    meetings.get_by_label("Whom you will meet").fill("Ministry of ICT of Rwanda")
    meetings.get_by_role("button", name="Book the chosen slot").click()
    expect(vip.get_by_role("alert").first).to_contain_text("The meeting slot is booked")
    expect(vip.locator("#meetings .booked-slot")).to_contain_text("with Ministry of ICT of Rwanda")
    expect(vip.locator("#meetings .day-count")).to_contain_text("1 of at most 2")
    vip_context.close()

    # The badges arrive at the invitation address, one PDF each.
    confirmed = mail_to(mail, MINISTER_EMAIL, "confirmed")
    attachments = [part for part in confirmed.iter_attachments() if part.get_filename()]
    assert len(attachments) == 3
    assert all(part.get_content_type() == "application/pdf" for part in attachments)

    # Back as protocol staff: the minister is accepted and placed by precedence.
    page.goto(f"{live_server}/protocol/editions/{slug}/invitations")
    assert protocol_list_names(page) == [
        "H.E. Mr Viktor Orbán-Example", MINISTER, "H.E. Mr Jean Dupont", "Ms Grace Mwangi",
    ]  # fmt: skip
    row = page.locator("#invitations tbody tr", has_text="Amina Diallo")
    expect(row).to_contain_text("Accepted")
    expect(row).to_contain_text("Senegal")
    expect(row.locator("td").nth(7)).to_have_text("2")  # the delegation

    # What the pages showed is what was stored.
    db.session.expire_all()
    stored = db.session.scalars(
        select(VipInvitation).where(VipInvitation.full_name == "Amina Diallo")
    ).one()
    assert stored.status == InvitationStatus.ACCEPTED
    assert stored.took_office_on == date(2019, 4, 7)
    assert stored.arrival_flight == "SN 2283"
    registrations = db.session.scalars(
        select(Registration).where(Registration.edition_id == stored.edition_id)
    ).all()
    assert sorted((r.category, r.person.email) for r in registrations) == sorted(
        [(RegistrationCategory.VIP, MINISTER_EMAIL)]
        + [(RegistrationCategory.DELEGATION, email) for _n, _f, email in MEMBERS]
    )
    assert all(r.status == RegistrationStatus.CONFIRMED for r in registrations)
    vip_registration = next(r for r in registrations if r.category == RegistrationCategory.VIP)
    assert vip_registration.protocol_category == "MIN"
    booked = db.session.scalars(select(MeetingSlot)).one()
    assert booked.invitation_id == stored.id

    assert console_errors == []
