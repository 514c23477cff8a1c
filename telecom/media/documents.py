"""Media evidence files: judged by their bytes, cleaned, stored privately, purged in time.

What an applicant uploads (a letter of assignment, a press card, the badge
photo) is accepted only when its bytes are a PDF, a JPEG or a PNG, whatever its
name or declared type says: an executable renamed ``.pdf`` or an HTML page sent
as ``image/png`` is refused. Images are decoded and re-encoded by Pillow, which
turns the picture upright (EXIF orientation) and drops every piece of metadata
(EXIF with its GPS position, XMP, ICC, comments, text chunks). Files live under
``<UPLOAD_DIR>/media_documents/`` with random names, outside ``static/``, and
only the application's own account, media reviewers and organizers can open
them (`open_document`); anyone else is told the file does not exist.

Evidence is personal data kept for a purpose: `purge_documents` deletes every
evidence file of an edition (and the photos on its media badges) a configured
number of days after the edition's last day, keeping the applications, their
decisions and the counts. It is safe to run every day.
"""

from __future__ import annotations

import io
import math
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from PIL import Image, ImageFile, ImageOps
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit, storage
from telecom.core.db import commit
from telecom.core.errors import NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, has_role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaDocument,
)
from telecom.media.services.settings import media_settings
from telecom.participants.models import Registration, RegistrationCategory
from telecom.participants.services.badges import BADGE_PHOTOS_KIND

# The upload folder of evidence files (telecom/core/storage.py).
DOCUMENTS_KIND = "media_documents"
DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Room for the form's other fields and the multipart framing around one file.
_REQUEST_OVERHEAD_BYTES = 256 * 1024
# An image is decoded in memory: 40 million pixels (a 7300 x 5500 scan) is far
# more than a press card or a portrait needs, and bounds what a small file that
# claims a huge size (a decompression bomb) can cost.
MAX_IMAGE_PIXELS = 40_000_000
# A PDF ends with "%%EOF", possibly followed by a little whitespace or junk;
# readers look for it in the last kilobyte, and so do we.
_PDF_TAIL_BYTES = 1024
MAX_ORIGINAL_NAME = 200
# The photo on the badge is printed about 26 x 33 mm: 480 x 600 pixels is
# more than 450 dpi, and keeps each badge PDF small enough to mail.
BADGE_PHOTO_SIZE = (480, 600)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
_EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}

ACCEPTED_TYPES: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.LETTER_OF_ASSIGNMENT: (PDF,),
    DocumentKind.PRESS_CARD: (PDF, JPEG, PNG),
    DocumentKind.PHOTO: (JPEG, PNG),
}


# --- Limits ------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    """The largest file accepted, in bytes (config MEDIA_MAX_UPLOAD_BYTES, default 5 MiB)."""
    value = current_app.config.get("MEDIA_MAX_UPLOAD_BYTES")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return DEFAULT_MAX_UPLOAD_BYTES


def max_request_bytes() -> int:
    """What an upload view should let through at the HTTP level (`request.max_content_length`).

    Larger than the file limit, so that a slightly too large file reaches
    `prepare_upload` and gets its clear message on the form instead of a 413.
    """
    return max_upload_bytes() + _REQUEST_OVERHEAD_BYTES


def read_upload(stream: object) -> bytes:
    """Read an uploaded file, at most one byte past the limit (enough to say "too large")."""
    return storage.read_upload(stream, max_upload_bytes())


def _megabytes(size: int, *, round_up: bool = False) -> str:
    if round_up:
        # Rounded up to a tenth: 5 MiB and one byte reads "5.1 MB", never "5.0 MB".
        return f"{math.ceil(size * 10 / (1024 * 1024)) / 10:.1f}"
    value = size / (1024 * 1024)
    return f"{value:g}" if value.is_integer() else f"{value:.1f}"


# --- Judging a file ----------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedFile:
    """An accepted upload, ready to store: clean bytes, their real type, a display name."""

    data: bytes
    content_type: str
    original_name: str

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.content_type]


def sniff_type(data: bytes) -> str | None:
    """PDF, JPEG or PNG by the file's own bytes; None for anything else.

    A PDF must start with "%PDF-" and carry the "%%EOF" end marker near its
    end; a file that only starts like a PDF is "damaged", not accepted.
    """
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def _wrong_type_message(kind: DocumentKind) -> str:
    if kind == DocumentKind.LETTER_OF_ASSIGNMENT:
        return _(
            "The letter of assignment must be a PDF file. This file is not a PDF, whatever "
            "its name says; export or scan the letter to PDF and upload that file."
        )
    if kind == DocumentKind.PHOTO:
        return _(
            "The photo must be a JPEG or PNG image. This file is not one, whatever its name "
            "says; save the photo as JPEG or PNG and upload that file."
        )
    return _(
        "The press card must be a PDF file or a JPEG or PNG image. This file is none of "
        "these, whatever its name says."
    )


def clean_original_name(filename: str, fallback: str = "") -> str:
    """The applicant's file name, safe to display: no folders, no control characters, short.

    Only ever shown; the stored name is random. Invisible formatting characters
    are removed too, so a right-to-left override cannot make "gpj.exe" read
    "exe.jpg".
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace() or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return fallback
    if len(name) > MAX_ORIGINAL_NAME:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = f"{stem[: MAX_ORIGINAL_NAME - len(suffix) - 2]}….{suffix}"
        else:
            name = f"{name[: MAX_ORIGINAL_NAME - 1]}…"
    return name


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-_PDF_TAIL_BYTES:]:
        raise ValidationError(
            _(
                "This PDF file is incomplete or damaged (its end is missing). Save or export "
                "it again and upload the new file."
            )
        )


def _corrupt_image() -> ValidationError:
    return ValidationError(
        _(
            "This image is damaged or incomplete and cannot be read. Save it again as JPEG "
            "or PNG and upload the new file."
        )
    )


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        _(
            "This image is too large (%(width)s × %(height)s pixels); at most %(limit)s "
            "million pixels are accepted. Make it smaller and upload it again.",
            width=width,
            height=height,
            limit=MAX_IMAGE_PIXELS // 1_000_000,
        )
    )


_STRICT_DECODING = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Decode with Pillow's corruption checks on.

    WeasyPrint, when imported, sets Pillow's process-wide LOAD_TRUNCATED_IMAGES
    (it prefers part of a picture to none), which makes Pillow accept a cut-off
    or corrupt file silently. An upload must be whole, so it is decoded with
    the flag off; the lock keeps two decodes from restoring it under each other.
    """
    with _STRICT_DECODING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _decode(data: bytes, content_type: str) -> Image.Image:
    """The decoded, upright picture, or ValidationError for a damaged or oversized image."""
    pillow_format = _PILLOW_FORMATS[content_type]
    try:
        # Pillow warns (and only above twice the limit, refuses) on huge images;
        # a warning is an error here, and our own, lower limit comes first anyway.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[pillow_format])
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            if width < 1 or height < 1:
                raise _corrupt_image()
            with _strict_decoding():
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _(
                "This image claims to be larger than any photo or scan; it is refused. "
                "Upload an ordinary JPEG or PNG image."
            )
        ) from None
    except Exception:
        # Pillow reports malformed input with many exception types (OSError,
        # SyntaxError, ValueError, EOFError, struct.error...); all mean the same
        # thing to the applicant.
        raise _corrupt_image() from None
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:
        # Broken EXIF in an image that decodes: keep the picture as it is stored.
        upright = image
    return upright if upright is not None else image


def _encode(image: Image.Image, content_type: str) -> bytes:
    """The picture alone, re-encoded: no EXIF, XMP, ICC profile, comment or text chunk."""
    if content_type == JPEG:
        if image.mode not in {"L", "RGB"}:
            image = image.convert("RGB")
    elif image.mode not in {"1", "L", "LA", "I", "I;16", "RGB", "RGBA"}:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    # Saving takes metadata only from `info` and the save arguments: with an
    # empty `info` and none passed, nothing but the pixels is written.
    image.info = {}
    out = io.BytesIO()
    if content_type == JPEG:
        image.save(out, format="JPEG", quality=90)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def prepare_upload(kind: DocumentKind, data: bytes, filename: str) -> PreparedFile:
    """Judge an uploaded file by its bytes and make it safe to keep.

    ValidationError (with a message for the applicant) when it is empty, over
    `max_upload_bytes()`, not a type this kind of document accepts (letter of
    assignment: PDF; press card: PDF, JPEG or PNG; photo: JPEG or PNG), a
    damaged PDF or image, or an image of absurd dimensions. Images come back
    re-encoded without metadata; PDFs as they were sent.
    """
    kind = DocumentKind(kind)
    if not data:
        raise ValidationError(_("The file is empty. Choose the file again and upload it."))
    limit = max_upload_bytes()
    if len(data) > limit:
        raise ValidationError(
            _(
                "The file is too large (%(size)s MB); at most %(limit)s MB is accepted.",
                size=_megabytes(len(data), round_up=True),
                limit=_megabytes(limit),
            )
        )
    content_type = sniff_type(data)
    if content_type is None or content_type not in ACCEPTED_TYPES[kind]:
        raise ValidationError(_wrong_type_message(kind))
    if content_type == PDF:
        _check_pdf(data)
        clean = data
    else:
        clean = _encode(_decode(data, content_type), content_type)
    fallback = f"{kind.value}.{_EXTENSIONS[content_type]}"
    return PreparedFile(
        data=clean,
        content_type=content_type,
        original_name=clean_original_name(filename, fallback),
    )


# --- Storing, reading, deleting ----------------------------------------------------------


def store_prepared(prepared: PreparedFile) -> str:
    """Write an accepted file under a new random name in the evidence folder; return the name.

    The caller records the name in its transaction and deletes the file
    (`delete_stored`) if that transaction does not commit.
    """
    return storage.store_bytes(DOCUMENTS_KIND, prepared.data, prepared.extension)


def _purged_message(document: MediaDocument, edition: Edition | None) -> str:
    purged_at = document.purged_at
    if purged_at is None:
        return _("This file is no longer kept.")
    day = edition.local_date(purged_at) if edition is not None else purged_at.date()
    return _(
        "This file was deleted on %(date)s, when the period for keeping accreditation "
        "evidence ended.",
        date=format_date(day),
    )


def read_document(document: MediaDocument) -> bytes:
    """The stored bytes of a document; NotFound when it was purged or is missing.

    No authorization here: callers fetch the document through `open_document`
    or a service that checked who is asking.
    """
    if document.stored_name is None:
        application = db.session.get(MediaApplication, document.application_id)
        edition = db.session.get(Edition, application.edition_id) if application else None
        raise NotFound(_purged_message(document, edition))
    return storage.read(DOCUMENTS_KIND, document.stored_name)


def delete_stored(stored_name: str | None) -> None:
    """Remove an evidence file (a missing file or None is not an error)."""
    storage.delete(DOCUMENTS_KIND, stored_name)


def copy_badge_photo(document: MediaDocument) -> str:
    """Store the application's photo for the badge, in the "badge_photos" folder; return its name.

    The copy is scaled down to what the badge prints (BADGE_PHOTO_SIZE at most)
    and is the registration's own file: the evidence folder can be purged on
    its own schedule. The caller records the name (Registration.photo_file) in
    its transaction and deletes the copy (`storage.delete(BADGE_PHOTOS_KIND,
    name)`) if that transaction does not commit.
    """
    if document.kind != DocumentKind.PHOTO or document.content_type not in (JPEG, PNG):
        raise ValidationError(_("Only the photo for the badge can be printed on the badge."))
    content_type = document.content_type
    image = _decode(read_document(document), content_type)
    image.thumbnail(BADGE_PHOTO_SIZE, Image.Resampling.LANCZOS)
    return storage.store_bytes(
        BADGE_PHOTOS_KIND, _encode(image, content_type), _EXTENSIONS[content_type]
    )


# --- Who may open a file ------------------------------------------------------------------


def may_open_documents(application: MediaApplication, actor: User | None) -> bool:
    """The application's own account; media reviewers and organizers once it was submitted.

    A draft is the applicant's alone, as the review queue never shows drafts.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if application.user_id is not None and application.user_id == actor.id:
        return True
    if application.status == ApplicationStatus.DRAFT:
        return False
    return has_role(actor, Role.MEDIA_REVIEWER, Role.ORGANIZER)


def _no_such_document() -> NotFound:
    return NotFound(_("There is no such document."))


def open_document(
    edition: Edition, application_id: int, document_id: int, *, actor: User | None
) -> tuple[MediaDocument, bytes]:
    """A document and its bytes, for those allowed to see the application's evidence.

    Anyone else gets NotFound, the same answer as for an id that does not
    exist, so ids cannot be probed; also NotFound for another edition's
    application or another application's document, and (with a message saying
    so) for a file deleted at the end of the retention period.
    """
    application = db.session.get(MediaApplication, application_id)
    if application is None or application.edition_id != edition.id:
        raise _no_such_document()
    if not may_open_documents(application, actor):
        raise _no_such_document()
    document = db.session.get(MediaDocument, document_id)
    if document is None or document.application_id != application.id:
        raise _no_such_document()
    if document.stored_name is None:
        raise NotFound(_purged_message(document, edition))
    return document, storage.read(DOCUMENTS_KIND, document.stored_name)


# --- Retention ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    """What `purge_documents` found and did.

    `done` is True once the retention period is over: the edition then holds no
    evidence file any more (deleted by this run or an earlier one). `files`,
    `applications` and `badge_photos` count what this run deleted or marked;
    all zero when it had nothing to do.
    """

    due_on: date
    files: int
    applications: int
    done: bool
    badge_photos: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.files or self.applications or self.badge_photos)


def purge_due_on(edition: Edition) -> date:
    """The first day (in the edition's time zone) on which its evidence files are deleted."""
    return edition.end_date + timedelta(days=media_settings(edition).retention_days)


def purge_documents(
    edition: Edition, *, now: datetime | None = None, actor: User | None = None
) -> PurgeResult:
    """Delete the edition's evidence files once the retention period is over.

    Due when the edition's local date is on or after its last day plus the
    retention days (MediaSettings). Then every stored evidence file of its
    applications is deleted (the rows stay, with `purged_at`; each application
    gets `documents_purged_at`) and so are the photos on its media badges
    (Registration.photo_file cleared; the badge prints without one).
    Applications, decisions, registrations and every count stay.

    Safe to run every day and twice at once: the edition row is locked while
    the rows are changed, and a run with nothing left to do changes nothing
    and writes no audit entry. Files are deleted only after the commit, so a
    failed run never leaves rows pointing at deleted files.
    """
    now = now or utcnow()
    due_on = purge_due_on(edition)
    if edition.local_date(now) < due_on:
        return PurgeResult(due_on=due_on, files=0, applications=0, done=False)

    # Serialise concurrent runs on the edition: the second one waits, then finds nothing.
    db.session.execute(select(Edition.id).where(Edition.id == edition.id).with_for_update())
    applications = list(
        db.session.scalars(
            select(MediaApplication)
            .where(MediaApplication.edition_id == edition.id)
            .order_by(MediaApplication.id)
            .execution_options(populate_existing=True)
        )
    )
    documents = list(
        db.session.scalars(
            select(MediaDocument)
            .join(MediaApplication, MediaDocument.application_id == MediaApplication.id)
            .where(
                MediaApplication.edition_id == edition.id,
                MediaDocument.stored_name.is_not(None),
            )
            .execution_options(populate_existing=True)
        )
    )
    registrations = list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.edition_id == edition.id,
                Registration.category == RegistrationCategory.MEDIA,
                Registration.photo_file.is_not(None),
            )
            .execution_options(populate_existing=True)
        )
    )

    deleted_documents: list[str] = []
    with_files: set[int] = set()
    for document in documents:
        assert document.stored_name is not None
        deleted_documents.append(document.stored_name)
        with_files.add(document.application_id)
        document.stored_name = None
        document.purged_at = now
    marked = 0
    for application in applications:
        if application.id in with_files or application.documents_purged_at is None:
            application.documents_purged_at = now
            marked += 1
    deleted_photos: list[str] = []
    for registration in registrations:
        assert registration.photo_file is not None
        deleted_photos.append(registration.photo_file)
        registration.photo_file = None

    result = PurgeResult(
        due_on=due_on,
        files=len(deleted_documents),
        applications=marked,
        done=True,
        badge_photos=len(deleted_photos),
    )
    if not result.changed:
        db.session.rollback()  # release the lock; nothing was changed
        return result
    audit.record(
        "purge_media_documents",
        edition,
        actor=actor,
        edition_id=edition.id,
        after={
            "due_on": due_on.isoformat(),
            "files": result.files,
            "applications": result.applications,
            "badge_photos": result.badge_photos,
        },
    )
    commit()
    for name in deleted_documents:
        delete_stored(name)
    for name in deleted_photos:
        storage.delete(BADGE_PHOTOS_KIND, name)
    return result
