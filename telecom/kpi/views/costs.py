"""Organizer pages of an edition's costs and sponsorship deals (the financial-result KPI).

Costs: the list with totals by category, a form to add a line, edit and
delete, and a CSV import (telecom/kpi/costs.py). Sponsorships: the deals
recorded as orders, and a form to record one (telecom/payments/sponsorship.py);
a deal is then paid through the organizer's payments pages. Views parse the
forms, call one service and turn a refusal into messages beside the fields.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField

from telecom.core.csv_import import ImportRejected
from telecom.core.errors import NotFound, ServiceError
from telecom.core.forms import strip_whitespace
from telecom.core.web import show_service_error
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.kpi import costs as cost_services
from telecom.kpi.models import COST_CATEGORY_LABELS, CostLine
from telecom.kpi.views import organizer_bp
from telecom.payments import sponsorship

# --------------------------------------------------------------------------- forms


class CostForm(FlaskForm):
    """What was typed; the service checks every value and says what is wrong."""

    category = SelectField(_l("Category"), validate_choice=False)
    amount = StringField(_l("Amount"), filters=[strip_whitespace],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})  # fmt: skip
    incurred_on = StringField(_l("Date incurred"), filters=[strip_whitespace],
                              render_kw={"type": "date"})  # fmt: skip
    note = StringField(_l("Note"), filters=[strip_whitespace],
                       render_kw={"maxlength": cost_services.NOTE_LENGTH})  # fmt: skip

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _("Choose…"))] + [
            (category.value, str(label)) for category, label in COST_CATEGORY_LABELS.items()
        ]
        self.amount.label.text = _("Amount (%(currency)s, before tax)", currency=currency)

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in cost_services.COST_FIELDS}


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file to import."))],
        render_kw={"accept": ".csv,text/csv"},
    )


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (delete)."""


class SponsorshipForm(FlaskForm):
    organisation = SelectField(_l("Organisation"), validate_choice=False)
    amount = StringField(_l("Amount"), filters=[strip_whitespace],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})  # fmt: skip
    description = StringField(
        _l("Description"),
        filters=[strip_whitespace],
        description=_l("Printed on the invoice, for example “Gold sponsor”."),
        render_kw={"maxlength": sponsorship.DESCRIPTION_LENGTH},
    )

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation.choices = [("", _("Choose…"))] + [
            (str(o.id), o.display_name)
            for o in sponsorship.sponsor_choices(edition, actor=current_user)
        ]
        self.amount.label.text = _("Amount (%(currency)s, before tax)", currency=edition.currency)


# --------------------------------------------------------------------------- costs


def _nav_context(edition: Edition) -> dict[str, Any]:
    return {
        "edition": edition,
        # The dashboard is another part of the KPI pages; link to it once it exists.
        "has_dashboard": "kpi_admin.dashboard" in current_app.view_functions,
    }


def _costs_page(
    edition: Edition,
    *,
    form: CostForm | None = None,
    import_form: ImportForm | None = None,
    rejected: ImportRejected | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "kpi_costs/costs.html",
        lines=cost_services.list_costs(edition, actor=current_user),
        totals=cost_services.cost_totals(edition, actor=current_user),
        labels=COST_CATEGORY_LABELS,
        form=form or CostForm(formdata=None, currency=edition.currency),
        import_form=import_form or ImportForm(formdata=None),
        action_form=ActionForm(),
        rejected=rejected,
        columns=",".join(cost_services.IMPORT_COLUMNS),
        limit_kb=cost_services.MAX_IMPORT_BYTES // 1024,
        **_nav_context(edition),
    ), status


def _show_cost_errors(form: CostForm, error: ServiceError) -> None:
    if isinstance(error, cost_services.CostInvalid):
        for name, message in error.errors.items():
            form[name].errors = [*form[name].errors, message]
    else:
        show_service_error(form, error)


@organizer_bp.route("/costs", methods=["GET", "POST"], endpoint="costs")
def costs(slug: str) -> ResponseReturnValue:
    """The cost lines with totals by category, and the form to add one."""
    edition = get_edition(slug)
    form = CostForm(currency=edition.currency)
    if not form.is_submitted():
        return _costs_page(edition)
    if not form.validate_on_submit():
        return _costs_page(edition, form=form, status=400)
    try:
        line = cost_services.add_cost(edition, **form.values(), actor=current_user)
    except ServiceError as error:
        _show_cost_errors(form, error)
        return _costs_page(edition, form=form, status=error.status_code)
    flash(
        _("Cost of %(amount)s %(currency)s added.", amount=line.amount, currency=edition.currency),
        "success",
    )
    return redirect(url_for("kpi_admin.costs", slug=slug))


@organizer_bp.route("/costs/<int:cost_id>", methods=["GET", "POST"], endpoint="edit_cost")
def edit_cost(slug: str, cost_id: int) -> ResponseReturnValue:
    edition = get_edition(slug)
    line: CostLine = cost_services.get_cost(edition, cost_id, actor=current_user)
    status = 200
    form = CostForm(currency=edition.currency)
    if not form.is_submitted():
        form = CostForm(
            formdata=None, data=cost_services.cost_data(line), currency=edition.currency
        )
    elif not form.validate_on_submit():
        status = 400
    else:
        try:
            cost_services.update_cost(line, **form.values(), actor=current_user)
        except NotFound:
            raise
        except ServiceError as error:
            _show_cost_errors(form, error)
            status = error.status_code
            # The refused values stay on the form; the line keeps what was saved.
            line = cost_services.get_cost(edition, cost_id, actor=current_user)
        else:
            flash(_("Cost line saved."), "success")
            return redirect(url_for("kpi_admin.costs", slug=slug))
    return render_template(
        "kpi_costs/cost_form.html", line=line, form=form, action_form=ActionForm(),
        **_nav_context(edition),
    ), status  # fmt: skip


@organizer_bp.route("/costs/<int:cost_id>/delete", methods=["POST"], endpoint="delete_cost")
def delete_cost(slug: str, cost_id: int) -> ResponseReturnValue:
    edition = get_edition(slug)
    line = cost_services.get_cost(edition, cost_id, actor=current_user)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
    else:
        amount, category = line.amount, line.category.label
        cost_services.delete_cost(line, actor=current_user)
        flash(
            _("Cost of %(amount)s %(currency)s (%(category)s) deleted.", amount=amount,
              currency=edition.currency, category=category),
            "success",
        )  # fmt: skip
    return redirect(url_for("kpi_admin.costs", slug=slug))


@organizer_bp.route("/costs/import", methods=["POST"], endpoint="cost_import")
def cost_import(slug: str) -> ResponseReturnValue:
    edition = get_edition(slug)
    form = ImportForm()
    if not form.validate_on_submit():
        return _costs_page(edition, import_form=form, status=400)
    data = form.file.data.read(cost_services.MAX_IMPORT_BYTES + 1)
    try:
        count = cost_services.import_costs(edition, data, actor=current_user)
    except ImportRejected as rejected:
        return _costs_page(edition, import_form=form, rejected=rejected, status=400)
    except ServiceError as error:
        form.file.errors = [*form.file.errors, error.message]
        return _costs_page(edition, import_form=form, status=error.status_code)
    flash(ngettext("%(num)d cost line imported.", "%(num)d cost lines imported.", count),
          "success")  # fmt: skip
    return redirect(url_for("kpi_admin.costs", slug=slug))


# --------------------------------------------------------------------------- sponsorships


@organizer_bp.route("/sponsorships", methods=["GET", "POST"], endpoint="sponsorships")
def sponsorships(slug: str) -> ResponseReturnValue:
    """The edition's sponsorship deals (orders), and the form to record one."""
    edition = get_edition(slug)
    form = SponsorshipForm(edition=edition)
    status = 200
    if form.is_submitted():
        if not form.validate_on_submit():
            status = 400
        else:
            organisation = form.organisation.data or ""
            try:
                order = sponsorship.record_sponsorship(
                    edition,
                    organisation_id=int(organisation) if organisation.isdigit() else None,
                    amount=form.amount.data or "", description=form.description.data or "",
                    actor=current_user,
                )  # fmt: skip
            except ServiceError as error:
                show_service_error(form, error, getattr(error, "field", None))
                status = error.status_code
            else:
                flash(
                    _("Sponsorship recorded: order %(reference)s is invoiced and awaits the "
                      "sponsor's transfer.", reference=order.reference),
                    "success",
                )  # fmt: skip
                return redirect(url_for("kpi_admin.sponsorships", slug=slug))
    return render_template(
        "kpi_costs/sponsorships.html",
        orders=sponsorship.sponsorship_orders(edition, actor=current_user),
        names={
            o.id: o.display_name for o in sponsorship.sponsor_choices(edition, actor=current_user)
        },
        form=form,
        **_nav_context(edition),
    ), status
