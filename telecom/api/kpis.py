"""KPI API: GET /api/v1/editions/<slug>/kpis[?as_of=YYYY-MM-DD], for organizers.

Returns `telecom.kpi.engine.EditionKpis.as_dict()`: the edition's slug, the
as-of date (null for "now"), the currency and every Objective 6 KPI, with
money and areas as decimal strings.
"""

from __future__ import annotations

import re
from datetime import date

from flask import jsonify, request
from flask_babel import gettext as _

from telecom.api.auth import api_user, token_required
from telecom.api.views import bp
from telecom.core.errors import ValidationError
from telecom.core.permissions import Role, require_role
from telecom.events.services import get_edition
from telecom.kpi.engine import compute_kpis

# date.fromisoformat also takes "20151012" and week dates; the API promises one form.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_as_of(value: str | None) -> date | None:
    """The `as_of` query parameter as a date (None when absent); ValidationError otherwise."""
    if value is None or value == "":
        return None
    if _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(_("as_of must be a date written YYYY-MM-DD, for example 2015-10-15."))


@bp.route("/editions/<slug>/kpis")
@token_required
def kpis(slug: str):  # type: ignore[no-untyped-def]
    # Forbidden, NotFound and ValidationError become JSON errors (app handlers, path /api/).
    require_role(api_user(), Role.ORGANIZER)
    as_of = parse_as_of(request.args.get("as_of"))
    edition = get_edition(slug)
    return jsonify(compute_kpis(edition, as_of).as_dict())
