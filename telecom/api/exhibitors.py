"""The exhibitor directory as JSON: GET /api/v1/editions/<slug>/exhibitors.

The same exhibitors and the same public fields as the directory page
(/editions/<slug>/exhibitors): organisations with a confirmed or paid booking
and approved co-exhibitors, by name, with country, sector, pavilion, website,
description, logo and booths. Nothing private (turnover band, rate category,
billing or contact details) is given. Any token holder may read it.

Filters, all optional, as on the page: `q` (part of the name), `country`
(ISO 3166 alpha-2), `sector` and `hall` (a hall code); paginated like every
list of the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, request, url_for
from flask_babel import gettext as _

from telecom.api.auth import token_required
from telecom.api.views import bp, page_of_query, page_request, paginated
from telecom.core.countries import is_valid_country
from telecom.core.errors import ValidationError
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.exhibitors.models import Booth, Organisation, Sector
from telecom.exhibitors.services import organisations as directory

MAX_QUERY_LENGTH = 100
CENT = Decimal("0.01")


def _has_control_characters(text: str) -> bool:
    return any(ord(character) < 32 or ord(character) == 127 for character in text)


def directory_filters(edition: Edition) -> directory.DirectoryFilters:
    """The filters of the query string, checked; ValidationError (400) with a clear message."""
    args = request.args
    text = args.get("q", "").strip()
    if len(text) > MAX_QUERY_LENGTH or _has_control_characters(text):
        raise ValidationError(
            _(
                "q must be at most %(max)d characters of text (part of an exhibitor's name).",
                max=MAX_QUERY_LENGTH,
            )
        )
    country = args.get("country", "").strip().upper()
    if country and not is_valid_country(country):
        raise ValidationError(
            _("country must be an ISO 3166 two-letter country code, for example HU.")
        )
    sector = args.get("sector", "").strip()
    if sector and sector not in {choice.value for choice in Sector}:
        raise ValidationError(
            _("sector must be one of: %(sectors)s.", sectors=", ".join(s.value for s in Sector))
        )
    hall = args.get("hall", "").strip()
    if hall and hall not in {h.code for h in directory.edition_halls(edition)}:
        raise ValidationError(
            _("%(edition)s has no hall with the code given in hall.", edition=edition.name)
        )
    return directory.DirectoryFilters(q=text, country=country, sector=sector, hall=hall)


def _booth_json(booth: Booth) -> dict[str, Any]:
    return {
        "code": booth.code,
        "hall": booth.hall.code,
        "hall_name": booth.hall.name,
        "area_sqm": str(Decimal(booth.area).quantize(CENT)),
    }


def exhibitor_json(edition: Edition, organisation: Organisation, booths: list[Booth]) -> dict:
    pavilion = organisation.pavilion
    logo_url = None
    if organisation.logo_file:
        logo_url = url_for(
            "exhibitors.organisation_logo",
            organisation_id=organisation.id,
            v=organisation.logo_file.split(".")[0][:12],
            _external=True,
        )
    return {
        "id": organisation.id,
        "name": organisation.display_name,
        "country": organisation.country,
        "sector": organisation.sector.value,
        "sector_label": str(organisation.sector.label),
        "pavilion_kind": organisation.pavilion_kind.value if organisation.pavilion_kind else None,
        "pavilion": None
        if pavilion is None
        else {"id": pavilion.id, "name": pavilion.display_name},
        "website": organisation.website or None,
        "description": organisation.description,
        "logo_url": logo_url,
        "profile_url": url_for(
            "exhibitors.exhibitor_profile",
            slug=edition.slug,
            organisation_id=organisation.id,
            _external=True,
        ),
        "booths": [_booth_json(booth) for booth in booths],
    }


@bp.route("/editions/<slug>/exhibitors")
@token_required
def edition_exhibitors(slug: str) -> Response:
    edition = get_edition(slug)
    filters = directory_filters(edition)
    wanted = page_request()
    rows, total = page_of_query(directory.directory_query(edition, filters), wanted)
    booths = directory.booths_of(rows)
    return paginated(
        "exhibitors",
        [exhibitor_json(edition, row, booths.get(row.id, [])) for row in rows],
        wanted,
        total,
        edition=edition.slug,
    )
