"""The organizer's payments pages: orders, payments and refunds with filters and
exports, an order's detail with its actions (record a transfer, refund,
cancel, extend the deadline), overdue transfers and the payment settings.

Views stay thin: they parse the form, call one service of
telecom/payments/admin.py, and turn a refusal into a form error or a flash.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecom.core import spreadsheets
from telecom.core.audit import entries_for_object
from telecom.core.errors import ServiceError
from telecom.core.models import utcnow
from telecom.core.pagination import paginate
from telecom.core.web import show_service_error
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.exhibitors.services.settings import settings_for as exhibition_settings_for
from telecom.payments import admin
from telecom.payments.admin_forms import (
    CancelOrderForm,
    DeadlineForm,
    OrderFilterForm,
    PaymentFilterForm,
    PaymentSettingsForm,
    RefundFilterForm,
    RefundForm,
    TransferForm,
)
from telecom.payments.models import Document, Order, OrderState, PaymentState
from telecom.payments.views import organizer_bp

PER_PAGE = 50


def _filter_args() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if key != "page" and value}


def document_url(document: Document) -> str | None:
    """The PDF of an invoice or credit note, when the buyer-side pages provide one."""
    if "payments.document_pdf" not in current_app.view_functions:
        return None
    return url_for("payments.document_pdf", document_id=document.id)


# --------------------------------------------------------------------------- lists and exports


@organizer_bp.route("/orders", endpoint="orders")
def orders(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = OrderFilterForm(request.args)
    page = paginate(admin.orders_query(edition, form.to_filters(), actor=current_user),
                    per_page=PER_PAGE)  # fmt: skip
    return render_template(
        "payments_admin/orders.html",
        edition=edition,
        form=form,
        page=page,
        buyers=admin.buyers_of(page.items),
        providers_of=admin.providers_of,
        filter_args=_filter_args(),
        now=utcnow(),
    )


@organizer_bp.route("/orders.<any(csv, xlsx):kind>", endpoint="export_orders")
def export_orders(slug: str, kind: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    filters = OrderFilterForm(request.args).to_filters()
    headers, rows = admin.order_export_table(edition, filters, actor=current_user)
    return spreadsheets.table_download(headers, rows, f"orders-{edition.slug}", kind)


@organizer_bp.route("/payments", endpoint="payments")
def payments(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = PaymentFilterForm(request.args)
    page = paginate(admin.payments_query(edition, form.to_filters(), actor=current_user),
                    per_page=PER_PAGE)  # fmt: skip
    return render_template(
        "payments_admin/payments.html",
        edition=edition,
        form=form,
        page=page,
        buyers=admin.buyers_of([p.order for p in page.items]),
        recorders=admin.users_by_id([p.recorded_by_id for p in page.items]),
        filter_args=_filter_args(),
    )


@organizer_bp.route("/payments.<any(csv, xlsx):kind>", endpoint="export_payments")
def export_payments(slug: str, kind: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    filters = PaymentFilterForm(request.args).to_filters()
    headers, rows = admin.payment_export_table(edition, filters, actor=current_user)
    return spreadsheets.table_download(headers, rows, f"payments-{edition.slug}", kind)


@organizer_bp.route("/refunds", endpoint="refunds")
def refunds(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = RefundFilterForm(request.args)
    page = paginate(admin.refunds_query(edition, actor=current_user, state=form.to_state()),
                    per_page=PER_PAGE)  # fmt: skip
    return render_template(
        "payments_admin/refunds.html",
        edition=edition,
        form=form,
        page=page,
        buyers=admin.buyers_of([r.order for r in page.items]),
        creators=admin.users_by_id([r.created_by_id for r in page.items]),
    )


@organizer_bp.route("/overdue", endpoint="overdue")
def overdue(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    now = utcnow()
    page = paginate(admin.overdue_query(edition, actor=current_user, now=now), per_page=PER_PAGE)
    return render_template(
        "payments_admin/overdue.html",
        edition=edition,
        page=page,
        buyers=admin.buyers_of(page.items),
        now=now,
    )


# --------------------------------------------------------------------------- one order


def _render_order(  # type: ignore[no-untyped-def]
    edition: Edition,
    order: Order,
    *,
    transfer_form: TransferForm | None = None,
    refund_form: RefundForm | None = None,
    cancel_form: CancelOrderForm | None = None,
    deadline_form: DeadlineForm | None = None,
    status: int = 200,
):
    refundable = [p for p in order.payments if p.refundable > 0]
    if transfer_form is None:
        transfer_form = TransferForm(formdata=None)
        transfer_form.amount.data = order.balance_due or None
        transfer_form.received_on.data = admin.edition_today(edition)
    entries = sorted(
        [
            *entries_for_object("orders", order.id),
            *[e for p in order.payments for e in entries_for_object("payments", p.id)],
            *[e for d in order.documents for e in entries_for_object("documents", d.id)],
        ],
        key=lambda e: (e.created_at, e.id),
        reverse=True,
    )
    return (
        render_template(
            "payments_admin/order.html",
            edition=edition,
            order=order,
            buyer=admin.buyers_of([order])[order.id],
            users=admin.users_by_id(
                [p.recorded_by_id for p in order.payments]
                + [r.created_by_id for r in order.refunds]
            ),
            document_url=document_url,
            transfer_form=transfer_form,
            refund_form=refund_form or RefundForm(refundable, formdata=None),
            cancel_form=cancel_form or CancelOrderForm(formdata=None),
            deadline_form=deadline_form or DeadlineForm(formdata=None),
            refundable=refundable,
            can_record=order.state in (OrderState.OPEN, OrderState.AWAITING_TRANSFER)
            and bool(order.active_lines),
            overdue=order.state == OrderState.AWAITING_TRANSFER
            and order.transfer_due_at is not None
            and order.transfer_due_at < utcnow(),
            entries=entries,
            OrderState=OrderState,
            PaymentState=PaymentState,
        ),
        status,
    )


@organizer_bp.route("/orders/<int:order_id>", endpoint="order")
def order_detail(slug: str, order_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    order = admin.get_edition_order(edition, order_id, actor=current_user)
    return _render_order(edition, order)


def _back(edition: Edition, order_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("payments_admin.order", slug=edition.slug, order_id=order_id))


@organizer_bp.route("/orders/<int:order_id>/transfer", methods=["POST"], endpoint="record_transfer")
def record_transfer(slug: str, order_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    order = admin.get_edition_order(edition, order_id, actor=current_user)
    form = TransferForm()
    if not form.validate_on_submit():
        return _render_order(edition, order, transfer_form=form, status=400)
    try:
        payment = admin.record_transfer(
            order, amount=form.amount.data, received_on=form.received_on.data,
            reference=form.reference.data, actor=current_user,
        )  # fmt: skip
    except admin.FieldError as error:
        show_service_error(form, error, error.field)
        order = admin.get_edition_order(edition, order_id, actor=current_user)
        return _render_order(edition, order, transfer_form=form, status=400)
    except ServiceError as error:
        flash(error.message, "danger")
        return _back(edition, order_id)
    order = payment.order
    if order.state == OrderState.PAID:
        flash(_("Transfer of %(amount)s %(currency)s recorded. Order %(reference)s is paid.",
                amount=payment.amount, currency=payment.currency, reference=order.reference),
              "success")  # fmt: skip
    else:
        flash(_("Transfer of %(amount)s %(currency)s recorded. Still due: %(balance)s.",
                amount=payment.amount, currency=payment.currency, balance=order.balance_due),
              "success")  # fmt: skip
    return _back(edition, order_id)


@organizer_bp.route("/orders/<int:order_id>/refund", methods=["POST"], endpoint="refund")
def refund(slug: str, order_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    order = admin.get_edition_order(edition, order_id, actor=current_user)
    form = RefundForm([p for p in order.payments if p.refundable > 0])
    if not form.validate_on_submit():
        return _render_order(edition, order, refund_form=form, status=400)
    try:
        made = admin.refund_order_payment(
            order, int(form.payment_id.data), form.amount.data, reason=form.reason.data,
            actor=current_user,
        )  # fmt: skip
    except admin.FieldError as error:
        show_service_error(form, error, error.field)
        order = admin.get_edition_order(edition, order_id, actor=current_user)
        return _render_order(edition, order, refund_form=form, status=400)
    except ServiceError as error:
        flash(error.message, "danger")
        return _back(edition, order_id)
    flash(_("Refund of %(amount)s %(currency)s: %(state)s.", amount=made.amount,
            currency=made.currency, state=made.state.label.lower()),
          "success" if made.state.value != "failed" else "danger")  # fmt: skip
    return _back(edition, order_id)


@organizer_bp.route("/orders/<int:order_id>/cancel", methods=["POST"], endpoint="cancel_order")
def cancel_order(slug: str, order_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    order = admin.get_edition_order(edition, order_id, actor=current_user)
    form = CancelOrderForm()
    if not form.validate_on_submit():
        return _render_order(edition, order, cancel_form=form, status=400)
    try:
        outcome = admin.cancel_order(
            order, actor=current_user, reason=form.reason.data, refund=form.refund.data
        )
    except ServiceError as error:
        flash(error.message, "danger")
        return _back(edition, order_id)
    message = _("Order %(reference)s is cancelled; its booths are available again.",
                reference=outcome.order.reference)  # fmt: skip
    if outcome.credit_note is not None:
        message += " " + _("Credit note %(number)s issued.", number=outcome.credit_note.number)
    flash(message, "success")
    for made in outcome.refunds:
        flash(_("Refund of %(amount)s %(currency)s: %(state)s.", amount=made.amount,
                currency=made.currency, state=made.state.label.lower()), "info")  # fmt: skip
    for failure in outcome.failures:
        flash(_("The refund of %(amount)s %(currency)s for payment #%(id)d failed: %(message)s "
                "Refund it again from this page.", amount=failure.amount,
                currency=failure.payment.currency, id=failure.payment.id,
                message=failure.message), "danger")  # fmt: skip
    return _back(edition, order_id)


@organizer_bp.route("/orders/<int:order_id>/deadline", methods=["POST"], endpoint="extend_deadline")
def extend_deadline(slug: str, order_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    order = admin.get_edition_order(edition, order_id, actor=current_user)
    form = DeadlineForm()
    if not form.validate_on_submit():
        return _render_order(edition, order, deadline_form=form, status=400)
    try:
        admin.extend_transfer_deadline(order, form.due.data, actor=current_user)
    except admin.FieldError as error:
        show_service_error(form, error, error.field)
        order = admin.get_edition_order(edition, order_id, actor=current_user)
        return _render_order(edition, order, deadline_form=form, status=400)
    except ServiceError as error:
        flash(error.message, "danger")
        return _back(edition, order_id)
    flash(_("The transfer deadline of order %(reference)s is now %(date)s.",
            reference=order.reference, date=form.due.data.isoformat()), "success")  # fmt: skip
    return _back(edition, order_id)


# --------------------------------------------------------------------------- settings


@organizer_bp.route("/settings", methods=["GET", "POST"], endpoint="settings")
def payment_settings(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = PaymentSettingsForm(settings=admin.payment_settings_of(edition, actor=current_user))
    status = 200
    if form.validate_on_submit():
        try:
            admin.update_payment_settings(edition, form.to_data(), actor=current_user)
        except admin.PaymentSettingsError as error:
            for name, message in error.errors.items():
                form[name].errors = [*form[name].errors, message]
            status = 400
        except ServiceError as error:
            show_service_error(form, error)
            status = error.status_code
        else:
            flash(_("Payment settings saved."), "success")
            return redirect(url_for("payments_admin.settings", slug=edition.slug))
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "payments_admin/settings.html",
            edition=edition,
            form=form,
            hold_minutes=exhibition_settings_for(edition).hold_minutes,
        ),
        status,
    )
