"""The buyer's side: the order page, "my orders", bank transfer, document downloads.

Views stay thin: access.* fetches what the user may see (404 otherwise), one
service acts, and a refusal (ServiceError) becomes a flash message.
"""

from __future__ import annotations

from math import ceil

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from telecom.core.errors import ServiceError
from telecom.core.models import utcnow
from telecom.core.templating import format_timestamp
from telecom.events.models import Edition
from telecom.exhibitors.models import BookingState, BoothBooking
from telecom.extensions import db
from telecom.payments import access, card, transfer
from telecom.payments.forms import BankTransferForm
from telecom.payments.models import ZERO, Order, OrderLine, OrderState
from telecom.payments.settings import settings_for
from telecom.payments.views import bp


def _minutes_left(held_until, now) -> int:  # type: ignore[no-untyped-def]
    return max(0, ceil((held_until - now).total_seconds() / 60))


def _holds(order: Order) -> list[tuple[OrderLine, BoothBooking | None]]:
    """Each active booth line with its booking, to show how long the booth is held."""
    pairs = []
    for line in order.active_lines:
        booking = (
            db.session.get(BoothBooking, line.booth_booking_id) if line.booth_booking_id else None
        )
        pairs.append((line, booking))
    return pairs


def _release_expired(order: Order) -> None:
    """Release the edition's holds that ran out, so the page shows what is really held.

    The same read-time release the bookings page does; each release is its
    own transaction and ends the order line of the hold.
    """
    from telecom.exhibitors.services.booking import release_expired

    if order.state in (OrderState.OPEN, OrderState.AWAITING_TRANSFER):
        release_expired(edition_id=order.edition_id)
        db.session.expire_all()


@bp.route("/orders/<int:order_id>")
@login_required
def order(order_id: int):  # type: ignore[no-untyped-def]
    found = access.get_order(order_id, actor=current_user)
    _release_expired(found)
    found = access.get_order(order_id, actor=current_user)
    edition = db.session.get(Edition, found.edition_id)
    settings = settings_for(found.edition_id)
    payable = (
        found.state == OrderState.OPEN and bool(found.active_lines) and found.balance_due > ZERO
    )
    is_buyer = access.is_buyer(current_user, found)
    card_on = card.card_enabled()
    return render_template(
        "payments/order.html",
        order=found,
        edition=edition,
        card_enabled=card_on,
        show_card=card_on and payable and is_buyer,
        show_transfer=transfer.bank_transfer_offered(settings) and payable and is_buyer,
        transfer_days=settings.transfer_days,
        transfer_form=BankTransferForm(),
        holds=_holds(found),
        now=utcnow(),
        minutes_left=_minutes_left,
        HELD=BookingState.HELD,
        AWAITING_TRANSFER=OrderState.AWAITING_TRANSFER,
    )


@bp.route("/orders/<int:order_id>/bank-transfer", methods=["POST"])
@login_required
def choose_bank_transfer(order_id: int):  # type: ignore[no-untyped-def]
    found = access.get_buyer_order(order_id, actor=current_user)
    back = url_for("payments.order", order_id=found.id)
    if not BankTransferForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    # A hold that ran out must not be invoiced: release those first (the
    # service refuses any it still finds).
    _release_expired(found)
    found = access.get_buyer_order(order_id, actor=current_user)
    if card.card_enabled():
        # Learn how earlier card attempts ended: one that went through has paid the order.
        card.settle_pending_attempts(found)
        found = access.get_buyer_order(order_id, actor=current_user)
    try:
        chosen = transfer.choose_bank_transfer(found, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(back)
    edition = db.session.get(Edition, chosen.edition_id)
    assert edition is not None and chosen.invoice is not None
    values = {
        "number": chosen.invoice.number,
        "time": format_timestamp(chosen.transfer_due_at, edition.timezone),
        "zone": edition.timezone,
        "reference": chosen.reference,
    }
    if chosen.has_booths:
        message = _(
            "Invoice %(number)s is on its way to you by e-mail. Please pay it by bank transfer "
            "by %(time)s (%(zone)s), quoting the reference %(reference)s; your booths stay "
            "reserved until then.",
            **values,
        )
    else:
        message = _(
            "Invoice %(number)s is on its way to you by e-mail. Please pay it by bank transfer "
            "by %(time)s (%(zone)s), quoting the reference %(reference)s.",
            **values,
        )
    flash(message, "success")
    return redirect(back)


@bp.route("/account/orders")
@login_required
def my_orders():  # type: ignore[no-untyped-def]
    orders = access.buyer_orders(current_user)
    editions = {
        e.id: e
        for e in db.session.scalars(
            select(Edition).where(Edition.id.in_({o.edition_id for o in orders}))
        )
    }
    return render_template("payments/my_orders.html", orders=orders, editions=editions)


@bp.route("/documents/<int:document_id>.pdf")
@login_required
def document_pdf(document_id: int):  # type: ignore[no-untyped-def]
    from telecom.payments.pdf import render_document_pdf  # WeasyPrint loads on first use

    document = access.get_document(document_id, actor=current_user)
    response = Response(render_document_pdf(document), mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=f"{document.number}.pdf")
    # Someone's invoice: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
