"""API v1 endpoints. Later issues add theirs here."""

from __future__ import annotations

from flask import Blueprint, jsonify

from telecom.api.auth import token_required
from telecom.events.models import Edition
from telecom.events.services import list_editions
from telecom.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens are not sent automatically by browsers, so CSRF does not apply.
csrf.exempt(bp)


def edition_json(edition: Edition) -> dict[str, object]:
    return {
        "slug": edition.slug,
        "name": edition.name,
        "city": edition.city,
        "country": edition.country,
        "venue": edition.venue,
        "start_date": edition.start_date.isoformat(),
        "end_date": edition.end_date.isoformat(),
        "timezone": edition.timezone,
        "currency": edition.currency,
    }


@bp.route("/editions")
@token_required
def editions():  # type: ignore[no-untyped-def]
    return jsonify(editions=[edition_json(e) for e in list_editions()])


from telecom.api import checkins, kpis, programme  # noqa: E402, F401  (they register routes on bp)
