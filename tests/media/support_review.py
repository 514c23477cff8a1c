"""Applications made directly with the models, for the reviewers' page tests.

The reviewer pages only need applications in a given status with their
evidence files; building them row by row keeps these tests independent of the
applicant's forms (tested elsewhere) while the files go through the real
upload checks and storage, so the document route serves what it would in use.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, date, datetime

from PIL import Image

from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media import documents
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaDocument,
    MediaReviewStep,
    MediaRole,
    OutletType,
)
from telecom.participants.models import Person
from tests.helpers import make_user

SLUG = "telecom-world-2015"
BASE = f"/media-review/editions/{SLUG}"
QUEUE = f"{BASE}/applications"
MEDIA_LIST = f"{BASE}/media-list"
SETTINGS = f"/organizer/editions/{SLUG}/media/settings"

# A small, complete PDF: one page saying "Letter of assignment".
PDF_BYTES = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R
/Resources<</Font<</F1 5 0 R>>>>>>endobj
4 0 obj<</Length 53>>stream
BT /F1 18 Tf 20 100 Td (Letter of assignment) Tj ET
endstream endobj
5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""


def png_bytes(
    color: tuple[int, int, int] = (30, 90, 160), size: tuple[int, int] = (60, 80)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def application_url(application: MediaApplication) -> str:
    return f"{QUEUE}/{application.id}"


def document_url(document: MediaDocument) -> str:
    return f"{QUEUE}/{document.application_id}/documents/{document.id}"


def make_reviewer(email: str = "reviewer@example.org", full_name: str = "Rita Reviewer") -> User:
    return make_user(email, roles={Role.MEDIA_REVIEWER}, full_name=full_name)


def add_document(
    application: MediaApplication,
    kind: DocumentKind,
    data: bytes | None = None,
    filename: str = "",
) -> MediaDocument:
    """A file accepted by the real upload checks, stored, and recorded for `application`."""
    if data is None:
        data = png_bytes() if kind is DocumentKind.PHOTO else PDF_BYTES
    prepared = documents.prepare_upload(kind, data, filename or f"{kind.value}.bin")
    document = MediaDocument(
        application_id=application.id,
        kind=kind,
        stored_name=documents.store_prepared(prepared),
        content_type=prepared.content_type,
        size=len(prepared.data),
        original_name=prepared.original_name,
    )
    db.session.add(document)
    commit()
    return document


def make_application(
    edition: Edition,
    email: str = "jana@daily.example",
    *,
    full_name: str = "Jana Journalist",
    outlet_name: str = "Daily Danube",
    outlet_type: OutletType = OutletType.PRINT,
    outlet_country: str = "HU",
    role: MediaRole = MediaRole.REPORTER,
    status: ApplicationStatus = ApplicationStatus.SUBMITTED,
    submitted_at: datetime | None = datetime(2015, 9, 1, 9, 0, tzinfo=UTC),
    late: bool = False,
    bylines: Iterable[str] = ("https://daily.example/2015/05/5g-trials",),
    evidence: Iterable[DocumentKind] = (DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PHOTO),
    with_account: bool = True,
) -> MediaApplication:
    """An application in `status` (with its history step), its account and evidence files."""
    account = make_user(email, full_name=full_name) if with_account else None
    person = Person(
        email=email,
        full_name=full_name,
        country=outlet_country,
        user_id=account.id if account is not None else None,
    )
    db.session.add(person)
    db.session.flush()
    application = MediaApplication(
        edition_id=edition.id,
        person_id=person.id,
        user_id=account.id if account is not None else None,
        status=status,
        full_name=full_name,
        job_title="Technology correspondent",
        nationality=outlet_country,
        phone="+36 1 555 0100",
        outlet_name=outlet_name,
        outlet_type=outlet_type,
        outlet_country=outlet_country,
        outlet_website="https://daily.example",
        role=role,
        press_card_number="PC-2015-0042",
        press_card_expires_on=date(2016, 12, 31),
        bylines=list(bylines),
        consent_at=datetime(2015, 8, 30, 12, 0, tzinfo=UTC),
        submitted_at=None if status is ApplicationStatus.DRAFT else submitted_at,
        late=late,
    )
    db.session.add(application)
    db.session.flush()
    if status is not ApplicationStatus.DRAFT:
        db.session.add(
            MediaReviewStep(
                application_id=application.id,
                actor_id=account.id if account is not None else None,
                from_status=ApplicationStatus.DRAFT,
                to_status=ApplicationStatus.SUBMITTED,
                created_at=submitted_at or datetime(2015, 9, 1, tzinfo=UTC),
            )
        )
    commit()
    for kind in evidence:
        add_document(application, kind)
    return application


def status_of(application_id: int) -> ApplicationStatus:
    """The status as stored now (the pages ran in their own sessions)."""
    db.session.rollback()
    found = db.session.get(MediaApplication, application_id)
    assert found is not None
    return found.status
