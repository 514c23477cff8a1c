"""Organizer pages of the strategic-plan model.

`overview` shows the objectives with their outputs, expected results and
KPIs, and for each KPI its baseline, targets and value per edition (live from
the KPI engine for Objective 6). `kpi` edits one KPI: the baseline, targets per
year and, for KPIs not bound to the engine, the value per edition. The page's
forms post to the same address and say which they are in a hidden `form`
input. Refusals become messages on the page (status 400), never a 500.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from telecom.core.audit import entries_for_object
from telecom.core.errors import NotFound, ServiceError
from telecom.core.permissions import Role, roles_required
from telecom.core.web import show_service_error
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.plan import services
from telecom.plan.forms import (
    BASELINE,
    REMOVE_TARGET,
    TARGET,
    VALUE,
    BaselineForm,
    RemoveTargetForm,
    TargetForm,
    ValueForm,
    value_prefix,
)
from telecom.plan.models import PlanKpi

organizer_bp = Blueprint("plan_admin", __name__, url_prefix="/organizer/plan")

UNIT_LABELS = {
    "count": _l("number"),
    "sqm": _l("square metres (net)"),
    "currency": _l("edition's currency"),
}
_NUMBER_FORMAT = "#,##0.####"


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every plan page is for organizers; the services check again."""


def show_number(value: Decimal | None, unit: str = "", edition: Edition | None = None) -> str:
    """A value as the reader's locale writes it, with its unit; a dash when there is none."""
    if value is None:
        return "—"
    text = format_decimal(value, format=_NUMBER_FORMAT)
    if unit == "sqm":
        return f"{text} m²"
    if unit == "currency" and edition is not None:
        return f"{text} {edition.currency}"
    return str(text)


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS[unit]) if unit in UNIT_LABELS else unit


@organizer_bp.route("/", endpoint="overview")
def overview() -> ResponseReturnValue:
    plan = services.view_plan(actor=current_user)
    return render_template(
        "plan/overview.html", plan=plan, show_number=show_number, unit_label=unit_label
    )


# --------------------------------------------------------------------------- one KPI


def _kpi_page(
    kpi: PlanKpi,
    *,
    status: int = 200,
    baseline_form: BaselineForm | None = None,
    target_form: TargetForm | None = None,
    posted_value_form: tuple[int, ValueForm] | None = None,
) -> ResponseReturnValue:
    values = services.kpi_values(kpi, actor=current_user)
    value_forms: dict[int, ValueForm] = {}
    if kpi.engine_key is None:
        for entry in values:
            if posted_value_form is not None and posted_value_form[0] == entry.edition.id:
                value_forms[entry.edition.id] = posted_value_form[1]
            else:
                value_forms[entry.edition.id] = ValueForm(
                    formdata=None,
                    prefix=value_prefix(entry.edition.id),
                    data={"value": entry.value, "note": entry.note},
                )
    if baseline_form is None:
        baseline_form = BaselineForm(
            formdata=None, data={"baseline": kpi.baseline, "baseline_note": kpi.baseline_note}
        )
    year = request.args.get("year", type=int)
    if target_form is None:
        chosen = next((target for target in kpi.targets if target.year == year), None)
        target_form = TargetForm(
            formdata=None,
            data={}
            if chosen is None
            else {"year": chosen.year, "value": chosen.value, "note": chosen.note},
        )
    return render_template(
        "plan/kpi.html",
        kpi=kpi,
        objective=kpi.objective,
        values=values,
        value_forms=value_forms,
        baseline_form=baseline_form,
        target_form=target_form,
        has_history=bool(entries_for_object("plan_kpis", kpi.id)),
        show_number=show_number,
        unit_label=unit_label,
        forms={"baseline": BASELINE, "target": TARGET, "remove": REMOVE_TARGET, "value": VALUE},
    ), status


def _back(kpi: PlanKpi, anchor: str) -> ResponseReturnValue:
    return redirect(url_for("plan_admin.kpi", kpi_id=kpi.id, _anchor=anchor))


@organizer_bp.route("/kpis/<int:kpi_id>", methods=["GET", "POST"], endpoint="kpi")
def kpi(kpi_id: int) -> ResponseReturnValue:
    kpi = services.get_kpi(kpi_id, actor=current_user)
    if request.method == "GET":
        return _kpi_page(kpi)
    handlers = {
        BASELINE: _post_baseline,
        TARGET: _post_target,
        REMOVE_TARGET: _post_remove_target,
        VALUE: _post_value,
    }
    handler = handlers.get(request.form.get("form", ""))
    if handler is None:
        flash(_("The page sent an unknown form. Reload the page and try again."), "danger")
        return _kpi_page(kpi, status=400)
    return handler(kpi)


def _post_baseline(kpi: PlanKpi) -> ResponseReturnValue:
    form = BaselineForm()
    if not form.validate_on_submit():
        return _kpi_page(kpi, status=400, baseline_form=form)
    try:
        services.update_baseline(
            kpi, form.baseline.data, form.baseline_note.data, actor=current_user
        )
    except NotFound:
        raise
    except ServiceError as error:
        show_service_error(form, error, "baseline")
        return _kpi_page(kpi, status=error.status_code, baseline_form=form)
    flash(_("Baseline saved."), "success")
    return _back(kpi, "baseline")


def _post_target(kpi: PlanKpi) -> ResponseReturnValue:
    form = TargetForm()
    if not form.validate_on_submit():
        return _kpi_page(kpi, status=400, target_form=form)
    year: int = form.year.data  # type: ignore[assignment]
    try:
        services.set_target(kpi, year, form.value.data, form.note.data, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        show_service_error(form, error, "value")
        return _kpi_page(kpi, status=error.status_code, target_form=form)
    flash(_("Target for %(year)d saved.", year=year), "success")
    return _back(kpi, "targets")


def _post_remove_target(kpi: PlanKpi) -> ResponseReturnValue:
    form = RemoveTargetForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "danger")
        return _kpi_page(kpi, status=400)
    year: int = form.year.data  # type: ignore[assignment]
    try:
        services.remove_target(kpi, year, actor=current_user)
    except ServiceError as error:
        show_service_error(None, error)
        return _kpi_page(kpi, status=error.status_code)
    flash(_("Target for %(year)d removed.", year=year), "success")
    return _back(kpi, "targets")


def _post_value(kpi: PlanKpi) -> ResponseReturnValue:
    try:
        services.require_entered_kpi(kpi)
    except ServiceError as error:
        show_service_error(None, error)
        return _kpi_page(kpi, status=error.status_code)
    edition = _edition_of_value(request.form.get("edition", ""))
    if edition is None:
        flash(_("That edition does not exist (any more). Reload the page."), "danger")
        return _kpi_page(kpi, status=400)
    form = ValueForm(prefix=value_prefix(edition.id))
    posted = (edition.id, form)
    if not form.validate_on_submit():
        return _kpi_page(kpi, status=400, posted_value_form=posted)
    try:
        services.set_value(kpi, edition, form.value.data, form.note.data, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        show_service_error(form, error, "value")
        return _kpi_page(kpi, status=error.status_code, posted_value_form=posted)
    flash(_("Value for %(edition)s saved.", edition=edition.name), "success")
    return _back(kpi, f"value-{edition.slug}")


def _edition_of_value(slug: str) -> Edition | None:
    try:
        return get_edition(slug)
    except NotFound:
        return None
