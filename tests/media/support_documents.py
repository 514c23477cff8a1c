"""Helpers for the evidence-file, purge and badge-photo tests (no tests here).

Applications and documents are made directly with the models, so these tests
do not depend on the application services; files go through the real
`documents.prepare_upload` and `store_prepared`.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import UTC, datetime

from PIL import Image, PngImagePlugin

from telecom.auth.models import User
from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media import documents
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaDocument,
    OutletType,
)
from telecom.participants.models import Person

__test__ = False  # helpers only

# EXIF tags: 0x010F Make, 0x0110 Model, 0x0112 Orientation, 0x8825 the GPS block.
MAKE, MODEL, ORIENTATION, GPS_IFD = 0x010F, 0x0110, 0x0112, 0x8825
SECRET_MAKE = "Leaky Camera Co"


def pdf_bytes(text: str = "Letter of assignment") -> bytes:
    """A small, well-formed one-page PDF (with a correct cross-reference table)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def padded_pdf(size: int) -> bytes:
    """A valid PDF of exactly `size` bytes (a comment fills it up before the end marker)."""
    base = pdf_bytes()
    head, tail = base[: base.rindex(b"startxref")], base[base.rindex(b"startxref") :]
    filler = size - len(base) - 2
    assert filler >= 0
    return head + b"%" + b"x" * filler + b"\n" + tail


# A Windows program (the "MZ" header) and a Linux one (ELF), renamed by their senders.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = SECRET_MAKE
    exif[MODEL] = "Model X"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    # Where the picture was taken: 46.5 N, 19.0 E (Budapest).
    exif[GPS_IFD] = {1: "N", 2: (46.0, 30.0, 0.0), 3: "E", 4: (19.0, 0.0, 0.0)}
    return exif


def _picture(width: int, height: int) -> Image.Image:
    """Red on the left half, blue on the right: orientation shows in the pixels."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    return image


def jpeg_with_exif(width: int = 40, height: int = 30, orientation: int | None = None) -> bytes:
    """A JPEG carrying EXIF (camera, GPS position, maybe an orientation) and a comment."""
    out = io.BytesIO()
    _picture(width, height).save(
        out, format="JPEG", exif=_exif(orientation), comment=b"secret comment", quality=95
    )
    return out.getvalue()


def png_with_exif(width: int = 40, height: int = 30, orientation: int | None = None) -> bytes:
    """A PNG carrying an eXIf chunk (camera, GPS position), a text chunk and an ICC profile."""
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Secret Author")
    text.add_text("Comment", "secret comment")
    out = io.BytesIO()
    _picture(width, height).save(
        out,
        format="PNG",
        exif=_exif(orientation),
        pnginfo=text,
        icc_profile=b"\x00" * 128,  # not a real profile: only its presence is checked
    )
    return out.getvalue()


def noisy_image(image_format: str = "PNG", width: int = 200, height: int = 150) -> bytes:
    """Random pixels: the image data is most of the file, so cutting the file cuts the pixels."""
    rng = random.Random(6)
    pixels = bytes(rng.randrange(256) for _ in range(width * height * 3))
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, format=image_format)
    return out.getvalue()


def cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def plain_jpeg(width: int = 300, height: int = 400, colour: tuple = (200, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG", quality=90)
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def make_application(
    edition: Edition,
    user: User,
    *,
    status: ApplicationStatus = ApplicationStatus.SUBMITTED,
    full_name: str | None = None,
) -> MediaApplication:
    """`user`'s application at `edition` (with its Person), committed."""
    person = db.session.query(Person).filter_by(email=user.email).one_or_none()
    if person is None:
        person = Person(email=user.email, full_name=full_name or user.full_name, user_id=user.id)
        db.session.add(person)
        db.session.flush()
    application = MediaApplication(
        edition_id=edition.id,
        person_id=person.id,
        user_id=user.id,
        status=status,
        full_name=full_name or user.full_name,
        outlet_name="Daily Planet",
        outlet_type=OutletType.PRINT,
        outlet_country="HU",
        submitted_at=None
        if status == ApplicationStatus.DRAFT
        else datetime(2015, 9, 1, 10, tzinfo=UTC),
    )
    db.session.add(application)
    commit()
    return application


def add_document(
    application: MediaApplication,
    kind: DocumentKind = DocumentKind.LETTER_OF_ASSIGNMENT,
    data: bytes | None = None,
    filename: str = "letter.pdf",
) -> MediaDocument:
    """A document accepted and stored for real (prepare_upload + store_prepared), committed."""
    if data is None:
        data = pdf_bytes() if kind != DocumentKind.PHOTO else plain_jpeg()
    prepared = documents.prepare_upload(kind, data, filename)
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
