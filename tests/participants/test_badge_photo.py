"""A registration with a photo (a media accreditation) prints it on the badge, in both layouts."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from telecom.core import storage
from telecom.core.db import commit
from telecom.participants.models import RegistrationCategory
from telecom.participants.services import badges
from telecom.participants.services.badges import BADGE_PHOTOS_KIND
from tests.helpers import make_edition
from tests.participants.badge_support import image_sizes, make_registration, page_sizes

PHOTO_SIZE = (300, 400)
QR_SIZE = (37, 37)  # a version 3 symbol (29 modules) and its 4-module quiet zone


def jpeg(size: tuple[int, int] = PHOTO_SIZE, colour: tuple = (40, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def registration(app: Flask):
    return make_registration(
        make_edition(),
        "marta@example.org",
        full_name="Márta Újságíró",
        organisation_name="Népszava",
        category=RegistrationCategory.MEDIA,
    )


def with_photo(registration, data: bytes = b"", extension: str = "jpg") -> str:
    name = storage.store_bytes(BADGE_PHOTOS_KIND, data or jpeg(), extension)
    registration.photo_file = name
    commit()
    return name


@pytest.mark.parametrize("layout", ["a6", "a4"])
def test_the_photo_is_printed_on_the_badge_in_both_layouts(registration, layout):
    data = jpeg()
    with_photo(registration, data)

    html = badges.render_badge_html(registration, layout)
    pdf = badges.render_badge_pdf(registration, layout)

    # Embedded in the page itself (the renderer fetches nothing), as the stored bytes.
    uri = f"data:image/jpeg;base64,{base64.b64encode(data).decode('ascii')}"
    assert f'<img class="photo" src="{uri}" alt="Photo of Márta Újságíró">' in html
    assert 'class="badge with-photo"' in html
    assert len(page_sizes(pdf)) == 1
    assert sorted(image_sizes(pdf)) == sorted([QR_SIZE, PHOTO_SIZE])


def test_a_png_photo_is_printed_too(registration):
    out = io.BytesIO()
    Image.new("RGB", (120, 160), (10, 200, 10)).save(out, format="PNG")
    with_photo(registration, out.getvalue(), "png")

    assert "data:image/png;base64," in badges.render_badge_html(registration)
    assert (120, 160) in image_sizes(badges.render_badge_pdf(registration))


def test_without_a_photo_the_badge_is_as_before(registration):
    html = badges.render_badge_html(registration)

    assert 'class="photo"' not in html and "with-photo" not in html
    assert image_sizes(badges.render_badge_pdf(registration)) == [QR_SIZE]


def test_a_missing_photo_file_prints_the_badge_without_it(registration, app):
    name = with_photo(registration)
    (Path(app.config["UPLOAD_DIR"]) / BADGE_PHOTOS_KIND / name).unlink()

    for layout in badges.LAYOUTS:
        html = badges.render_badge_html(registration, layout)
        assert 'class="photo"' not in html
        pdf = badges.render_badge_pdf(registration, layout)
        assert pdf.startswith(b"%PDF") and image_sizes(pdf) == [QR_SIZE]
    _filename, content_type, attachment = badges.badge_attachment(registration)
    assert content_type == "application/pdf" and attachment.startswith(b"%PDF")


@pytest.mark.parametrize(
    "name",
    ["../../config.py", "not-ours.jpg", "0" * 32 + ".pdf", "0" * 32 + ".svg"],
    ids=["path", "odd-name", "pdf", "svg"],
)
def test_a_photo_name_that_is_not_a_stored_image_is_ignored(registration, name):
    registration.photo_file = name
    commit()

    assert 'class="photo"' not in badges.render_badge_html(registration)
    assert badges.render_badge_pdf(registration).startswith(b"%PDF")


def test_a_damaged_photo_file_never_stops_the_badge(registration):
    with_photo(registration, b"\xff\xd8\xff\xe0 not really a jpeg")

    pdf = badges.render_badge_pdf(registration, "a4")

    assert pdf.startswith(b"%PDF") and QR_SIZE in image_sizes(pdf)
