"""Registrations with badges, made directly with the models (the badge tests' own fixtures)."""

from __future__ import annotations

import re
import zlib
from datetime import date

from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)


def make_registration(
    edition: Edition,
    email: str = "visitor@example.org",
    *,
    full_name: str = "Vera Visitor",
    organisation_name: str = "Example Networks Ltd",
    country: str | None = "KE",
    category: RegistrationCategory = RegistrationCategory.VISITOR,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    valid_from: date | None = date(2015, 10, 12),
    valid_until: date | None = date(2015, 10, 13),
    user_id: int | None = None,
) -> Registration:
    """A person and their registration at `edition`, committed."""
    person = db.session.query(Person).filter_by(email=email).one_or_none()
    if person is None:
        person = Person(
            email=email,
            full_name=full_name,
            organisation_name=organisation_name,
            country=country,
            user_id=user_id,
        )
        db.session.add(person)
    registration = Registration(
        person=person,
        edition_id=edition.id,
        category=category,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    db.session.add(registration)
    commit()
    return registration


# --- Reading the PDFs WeasyPrint writes (uncompressed enough to inspect) ---------------

_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def _streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, inflated when it is Flate-compressed."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        raw = match.group(1)
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def pdf_text(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to search for names and boxes."""
    return pdf + b"\n".join(_streams(pdf))


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height in points of each page's MediaBox."""
    return [
        (float(x1) - float(x0), float(y1) - float(y0))
        for x0, y0, x1, y1 in _MEDIA_BOX.findall(pdf_text(pdf))
    ]


def image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    """Width and height in pixels of the images the PDF embeds."""
    sizes = []
    for match in re.finditer(rb"<<(.*?)>>\s*stream", pdf_text(pdf), re.S):
        header = match.group(1)
        if b"/Subtype /Image" not in header:
            continue
        width = re.search(rb"/Width (\d+)", header)
        height = re.search(rb"/Height (\d+)", header)
        if width and height:
            sizes.append((int(width.group(1)), int(height.group(1))))
    return sizes


def embedded_fonts(pdf: bytes) -> list[str]:
    """The base names of the fonts the PDF embeds (subset prefixes removed)."""
    names = re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_,]+)", pdf_text(pdf))
    return sorted({name.decode().split("+", 1)[-1] for name in names})


def _paeth(left: int, up: int, up_left: int) -> int:
    estimate = left + up - up_left
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - up_left))
    return (left, up, up_left)[distances.index(min(distances))]


def _unfilter_png_rows(data: bytes, width: int, colors: int) -> list[bytes]:
    """Undo the PNG row filters (PDF /Predictor 10-15) of 8-bit samples."""
    stride = width * colors
    rows: list[bytes] = []
    previous = bytearray(stride)
    for start in range(0, len(data), stride + 1):
        kind, raw = data[start], data[start + 1 : start + 1 + stride]
        row = bytearray(stride)
        for i, value in enumerate(raw):
            left = row[i - colors] if i >= colors else 0
            up = previous[i]
            up_left = previous[i - colors] if i >= colors else 0
            predictor = (0, left, up, (left + up) // 2, _paeth(left, up, up_left))[kind]
            row[i] = (value + predictor) & 0xFF
        rows.append(bytes(row))
        previous = row
    return rows


def embedded_images(pdf: bytes) -> list[list[list[int]]]:
    """The PDF's Flate-compressed 8-bit images as rows of grey levels (0 black, 255 white)."""
    images = []
    pattern = re.compile(rb"<<((?:(?!>>\s*stream).)*?/Subtype /Image.*?)>>\s*stream\r?\n", re.S)
    for match in pattern.finditer(pdf):
        header = match.group(1)
        width = int(re.search(rb"/Width (\d+)", header).group(1))
        length = int(re.search(rb"/Length (\d+)", header).group(1))
        colors_match = re.search(rb"/Colors (\d+)", header)
        colors = int(colors_match.group(1)) if colors_match else 1
        assert b"/BitsPerComponent 8" in header and b"/FlateDecode" in header
        data = zlib.decompress(pdf[match.end() : match.end() + length])
        if b"/Predictor" in header:
            rows = _unfilter_png_rows(data, width, colors)
        else:
            stride = width * colors
            rows = [data[i : i + stride] for i in range(0, len(data), stride)]
        images.append([list(row[::colors]) for row in rows])
    return images


def image_modules(image: list[list[int]], border: int) -> tuple[tuple[int, ...], ...]:
    """A QR image drawn one pixel per module, as segno's matrix (1 dark), without its border."""
    rows = image[border : len(image) - border]
    return tuple(tuple(1 if pixel < 128 else 0 for pixel in row[border:-border]) for row in rows)
