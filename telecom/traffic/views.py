"""Organizer pages of the web-traffic figures: daily counts, top pages, CSV import.

Every page is for organizers (the blueprint's before_request); the services
in telecom/traffic/services.py check the role again.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from telecom.core.csv_import import ImportRejected
from telecom.core.errors import ServiceError, ValidationError
from telecom.core.pagination import paginate
from telecom.core.permissions import Role, roles_required
from telecom.traffic import services
from telecom.traffic.forms import TrafficImportForm

organizer_bp = Blueprint("traffic_admin", __name__, url_prefix="/organizer/traffic")

PER_PAGE = 31


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every traffic page is for organizers; the services check again."""


def _overview_page(
    window: services.Window,
    *,
    form: TrafficImportForm | None = None,
    rejected: ImportRejected | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "traffic_admin/overview.html",
        window=window,
        totals=services.window_totals(window, actor=current_user),
        days=paginate(services.days_query(window, actor=current_user), per_page=PER_PAGE),
        pages=services.top_pages(window, actor=current_user),
        campaigns=services.campaign_windows(actor=current_user),
        form=form or TrafficImportForm(formdata=None),
        rejected=rejected,
        columns=",".join(services.IMPORT_COLUMNS),
        limit_kb=services.MAX_IMPORT_BYTES // 1024,
    ), status


def _window_from_query() -> tuple[services.Window, int]:
    try:
        return services.parse_window(request.args.get("from"), request.args.get("to")), 200
    except ValidationError as error:
        flash(error.message, "danger")
        return services.default_window(), 400


@organizer_bp.route("/", endpoint="overview")
def overview() -> ResponseReturnValue:
    """Daily page views and unique visitors over a window, the top pages, the import form."""
    window, status = _window_from_query()
    return _overview_page(window, status=status)


@organizer_bp.route("/import", methods=["POST"], endpoint="import_csv")
def import_csv() -> ResponseReturnValue:
    form = TrafficImportForm()
    window = services.default_window()
    if not form.validate_on_submit():
        return _overview_page(window, form=form, status=400)
    data = form.file.data.read(services.MAX_IMPORT_BYTES + 1)
    try:
        result = services.import_traffic(data, replace=bool(form.replace.data), actor=current_user)
    except ImportRejected as rejected:
        return _overview_page(window, form=form, rejected=rejected, status=400)
    except ServiceError as error:
        form.file.errors = [*form.file.errors, error.message]
        return _overview_page(window, form=form, status=error.status_code)
    flash(
        ngettext(
            "%(num)d day imported (%(first)s to %(last)s).",
            "%(num)d days imported (%(first)s to %(last)s).",
            result.created + result.replaced,
            first=result.first_day.isoformat(),
            last=result.last_day.isoformat(),
        )
        + (
            " " + _("%(count)d of them replaced earlier figures.", count=result.replaced)
            if result.replaced
            else ""
        ),
        "success",
    )
    args: dict[str, Any] = {"from": result.first_day.isoformat(), "to": result.last_day.isoformat()}
    if (result.last_day - result.first_day).days + 1 > services.MAX_WINDOW_DAYS:
        args = {}
    return redirect(url_for("traffic_admin.overview", **args))
