"""Applying money to orders: the one place where an order becomes paid.

Card and bank-transfer payments both end here, inside the caller's
transaction, with the payment row already locked by the caller:
`complete_payment()` moves a pending payment to succeeded exactly once, books
the order's booths, issues the invoice and queues one receipt. A card payment
that arrives after a hold ran out books the booth again if it is still free;
what cannot be delivered any more is returned as the amount to refund, which
the caller refunds through the provider.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
from telecom.events.models import Edition
from telecom.exhibitors.models import BoothBooking, Organisation
from telecom.extensions import db
from telecom.payments import documents
from telecom.payments.models import (
    ZERO,
    Order,
    OrderLine,
    OrderLineKind,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
)

ORDER_AUDIT_FIELDS = ("state", "transfer_due_at", "paid_at", "cancelled_at")
PAYMENT_AUDIT_FIELDS = (
    "provider", "state", "amount", "currency", "stripe_payment_intent_id", "reference",
    "received_on", "failure_message",
)  # fmt: skip


def lock_order(order_id: int) -> Order:
    order = db.session.scalar(
        select(Order).where(Order.id == order_id).with_for_update()
        .execution_options(populate_existing=True)
    )  # fmt: skip
    assert order is not None
    return order


def lock_payment(payment_id: int) -> Payment:
    payment = db.session.scalar(
        select(Payment).where(Payment.id == payment_id).with_for_update()
        .execution_options(populate_existing=True)
    )  # fmt: skip
    assert payment is not None
    return payment


def order_recipients(order: Order) -> list[tuple[str, str | None]]:
    """(e-mail, locale) of whoever should hear about the order."""
    from telecom.exhibitors.services.access import recipients

    if order.organisation_id is not None:
        organisation = db.session.get(Organisation, order.organisation_id)
        if organisation is not None:
            return recipients(organisation)
    buyer = db.session.get(User, order.buyer_id) if order.buyer_id else None
    return [(buyer.email, buyer.locale)] if buyer is not None else []


def order_url(order: Order) -> str | None:
    """The buyer's order page as an absolute link, when one can be built (see bookings_url)."""
    try:
        return url_for("payments.order", order_id=order.id, _external=True)
    except RuntimeError:
        return None


def notify(order: Order, subject: object, template: str, **extra: object) -> None:
    """Mail everyone who follows the order, each in their language."""
    edition = db.session.get(Edition, order.edition_id)
    context = {"order": order, "edition": edition, "order_url": order_url(order), **extra}
    for email, locale in order_recipients(order):
        queue_mail(email, subject, template, locale=locale, **context)


def set_order_state(
    order: Order, state: OrderState, *, actor: User | None, now: datetime | None = None,
    reason: str = "",
) -> None:  # fmt: skip
    """Every order state change goes through here (and is audited)."""
    if order.state == state:
        return
    now = now or utcnow()
    before = audit.snapshot(order, ORDER_AUDIT_FIELDS)
    order.state = state
    if state == OrderState.PAID:
        order.paid_at = now
    elif state == OrderState.CANCELLED:
        order.cancelled_at = now
    after = audit.snapshot(order, ORDER_AUDIT_FIELDS)
    if reason:
        after["reason"] = reason
    audit.record(state.value, order, actor=actor, edition_id=order.edition_id,
                 before=before, after=after)  # fmt: skip


def _booking_of(line: OrderLine) -> BoothBooking | None:
    if line.booth_booking_id is None:
        return None
    return db.session.get(BoothBooking, line.booth_booking_id)


def _covered_lines(order: Order, payment: Payment) -> list[OrderLine]:
    """The lines a card payment was made for: those active when it started."""
    return [
        line
        for line in order.lines
        if line.created_at <= payment.created_at
        and (line.cancelled_at is None or line.cancelled_at > payment.created_at)
    ]


def _revive_lines(order: Order, payment: Payment, *, actor: User | None) -> None:
    """Book again, when still free, the booths whose holds ended during the payment."""
    from telecom.exhibitors.services.booking import secure_for_payment
    from telecom.payments.services import LINE_FIELDS

    for line in _covered_lines(order, payment):
        if line.cancelled_at is None:
            continue
        booking = _booking_of(line)
        if booking is None or not secure_for_payment(booking, actor=actor):
            continue
        before = audit.snapshot(line, LINE_FIELDS)
        line.cancelled_at = None
        audit.record(
            "revive_line", order, actor=actor, edition_id=order.edition_id,
            before=before, after=audit.snapshot(line, LINE_FIELDS),
        )  # fmt: skip


def _confirm_pass(line: OrderLine, *, actor: User | None, now: datetime | None) -> bool:
    """Confirm the line's registration (its badge is mailed); False when it was cancelled."""
    from telecom.participants.models import Registration
    from telecom.participants.services.registration import confirm_paid

    registration = (
        db.session.get(Registration, line.registration_id) if line.registration_id else None
    )
    if registration is None or registration.order_id != line.order_id:
        # Cancelled and registered again since: the new registration has its own order.
        return False
    return confirm_paid(registration, actor=actor, now=now)


def settle_if_paid(order: Order, *, actor: User | None, now: datetime | None = None) -> bool:
    """Mark the order paid once what it received covers its total; True if it just became paid.

    Its booths become paid bookings, its visitor passes confirmed (badges
    mailed), and the invoice is issued (a bank-transfer order already has one).
    A pass whose registration was cancelled meanwhile ends its line. A booth
    that can no longer be had (a transfer that came after the deadline, when
    someone else booked it) leaves its line cancelled; the overpayment shows
    on the order for the organizer.
    """
    from telecom.exhibitors.services.booking import secure_for_payment

    if order.state not in (OrderState.OPEN, OrderState.AWAITING_TRANSFER):
        return False
    if not order.active_lines or order.net_received < order.gross_total:
        return False
    from telecom.payments.services import end_line

    for line in order.active_lines:
        booking = _booking_of(line)
        if booking is not None and not secure_for_payment(booking, actor=actor, now=now):
            end_line(line, actor=actor)
    for line in order.active_lines:
        if line.kind == OrderLineKind.PASS and not _confirm_pass(line, actor=actor, now=now):
            # Cancelled while the money was on its way: nothing to deliver. For
            # a card payment complete_payment refunds what is now overpaid.
            end_line(line, actor=actor)
    if not order.active_lines:
        return False
    set_order_state(order, OrderState.PAID, actor=actor, now=now)
    documents.issue_invoice(order, actor=actor, paid=True)
    return True


def complete_payment(payment: Payment, *, actor: User | None) -> Decimal:
    """A pending payment succeeded (the caller locked it). Returns what must be refunded.

    Idempotent: a payment that is no longer pending changes nothing and
    returns zero, so a repeated webhook, or the webhook racing the buyer's
    return, ends in one payment, one booking and one e-mail.
    """
    if payment.state != PaymentState.PENDING:
        return ZERO
    now = utcnow()
    before = audit.snapshot(payment, PAYMENT_AUDIT_FIELDS)
    payment.state = PaymentState.SUCCEEDED
    payment.settled_at = now
    audit.record("succeed", payment, actor=actor, edition_id=payment.edition_id,
                 before=before, after=audit.snapshot(payment, PAYMENT_AUDIT_FIELDS))  # fmt: skip
    order = lock_order(payment.order_id)
    if payment.provider == PaymentProvider.CARD:
        _revive_lines(order, payment, actor=actor)
        if order.state == OrderState.CANCELLED and order.active_lines:
            # Every hold had ended, yet some booths were still free: the order lives again.
            set_order_state(order, OrderState.OPEN, actor=actor, now=now,
                            reason="paid after its holds ended")  # fmt: skip
    became_paid = settle_if_paid(order, actor=actor, now=now)
    refund_due = ZERO
    if payment.provider == PaymentProvider.CARD:
        covered = order.gross_total if order.state != OrderState.CANCELLED else ZERO
        refund_due = min(max(order.net_received - covered, ZERO), payment.refundable)
    notify(
        order,
        _l("Payment received for order %(reference)s", reference=order.reference),
        "payment_received.txt",
        payment=payment,
        became_paid=became_paid,
        refund_due=refund_due,
    )
    return refund_due


def fail_payment(payment: Payment, message: str, *, actor: User | None) -> bool:
    """A pending payment failed (the caller locked it); True if this call recorded it."""
    if payment.state != PaymentState.PENDING:
        return False
    before = audit.snapshot(payment, PAYMENT_AUDIT_FIELDS)
    payment.state = PaymentState.FAILED
    payment.settled_at = utcnow()
    payment.failure_message = message[:500]
    audit.record("fail", payment, actor=actor, edition_id=payment.edition_id,
                 before=before, after=audit.snapshot(payment, PAYMENT_AUDIT_FIELDS))  # fmt: skip
    return True
