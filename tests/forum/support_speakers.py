"""Shared pieces of the speaker tests: an edition ahead, organizers, invitations, photos, mail.

Invitations go through the real service, and the link a test opens is the
one read from the mail the local SMTP sink received, so the pages are opened
the way a speaker opens them.
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.test import TestResponse

from telecom.auth.models import User
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import ForumRoom, ForumSession, SessionKind, SessionSpeaker, Speaker
from telecom.forum.services import speakers
from telecom.participants.models import Registration
from tests.core import form_values
from tests.helpers import MailSink, body_of, first_link, make_edition, make_organizer
from tests.media.support_documents import EXECUTABLE, SECRET_MAKE, jpeg_with_exif, png_with_exif

__all__ = [
    "EXECUTABLE",
    "SECRET_MAKE",
    "jpeg_with_exif",
    "png_with_exif",
]
__test__ = False  # helpers only

SLUG = "telecom-world-next"
ZONE = "Europe/Budapest"
SPEAKER_EMAIL = "grace.okafor@netlab.example"

# What a speaker types on the confirmation page.
PROFILE: dict[str, str] = {
    "full_name": "Dr Grace Okafor",
    "job_title": "Chief Technology Officer",
    "organisation": "NetLab Africa",
    "country": "NG",
    "bio": "Grace leads NetLab's research on rural 5G.\n\nShe chairs the ITU-D study group on "
    "broadband for remote areas.",
}


def future_edition(slug: str = SLUG, *, days_ahead: int = 42) -> Edition:
    """An edition some weeks ahead, in Budapest's time zone."""
    start = date.today() + timedelta(days=days_ahead)
    return make_edition(
        slug, name="ITU TELECOM World Next", timezone=ZONE,
        start_date=start, end_date=start + timedelta(days=3),
    )  # fmt: skip


def past_edition(slug: str = "telecom-world-past") -> Edition:
    start = date.today() - timedelta(days=30)
    return make_edition(
        slug, name="ITU TELECOM World Past", timezone=ZONE,
        start_date=start, end_date=start + timedelta(days=3),
    )  # fmt: skip


def organizer(email: str = "olga.organizer@itu.example") -> User:
    return make_organizer(email)


def invite(
    edition: Edition,
    actor: User,
    email: str = SPEAKER_EMAIL,
    full_name: str = "Grace Okafor",
    **details: str | None,
) -> Speaker:
    """The organizer invites a speaker (the invitation mail goes out)."""
    return speakers.invite_speaker(
        edition,
        speakers.SpeakerInvite(email=email, full_name=full_name, **details),  # type: ignore[arg-type]
        actor=actor,
    )


def profile(**changes: str) -> speakers.SpeakerProfile:
    values = {**PROFILE, **changes}
    return speakers.SpeakerProfile(
        full_name=values["full_name"],
        job_title=values["job_title"],
        organisation=values["organisation"],
        country=values["country"] or None,
        bio=values["bio"],
    )


def reload(speaker: Speaker) -> Speaker:
    db.session.expire_all()
    fresh = db.session.get(Speaker, speaker.id)
    assert fresh is not None
    return fresh


def registration_of(speaker: Speaker) -> Registration | None:
    speaker = reload(speaker)
    if speaker.registration_id is None:
        return None
    return db.session.get(Registration, speaker.registration_id)


# --- Mail -------------------------------------------------------------------------------------


def mails_to(mail: MailSink, address: str, count: int = 1, timeout: float = 5.0) -> list:
    """The messages to `address`, once at least `count` have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        found = mail.to(address)
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(found)} message(s) to {address}, expected {count}")
        time.sleep(0.02)


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    """The path of the personal link in a message (the test client needs no host)."""
    if message.is_multipart():  # the badge is attached: the link is in the text part
        match = re.search(r"https?://\S+", text_of_mail(message))
        assert match, "the message has no link"
        return urlsplit(match.group(0)).path
    return urlsplit(first_link(message)).path


def latest_link(mail: MailSink, address: str = SPEAKER_EMAIL) -> str:
    messages = mail.to(address)
    assert messages, f"no message to {address}"
    return link_in(messages[-1])


def pdf_attachments(message) -> list[bytes]:  # type: ignore[no-untyped-def]
    return [
        part.get_payload(decode=True)
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


def text_of_mail(message) -> str:  # type: ignore[no-untyped-def]
    body = message.get_body(preferencelist=("plain",))
    return body_of(body) if body is not None else body_of(message)


# --- Photos -----------------------------------------------------------------------------------


def big_jpeg(width: int = 2400, height: int = 1800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(out, format="JPEG", quality=85)
    return out.getvalue()


def image_of(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def has_metadata(data: bytes) -> bool:
    """EXIF, text chunks, ICC profile or a comment: anything but the pixels."""
    image = image_of(data)
    return (
        bool(image.getexif())
        or bool(
            set(image.info)
            & {"exif", "icc_profile", "comment", "Author", "Comment", "XML:com.adobe"}
        )
        or SECRET_MAKE.encode() in data
    )


def stored_files(app: Flask, kind: str) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / kind
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def read_stored(app: Flask, kind: str, name: str) -> bytes:
    return (Path(app.config["UPLOAD_DIR"]) / kind / name).read_bytes()


# --- Sessions ---------------------------------------------------------------------------------


def session_with(
    edition: Edition, speaker: Speaker, *, title: str, day: date, hour: int, minute: int = 0
) -> ForumSession:
    """A one-hour session at `hour`:`minute` local time with the speaker on it (rows only)."""
    room = db.session.scalar(select(ForumRoom).where(ForumRoom.edition_id == edition.id))
    if room is None:
        room = ForumRoom(edition_id=edition.id, name="Hall A", capacity=800, location="Level 0")
        db.session.add(room)
    starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))
    session = ForumSession(
        edition_id=edition.id, title=title, kind=SessionKind.PANEL, room=room,
        starts_at=starts.astimezone(UTC), ends_at=(starts + timedelta(hours=1)).astimezone(UTC),
    )  # fmt: skip
    db.session.add(session)
    db.session.flush()
    db.session.add(SessionSpeaker(session_id=session.id, speaker_id=speaker.id, position=0))
    db.session.commit()
    return session


# --- Pages ------------------------------------------------------------------------------------


def post_form(
    client: FlaskClient,
    path: str,
    typed: dict[str, str],
    *,
    photo: tuple[bytes, str] | None = None,
    declared_type: str = "application/octet-stream",
    form_page: str | None = None,
) -> TestResponse:
    """Open the page, keep what its main form shows, overwrite `typed`, post it with a photo."""
    page = client.get(form_page or path)
    assert page.status_code == 200, f"GET {form_page or path} answered {page.status_code}"
    values: dict[str, object] = dict(form_values(page))
    assert "csrf_token" in values, "the form has no CSRF token"
    values.update(typed)
    if photo is not None:
        data, filename = photo
        values["photo"] = (io.BytesIO(data), filename, declared_type)
    response = client.post(path, data=values, content_type="multipart/form-data")
    close_body(response)
    return response


def confirm_typed(**changes: str) -> dict[str, str]:
    """The confirmation form as a speaker fills it in, consent given."""
    return {**PROFILE, "consent": "y", **changes}


def close_body(response: TestResponse) -> None:
    """The test client spools a large request body to a temporary file; close it."""
    stream = response.request.input_stream
    if stream is not None:
        stream.close()


def multipart_body(token: str, fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it; returns (body, content type)."""
    boundary = "----SpeakerBoundary7MA4YWxkTrZu0gW"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="me.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    )
    head = "".join(parts).encode()
    return head + photo + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


def post_raw(
    client: FlaskClient, path: str, body: bytes, content_type: str, *, content_length: int
) -> TestResponse:
    """Post `body` while announcing `content_length` bytes (more: the client broke off)."""
    response = client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        environ_overrides={"CONTENT_LENGTH": str(content_length)},
    )
    close_body(response)
    return response
