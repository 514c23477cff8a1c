"""Helpers for the media service tests: journalists, reviewers, files, and applications
driven through the real services to any status.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from email.message import EmailMessage, Message

from PIL import Image

from telecom.auth.models import User
from telecom.auth.services import get_user_by_email
from telecom.core.models import utcnow
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaRole,
    OutletType,
    RejectionReason,
)
from telecom.media.services import applications, review
from telecom.media.services.applications import ApplicationData
from telecom.media.services.settings import MediaSettingsData, save_media_settings
from tests.helpers import make_organizer, make_user

__test__ = False  # helpers only

# A small, complete one-page PDF.
PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""


def png(color: tuple[int, int, int] = (40, 90, 150)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buffer, format="PNG")
    return buffer.getvalue()


def journalist(email: str = "jana@example.org", full_name: str = "Jana Journalist") -> User:
    return make_user(email, full_name=full_name)


def reviewer(email: str = "rita@example.org") -> User:
    return make_user(email, roles={Role.MEDIA_REVIEWER}, full_name="Rita Reviewer")


def organizer(email: str = "olga@example.org") -> User:
    return get_user_by_email(email) or make_organizer(email)


def data(**overrides: object) -> ApplicationData:
    values: dict = {
        "full_name": "Jana Journalist",
        "job_title": "Technology correspondent",
        "nationality": "KE",
        "phone": "+254 20 123 4567",
        "outlet_name": "Daily Nation",
        "outlet_type": OutletType.PRINT,
        "outlet_country": "KE",
        "outlet_website": "https://nation.example.com",
        "role": MediaRole.REPORTER,
        "press_card_number": "KE-1234",
        "press_card_expires_on": None,
        "bylines": ["https://nation.example.com/tech/5g-rollout"],
        "consent": True,
    }
    values.update(overrides)
    return ApplicationData(**values)


def today(edition: Edition) -> date:
    return edition.local_date(utcnow())


def set_window(
    edition: Edition,
    opens_on: date | None,
    closes_on: date | None,
    *,
    contact_email: str = "press@telecom-world.example",
    max_documents: int = 6,
) -> None:
    save_media_settings(
        edition,
        MediaSettingsData(
            applications_open_on=opens_on,
            applications_close_on=closes_on,
            max_documents=max_documents,
            retention_days=90,
            contact_email=contact_email,
        ),
        actor=organizer("settings-organizer@example.org"),
    )


def close_applications(edition: Edition) -> date:
    """Applications closed yesterday (in the edition's time zone); returns that day."""
    closed_on = today(edition) - timedelta(days=1)
    set_window(edition, closed_on - timedelta(days=30), closed_on)
    return closed_on


def draft(edition: Edition, user: User, **overrides: object) -> MediaApplication:
    return applications.start_application(edition, data(**overrides), actor=user)


def complete_draft(
    edition: Edition, user: User, *, letter: bool = True, **overrides: object
) -> MediaApplication:
    """A draft with the badge photo and a letter of assignment: ready to submit."""
    application = draft(edition, user, **overrides)
    applications.add_document(application, DocumentKind.PHOTO, png(), "me.png", actor=user)
    if letter:
        applications.add_document(
            application, DocumentKind.LETTER_OF_ASSIGNMENT, PDF, "letter.pdf", actor=user
        )
    return application


def submitted(edition: Edition, user: User, **overrides: object) -> MediaApplication:
    application = complete_draft(edition, user, **overrides)
    return applications.submit_application(application, actor=user)


def in_status(
    status: ApplicationStatus, edition: Edition, user: User, decider: User
) -> MediaApplication:
    """An application of `user` brought to `status` by the real services (`decider` reviews)."""
    S = ApplicationStatus
    if status == S.DRAFT:
        return complete_draft(edition, user)
    application = submitted(edition, user)
    if status == S.SUBMITTED:
        return application
    review.take_for_review(application, actor=decider)
    if status == S.IN_REVIEW:
        return application
    if status in (S.INFO_REQUESTED, S.RESUBMITTED):
        review.request_information(application, "Please add your press card.", actor=decider)
        if status == S.RESUBMITTED:
            applications.submit_application(application, actor=user)
        return application
    if status == S.REJECTED:
        review.reject(application, RejectionReason.INSUFFICIENT_EVIDENCE, "", actor=decider)
        return application
    review.approve(application, actor=decider)
    if status == S.REVOKED:
        review.revoke(application, "Sold the badge.", actor=decider)
    return application


def text_of(message: Message) -> str:
    """The plain-text body of a message, with or without attachments."""
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def attachments_of(message: Message) -> list[tuple[str, str, bytes]]:
    assert isinstance(message, EmailMessage)
    return [
        (part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
    ]


def local_moment(edition: Edition, day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=edition.tz)
