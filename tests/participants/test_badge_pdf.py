"""The printable badge: A6 and A4 with cut marks, its QR code, names in any script."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, date, datetime

import pytest
import segno
from flask import Flask
from PIL import Image

from telecom.core.errors import NotFound, ValidationError
from telecom.extensions import db
from telecom.participants.models import PassType, RegistrationCategory, RegistrationStatus
from telecom.participants.services import badges
from telecom.participants.services.badges import badge_code
from tests.helpers import make_edition
from tests.participants.badge_support import (
    embedded_fonts,
    embedded_images,
    image_modules,
    make_registration,
    page_sizes,
)

A6_POINTS = (297.6, 419.5)  # 105 x 148 mm
A4_POINTS = (595.3, 841.9)  # 210 x 297 mm


@pytest.fixture
def edition(app: Flask):
    return make_edition()


@pytest.fixture
def registration(edition):
    return make_registration(edition)


def _qr_matrix(code: str) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row) for row in segno.make(code, error="q", micro=False).matrix)


def _assert_size(size: tuple[float, float], expected: tuple[float, float]) -> None:
    assert size[0] == pytest.approx(expected[0], abs=0.5)
    assert size[1] == pytest.approx(expected[1], abs=0.5)


def test_the_a6_badge_is_one_a6_page(registration) -> None:
    pdf = badges.render_badge_pdf(registration)

    assert pdf.startswith(b"%PDF")
    sizes = page_sizes(pdf)
    assert len(sizes) == 1
    _assert_size(sizes[0], A6_POINTS)


def test_the_a4_sheet_is_one_a4_page_with_cut_marks(registration) -> None:
    pdf = badges.render_badge_pdf(registration, "a4")

    assert pdf.startswith(b"%PDF")
    sizes = page_sizes(pdf)
    assert len(sizes) == 1
    _assert_size(sizes[0], A4_POINTS)
    page = badges.render_badge_html(registration, "a4")
    assert len(re.findall(r'class="cut cut-', page)) == 8  # two lines at each corner
    assert "cut cut-" not in badges.render_badge_html(registration, "a6")


def test_an_unknown_layout_is_refused(registration) -> None:
    with pytest.raises(ValidationError):
        badges.render_badge_pdf(registration, "letter")


def test_the_qr_in_the_pdf_is_the_badge_code(registration) -> None:
    """The image the PDF embeds, read back module by module, is the QR symbol of the code."""
    code = badge_code(registration)
    pdf = badges.render_badge_pdf(registration)

    images = embedded_images(pdf)
    assert len(images) == 1
    image = images[0]
    size = 29 + 2 * badges.QR_BORDER  # version 3 and its quiet zone
    assert (len(image), len(image[0])) == (size, size)
    # The quiet zone is light all round.
    border = badges.QR_BORDER
    assert all(p > 128 for row in image[:border] + image[-border:] for p in row)
    assert all(p > 128 for row in image for p in row[:border] + row[-border:])
    assert image_modules(image, border) == _qr_matrix(code)
    # Drawn without smoothing, so printed modules keep sharp edges.
    assert b"/Interpolate false" in pdf


def test_the_qr_data_uri_in_the_badge_page_is_the_badge_code(registration) -> None:
    code = badge_code(registration)
    page = badges.render_badge_html(registration)

    uri = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    image = Image.open(io.BytesIO(base64.b64decode(uri))).convert("L")
    pixels = [[image.getpixel((x, y)) for x in range(image.width)] for y in range(image.height)]
    assert image_modules(pixels, badges.QR_BORDER) == _qr_matrix(code)
    assert code in page  # printed small under the QR, for typing in


def test_the_badge_shows_who_what_and_when(edition) -> None:
    registration = make_registration(
        edition,
        full_name="Grace O'Hara",
        organisation_name="Ocean & Fibre Ltd",
        country="CH",
        category=RegistrationCategory.MEDIA,
        valid_from=date(2015, 10, 12),
        valid_until=date(2015, 10, 15),
    )

    page = badges.render_badge_html(registration)

    assert "Grace O&#39;Hara" in page
    assert "Ocean &amp; Fibre Ltd" in page
    assert "Switzerland" in page
    assert "ITU TELECOM World 2015" in page
    assert "2015-10-12 – 2015-10-15" in page
    # The colour band carries the category's name too: colour is never the only cue.
    assert 'class="band band-top category-media"' in page
    assert ">Media<" in page


def test_a_one_day_pass_shows_its_day(edition) -> None:
    registration = make_registration(
        edition, valid_from=date(2015, 10, 14), valid_until=date(2015, 10, 14)
    )

    assert "2015-10-14<" in badges.render_badge_html(registration)


def test_days_come_from_the_pass_else_the_edition(edition) -> None:
    pass_type = PassType(
        edition_id=edition.id,
        name="Forum pass",
        valid_from=date(2015, 10, 13),
        valid_until=date(2015, 10, 14),
    )
    db.session.add(pass_type)
    db.session.commit()
    with_pass = make_registration(edition, "pass@example.org", valid_from=None, valid_until=None)
    with_pass.pass_type_id = pass_type.id
    staff = make_registration(
        edition,
        "staff@example.org",
        category=RegistrationCategory.EXHIBITOR_STAFF,
        valid_from=None,
        valid_until=None,
    )
    db.session.commit()

    assert "2015-10-13 – 2015-10-14" in badges.render_badge_html(with_pass)
    assert "2015-10-12 – 2015-10-15" in badges.render_badge_html(staff)


def test_every_category_has_its_own_colour_and_a_label() -> None:
    assert set(badges.CATEGORY_COLOURS) == set(RegistrationCategory)
    backgrounds = [colour.background for colour in badges.CATEGORY_COLOURS.values()]
    assert len(set(backgrounds)) == len(backgrounds)
    css = badges._category_css()
    for category in RegistrationCategory:
        assert f".band.category-{category.value} " in css
        assert category.label


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        ("محمد بن عبد الله الهاشمي", "هيئة تنظيم الاتصالات"),
        ("王小明", "中国电信股份有限公司"),
        ("Анна Кузнецова", "Ростелеком"),
        ("Zoë Ørsted-Łukasiewicz", "Société générale des télécoms"),
    ],
)
def test_names_in_other_scripts_render(edition, name: str, organisation: str) -> None:
    registration = make_registration(edition, full_name=name, organisation_name=organisation)

    pdf = badges.render_badge_pdf(registration)

    assert pdf.startswith(b"%PDF")
    assert len(page_sizes(pdf)) == 1
    fonts = embedded_fonts(pdf)
    assert any(font.startswith("DejaVu") for font in fonts), fonts
    assert name in badges.render_badge_html(registration)


def test_a_very_long_name_stays_on_one_badge(edition) -> None:
    registration = make_registration(
        edition,
        full_name="Maria Fernanda de los Ángeles Rodríguez-Montenegro y Castellanos",
        organisation_name="International Association of Broadband and Satellite Operators",
    )

    assert 'class="name name-xlong"' in badges.render_badge_html(registration)
    assert len(page_sizes(badges.render_badge_pdf(registration))) == 1
    assert len(page_sizes(badges.render_badge_pdf(registration, "a4"))) == 1


@pytest.mark.parametrize("status", [RegistrationStatus.PENDING, RegistrationStatus.CANCELLED])
def test_only_confirmed_registrations_have_a_badge(edition, status) -> None:
    registration = make_registration(edition, status=status)

    with pytest.raises(NotFound):
        badges.render_badge_pdf(registration)


def test_an_erased_person_has_no_badge(registration) -> None:
    registration.person.erased_at = datetime(2016, 1, 4, tzinfo=UTC)
    db.session.commit()

    with pytest.raises(NotFound):
        badges.render_badge_pdf(registration)
    with pytest.raises(NotFound):
        badges.badge_attachment(registration)


def test_the_mail_attachment(registration) -> None:
    filename, content_type, data = badges.badge_attachment(registration)

    assert filename == f"badge-telecom-world-2015-{registration.id}-v1.pdf"
    assert content_type == "application/pdf"
    assert data.startswith(b"%PDF")
    _assert_size(page_sizes(data)[0], A6_POINTS)
