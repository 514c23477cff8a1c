"""GET /organizer/editions/<slug>/kpis/export.<fmt>: the KPI report as a download.

fmt is csv, xlsx, json or pdf; `compare=<slug>` adds another edition, `as_of=YYYY-MM-DD`
takes the figures at the end of that day (telecom/kpi/exports.py explains both).
A bad date or an unknown edition to compare with sends the organizer back to
the dashboard with the reason. Exports are reads: no audit entry.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecom.core import spreadsheets
from telecom.core.errors import ValidationError
from telecom.events.services import get_edition
from telecom.kpi import exports
from telecom.kpi.views import organizer_bp

DASHBOARD = "kpi_admin.dashboard"


@organizer_bp.route("/export.<fmt>")
def export(slug: str, fmt: str):  # type: ignore[no-untyped-def]
    if fmt not in exports.FORMATS:
        abort(404)
    get_edition(slug)  # an unknown edition is a 404, whatever else is wrong
    try:
        as_of = exports.parse_as_of(request.args.get("as_of"))
        report = exports.report_for(
            current_user, slug, compare_with=request.args.get("compare") or None, as_of=as_of
        )
    except ValidationError as error:
        return _refused(slug, error)
    kpi_file = exports.export_file(report, fmt)
    return spreadsheets.download(kpi_file.data, kpi_file.filename, kpi_file.mimetype)


def _refused(slug: str, error: ValidationError):  # type: ignore[no-untyped-def]
    """Back to the dashboard with the reason (a 400 page while there is no dashboard)."""
    if DASHBOARD in current_app.view_functions:
        flash(error.message, "danger")
        return redirect(url_for(DASHBOARD, slug=slug))
    page = render_template(
        "errors/error.html", status=400, title=_("The export was refused"), message=error.message
    )
    return page, 400
