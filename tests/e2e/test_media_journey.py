"""Browser journey: media accreditation from the application to the media badge.

A journalist (logged in) applies with a photo and a letter of assignment; a
media reviewer opens the queue, sees the evidence inline, takes the
application for review and asks for more information; the journalist follows
the mailed link, adds a press card and resubmits; the reviewer approves; the
journalist gets the approval mail and downloads the media badge from My
registrations.

Mail is read from a real SMTP server (aiosmtpd). The edition is six weeks
ahead and applications are open today.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import select

from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.media.models import ApplicationStatus, DocumentKind, MediaApplication
from telecom.media.services.settings import MediaSettingsData, save_media_settings
from telecom.participants.models import Registration, RegistrationCategory, RegistrationStatus
from tests.helpers import (
    DEFAULT_PASSWORD,
    MailSink,
    body_of,
    first_link,
    make_edition,
    make_organizer,
    make_user,
)

pytestmark = pytest.mark.e2e

ZONE = "Europe/Budapest"
JOURNALIST = "jana.novak@daily-signal.example"
JOURNALIST_NAME = "Jana Novák"
REVIEWER = "rita.reviewer@telecom-world.example"
INFO_REQUEST = "Please add your press card, front side, with its expiry date."


# --- files the journalist uploads ---------------------------------------------


def small_pdf(text: str) -> bytes:
    """A one-page PDF with a line of text, its cross-reference table exact."""
    content = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]  # fmt: skip
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def portrait_png(path: Path) -> Path:
    """A passport-style picture: a face-like oval on a plain background."""
    image = Image.new("RGB", (300, 400), (225, 232, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 70, 210, 230), fill=(224, 182, 150))
    draw.rectangle((60, 250, 240, 400), fill=(40, 60, 110))
    image.save(path, format="PNG")
    return path


def press_card_png(path: Path) -> Path:
    image = Image.new("RGB", (640, 400), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 70), fill=(180, 20, 30))
    draw.text((20, 25), "PRESS", fill=(255, 255, 255))
    draw.text((20, 120), JOURNALIST_NAME, fill=(0, 0, 0))
    image.save(path, format="PNG")
    return path


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


@pytest.fixture
def media_event(app: Flask, mail: MailSink, live_server: str) -> str:
    """An edition six weeks ahead whose media applications are open; its slug."""
    today = datetime.now(ZoneInfo(ZONE)).date()
    edition = make_edition(
        "telecom-world-next", name="ITU TELECOM World Next", timezone=ZONE,
        start_date=today + timedelta(days=42), end_date=today + timedelta(days=45),
    )  # fmt: skip
    organizer = make_organizer()
    save_media_settings(
        edition,
        MediaSettingsData(
            applications_open_on=today - timedelta(days=10),
            applications_close_on=today + timedelta(days=30),
            max_documents=6,
            retention_days=90,
            contact_email="media@telecom-world.example",
        ),
        actor=organizer,
    )
    commit()
    make_user(JOURNALIST, full_name=JOURNALIST_NAME)
    make_user(REVIEWER, roles={Role.MEDIA_REVIEWER}, full_name="Rita Reviewer")
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


def upload(page: Page, kind: str, path: Path) -> None:
    form = page.locator("#upload-form")
    form.get_by_label("Document").select_option(label=kind)
    form.get_by_label("File").set_input_files(path)
    form.get_by_role("button", name="Upload").click()


def application() -> MediaApplication:
    db.session.expire_all()
    return db.session.scalars(select(MediaApplication)).one()


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def image_loaded(page: Page, selector: str) -> Callable[[], bool]:
    return lambda: bool(
        page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")
    )


# --- the journey ----------------------------------------------------------------


def test_a_journalist_is_accredited_after_adding_a_press_card(
    app: Flask,
    media_event: str,
    mail: MailSink,
    live_server: str,
    page: Page,
    browser: Browser,
    console_errors: list[str],
    tmp_path: Path,
) -> None:
    slug = media_event
    letter = tmp_path / "letter-of-assignment.pdf"
    letter.write_bytes(small_pdf("Jana Novak is assigned to cover ITU TELECOM World."))
    photo = portrait_png(tmp_path / "jana.png")
    card = press_card_png(tmp_path / "press-card.png")
    card_expires = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=400)

    # The journalist logs in and opens the edition's media page.
    log_in(page, live_server, JOURNALIST)
    page.goto(f"{live_server}/editions/{slug}")
    page.get_by_role("link", name="Media accreditation", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Media accreditation")
    page.get_by_role("link", name="Apply for accreditation").click()

    # Personal details and the outlet; saved as a draft.
    page.get_by_label("Full name").fill(JOURNALIST_NAME)
    page.get_by_label("Job title").fill("Technology Correspondent")
    page.get_by_label("Nationality").select_option(label="Czechia")
    page.get_by_label("Phone").fill("+420 601 234 567")
    page.get_by_label("Media outlet").fill("Daily Signal")
    page.get_by_label("Type of outlet").select_option(label="Online")
    page.get_by_label("Country of the outlet").select_option(label="Czechia")
    page.get_by_label("Website of the outlet").fill("https://www.daily-signal.example")
    page.get_by_label("Your role").select_option(label="Reporter")
    page.get_by_label("Bylined piece 1 (link)").fill(
        "https://www.daily-signal.example/2025/03/spectrum-auction"
    )
    page.get_by_label("I agree to the processing of my data").check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("#application-status")).to_have_text("Draft")

    # A photo for the badge and a letter of assignment; then submitted.
    upload(page, "Photo for the badge", photo)
    expect(page.locator("#documents")).to_contain_text("jana.png")
    upload(page, "Letter of assignment", letter)
    expect(page.locator("#documents")).to_contain_text("letter-of-assignment.pdf")
    page.get_by_role("button", name="Submit my application").click()
    expect(page.locator("#application-status")).to_have_text("Submitted")
    received = mail_to(mail, JOURNALIST, "application received")
    assert "We have received your application" in body_of(received)

    # The media reviewer, in a browser of their own, opens the queue.
    reviewer_context = browser.new_context()
    reviewer = reviewer_context.new_page()
    reviewer.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    log_in(reviewer, live_server, REVIEWER)
    reviewer.goto(f"{live_server}/media-review/editions/{slug}/applications")
    row = reviewer.locator("#applications tbody tr", has_text=JOURNALIST_NAME)
    expect(row).to_contain_text("Daily Signal")
    expect(row).to_contain_text("Submitted")
    row.get_by_role("link", name=JOURNALIST_NAME).click()

    # The evidence is shown inline: the photo as an image, the letter in a frame.
    expect(reviewer.get_by_role("heading", name=JOURNALIST_NAME, level=1)).to_be_visible()
    expect(reviewer.locator("figure img")).to_be_visible()
    assert wait_until(image_loaded(reviewer, "figure img"))
    letter_frame = reviewer.locator("figure iframe")
    expect(letter_frame).to_have_count(1)
    served = reviewer_context.request.get(live_server + str(letter_frame.get_attribute("src")))
    assert served.status == 200
    assert served.headers["content-type"].startswith("application/pdf")
    assert served.body() == letter.read_bytes()
    # ...to reviewers only: the same address answers nobody else.
    anonymous = browser.new_context()
    assert (
        anonymous.request.get(live_server + str(letter_frame.get_attribute("src")),
                              max_redirects=0).status in (302, 403, 404)
    )  # fmt: skip
    anonymous.close()

    # Taken for review, then more information is asked for.
    reviewer.get_by_role("button", name="Take for review").click()
    expect(reviewer.locator("#status")).to_have_text("In review")
    reviewer.get_by_label("What is missing").fill(INFO_REQUEST)
    reviewer.get_by_role("button", name="Send the request").click()
    expect(reviewer.locator("#status")).to_have_text("Information requested")

    # The journalist reads the mail and follows its link.
    request_mail = mail_to(mail, JOURNALIST, "more information needed")
    assert INFO_REQUEST in body_of(request_mail)
    page.goto(first_link(request_mail))
    expect(page.locator("#application-status")).to_have_text("Information requested")
    expect(page.locator("#info-request")).to_contain_text(INFO_REQUEST)

    # The press card: its number and expiry saved, the scan uploaded; resubmitted.
    page.get_by_label("Press card number").fill("CZ-2231-0045")
    page.get_by_label("Press card valid until").fill(card_expires.isoformat())
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_label("Press card number")).to_have_value("CZ-2231-0045")
    upload(page, "Press card", card)
    expect(page.locator("#documents")).to_contain_text("press-card.png")
    page.get_by_role("button", name="Resubmit my application").click()
    expect(page.locator("#application-status")).to_have_text("Resubmitted")

    # The reviewer sees the press card and approves.
    reviewer.reload()
    expect(reviewer.locator("#status")).to_have_text("Resubmitted")
    expect(reviewer.locator("figure", has_text="Press card")).to_have_count(1)
    reviewer.get_by_role("button", name="Take for review").click()
    expect(reviewer.locator("#status")).to_have_text("In review")
    reviewer.get_by_role("button", name="Approve and send the media badge").click()
    expect(reviewer.locator("#status")).to_have_text("Approved")
    reviewer_context.close()

    # The journalist is told, with the badge attached, and finds it under My registrations.
    approved = mail_to(mail, JOURNALIST, "approved")
    attachments = [part for part in approved.iter_attachments() if part.get_filename()]
    assert attachments and attachments[0].get_content_type() == "application/pdf"
    text = approved.get_body(preferencelist=("plain",))
    assert text is not None and "approved" in text.get_content()
    registrations_link = re.search(r"https?://\S+", text.get_content())
    assert registrations_link is not None
    page.goto(registrations_link.group(0))
    badge_row = page.locator("#registrations tr.registration-row", has_text="Media")
    expect(badge_row).to_contain_text("Confirmed")
    badge_link = badge_row.get_by_role("link", name="Download badge")
    response = page.request.get(live_server + str(badge_link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    page.goto(f"{live_server}/editions/{slug}/media/application")
    expect(page.locator("#application-status")).to_have_text("Approved")

    # What a user saw is what was stored.
    accredited = application()
    assert accredited.status == ApplicationStatus.APPROVED
    assert {d.kind for d in accredited.documents} == {
        DocumentKind.PHOTO, DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PRESS_CARD,
    }  # fmt: skip
    registration = db.session.get(Registration, accredited.registration_id)
    assert registration is not None
    assert registration.category == RegistrationCategory.MEDIA
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.photo_file  # the badge carries the applicant's photo
    assert [step.to_status for step in accredited.steps] == [
        ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW,
        ApplicationStatus.INFO_REQUESTED, ApplicationStatus.RESUBMITTED,
        ApplicationStatus.IN_REVIEW, ApplicationStatus.APPROVED,
    ]  # fmt: skip

    assert console_errors == []
