"""KPI API: GET /api/v1/editions/<slug>/kpis, for organizers.

Query parameters:

- `as_of=YYYY-MM-DD`: the figures at the end of that day.
- `format=json|csv|xlsx|pdf` (default json): json answers
  `telecom.kpi.engine.EditionKpis.as_dict()` — the edition's slug, the as-of
  date (null for "now"), the currency and every Objective 6 KPI, with money and
  areas as decimal strings; csv, xlsx and pdf answer the same file as the
  dashboard's export (an attachment, telecom/kpi/exports.py).
- `compare=<slug>`: adds another edition; the JSON gains a "comparison" key
  (shape in telecom/kpi/exports.py), the files its figures.

A bad format, date or edition to compare with is a JSON 400 error.
"""

from __future__ import annotations

from flask import jsonify, request

from telecom.api.auth import api_user, token_required
from telecom.api.views import bp
from telecom.core import spreadsheets
from telecom.core.permissions import Role, require_role
from telecom.kpi import exports

# Kept importable from here: other API modules and tests parse dates the same way.
parse_as_of = exports.parse_as_of


@bp.route("/editions/<slug>/kpis")
@token_required
def kpis(slug: str):  # type: ignore[no-untyped-def]
    # Forbidden, NotFound and ValidationError become JSON errors (app handlers, path /api/).
    # Who asks is checked first, so a non-organizer learns nothing from a 400 or a 404.
    require_role(api_user(), Role.ORGANIZER)
    fmt = exports.parse_format(request.args.get("format") or "json")
    as_of = exports.parse_as_of(request.args.get("as_of"))
    report = exports.report_for(
        api_user(), slug, compare_with=request.args.get("compare") or None, as_of=as_of
    )
    if fmt == "json":
        return jsonify(exports.json_document(report))
    kpi_file = exports.export_file(report, fmt)
    return spreadsheets.download(kpi_file.data, kpi_file.filename, kpi_file.mimetype)
