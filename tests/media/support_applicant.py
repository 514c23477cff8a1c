"""Shared pieces of the journalist's page tests: an edition taking applications, files, forms."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.test import TestResponse

from telecom.auth.models import User
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media.models import MediaApplication
from telecom.media.services import settings as media_settings
from telecom.media.services.settings import MediaSettingsData
from tests.core import action_token, fill_and_submit
from tests.helpers import make_edition, make_organizer

SLUG = "telecom-world-next"
JOURNALIST = "jane@news.example"

# A small but well-formed PDF: the header and the end marker are what the upload checks read.
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
# A Windows executable's first bytes: what a renamed program looks like.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def png(width: int = 60, height: int = 80) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def pdf_of_size(size: int) -> bytes:
    """A PDF of exactly `size` bytes (padding in a comment before the end marker)."""
    tail = b"\n%%EOF\n"
    padding = size - len(PDF) - len(tail)
    assert padding >= 0
    return PDF + b"%" + b"x" * (padding - 1) + tail if padding else PDF[: size - len(tail)] + tail


def media_edition(
    slug: str = SLUG,
    *,
    opens_on: date | None = None,
    closes_on: date | None = None,
    organizer: User | None = None,
) -> Edition:
    """An edition two months ahead; applications open unless dates say otherwise."""
    start = date.today() + timedelta(days=60)
    edition = make_edition(
        slug, name="ITU TELECOM World Next", start_date=start, end_date=start + timedelta(days=3)
    )
    if opens_on is not None or closes_on is not None:
        organizer = organizer or make_organizer("media-organizer@example.org")
        current = media_settings.media_settings(edition)
        media_settings.save_media_settings(
            edition,
            MediaSettingsData(
                applications_open_on=opens_on,
                applications_close_on=closes_on,
                max_documents=current.max_documents,
                retention_days=current.retention_days,
                contact_email=current.contact_email,
            ),
            actor=organizer,
        )
    return edition


def landing_path(slug: str = SLUG) -> str:
    return f"/editions/{slug}/media"


def application_path(slug: str = SLUG) -> str:
    return f"/editions/{slug}/media/application"


def document_path(document_id: int, slug: str = SLUG) -> str:
    return f"{application_path(slug)}/documents/{document_id}"


# What a staff reporter of an online outlet types; the press card is valid for a year.
TYPED: dict[str, str] = {
    "full_name": "Jane Reporter",
    "job_title": "Technology correspondent",
    "nationality": "CH",
    "phone": "+41 22 730 51 11",
    "outlet_name": "Daily Wire",
    "outlet_type": "online",
    "outlet_country": "CH",
    "outlet_website": "https://dailywire.example.org",
    "role": "reporter",
    "press_card_number": "PC-2015-042",
    "press_card_expires_on": (date.today() + timedelta(days=365)).isoformat(),
    "byline_1": "https://dailywire.example.org/2015/05/5g-in-geneva",
    "byline_2": "",
    "byline_3": "",
    "consent": "y",
}


def start(client: FlaskClient, slug: str = SLUG, **typed: str) -> TestResponse:
    """Fill in the start form as a journalist would and save the draft."""
    return fill_and_submit(client, application_path(slug), {**TYPED, **typed})


def edit(client: FlaskClient, slug: str = SLUG, **typed: str) -> TestResponse:
    """Change some fields of the saved application (the rest as the page shows them)."""
    return fill_and_submit(client, application_path(slug), typed)


def upload(
    client: FlaskClient,
    kind: str,
    data: bytes,
    filename: str,
    *,
    declared_type: str = "application/octet-stream",
    slug: str = SLUG,
    token: str | None = None,
) -> TestResponse:
    """The upload form of the application page, posted with a file."""
    token = token or action_token(client, application_path(slug))
    response = client.post(
        f"{application_path(slug)}/documents",
        data={
            "csrf_token": token,
            "kind": kind,
            "file": (io.BytesIO(data), filename, declared_type),
        },
        content_type="multipart/form-data",
    )
    _close_body(response)
    return response


def submit(client: FlaskClient, slug: str = SLUG) -> TestResponse:
    token = action_token(client, application_path(slug))
    return client.post(f"{application_path(slug)}/submit", data={"csrf_token": token})


def multipart_body(token: str, kind: str, data: bytes, filename: str) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it; returns (body, content type)."""
    boundary = "----TelecomWorldBoundary7MA4YWxkTrZu0gW"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{token}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="kind"\r\n\r\n'
        f"{kind}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + data + tail, f"multipart/form-data; boundary={boundary}"


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
    _close_body(response)
    return response


def _close_body(response: TestResponse) -> None:
    """The test client spools a large request body to a temporary file and closes it
    only when following redirects; close it here so no file is left open."""
    stream = response.request.input_stream
    if stream is not None:
        stream.close()


def own_application(user_email: str = JOURNALIST, slug: str = SLUG) -> MediaApplication | None:
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == user_email))
    assert user is not None
    edition_id = db.session.scalar(select(Edition.id).where(Edition.slug == slug))
    return db.session.scalar(
        select(MediaApplication).where(
            MediaApplication.user_id == user.id, MediaApplication.edition_id == edition_id
        )
    )


def snapshot(application_id: int) -> dict[str, Any]:
    """Everything saved about an application: its columns and its documents."""
    db.session.expire_all()
    application = db.session.get(MediaApplication, application_id)
    assert application is not None
    columns = {c.key: getattr(application, c.key) for c in MediaApplication.__mapper__.column_attrs}
    documents = [
        (d.id, d.kind, d.stored_name, d.content_type, d.size, d.original_name)
        for d in application.documents
    ]
    return {**columns, "documents": documents, "steps": len(application.steps)}


def stored_files(app: Flask) -> list[str]:
    """The evidence files on disk (they live under UPLOAD_DIR, outside static/)."""
    folder = Path(app.config["UPLOAD_DIR"]) / "media_documents"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
