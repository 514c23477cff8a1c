"""Refunds: money back against one payment.

A card refund goes through Stripe's Refund API. Its row is written (pending,
with the idempotency key) and committed before Stripe is called, so a crash
or a lost answer leaves a trace and a retry with the same key can never
refund twice; the outcome is recorded afterwards. A bank-transfer refund is
money the organizer already sent back by hand: it is recorded as succeeded
at once. A succeeded refund gets its credit note (when the order was
invoiced), an audit entry and a mail to the buyer.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Forbidden, ValidationError
from telecom.core.models import utcnow
from telecom.core.money import Money, quantize
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.payments import documents, gateway, settlement
from telecom.payments.models import (
    ZERO,
    Order,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
    Refund,
    RefundState,
)

REFUND_AUDIT_FIELDS = (
    "state", "amount", "currency", "stripe_refund_id", "reason", "automatic",
    "failure_message", "credit_note_id", "payment_id",
)  # fmt: skip


def _check_allowed(actor: User | None, automatic: bool) -> None:
    if actor is None:
        if not automatic:
            raise Forbidden(_("Only organizers can refund payments."))
        return
    if not actor.has_role(Role.ORGANIZER):
        raise Forbidden(_("Only organizers can refund payments."))


def _refunded_so_far(payment_id: int) -> Decimal:
    """Refunds made or under way, read under the payment's lock (not from a stale collection)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.payment_id == payment_id, Refund.state != RefundState.FAILED
        )
    )
    return Decimal(str(total or 0))


def _validated_amount(payment: Payment, amount: Decimal) -> Decimal:
    try:
        value = quantize(Decimal(amount), payment.currency)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(_("Enter the amount to refund.")) from None
    if not value.is_finite() or value <= ZERO:
        raise ValidationError(_("The amount to refund must be more than zero."))
    if payment.state != PaymentState.SUCCEEDED:
        raise ValidationError(_("Only a payment that succeeded can be refunded."))
    refundable = payment.amount - _refunded_so_far(payment.id)
    if value > refundable:
        raise ValidationError(
            _(
                "You cannot refund more than was paid: at most %(amount)s is left "
                "to refund on this payment.",
                amount=str(Money(max(refundable, ZERO), payment.currency)),
            )
        )
    return value


def _finish(refund: Refund, *, actor: User | None, credit_note: bool) -> None:
    """A refund that succeeded: credit note, audit, mail (in the caller's transaction)."""
    before = audit.snapshot(refund, REFUND_AUDIT_FIELDS)
    refund.state = RefundState.SUCCEEDED
    order = settlement.lock_order(refund.order_id)
    if credit_note:
        note = documents.issue_credit_note(
            order, refund.amount, reason=refund.reason or _("Refund"), actor=actor
        )
        refund.credit_note_id = note.id if note is not None else None
    audit.record(
        "succeed", refund, actor=actor, edition_id=refund.edition_id,
        before=before, after=audit.snapshot(refund, REFUND_AUDIT_FIELDS),
    )  # fmt: skip
    payment = db.session.get(Payment, refund.payment_id)
    settlement.notify(
        order,
        _l("Refund for order %(reference)s", reference=order.reference),
        "payment_refunded.txt",
        refund=refund,
        payment=payment,
    )


@atomic
def refund_payment(
    payment: Payment,
    amount: Decimal,
    *,
    reason: str,
    actor: User | None,
    automatic: bool = False,
    credit_note: bool = True,
) -> Refund:
    """Refund `amount` of a succeeded payment; returns the Refund row (succeeded or failed).

    Card payments: a GatewayError from Stripe is raised after the refund row
    was recorded as failed (nothing was refunded, the organizer can retry).
    """
    _check_allowed(actor, automatic)
    payment = settlement.lock_payment(payment.id)
    value = _validated_amount(payment, amount)
    refund = Refund(
        order_id=payment.order_id,
        payment_id=payment.id,
        edition_id=payment.edition_id,
        state=RefundState.PENDING,
        amount=value,
        currency=payment.currency,
        reason=(reason or "")[:500],
        automatic=automatic,
        created_by_id=actor.id if actor is not None else None,
        idempotency_key=(
            f"refund-{uuid.uuid4().hex}" if payment.provider == PaymentProvider.CARD else None
        ),
    )
    db.session.add(refund)
    db.session.flush()
    audit.record(
        "create", refund, actor=actor, edition_id=refund.edition_id,
        after=audit.snapshot(refund, REFUND_AUDIT_FIELDS),
    )  # fmt: skip

    if payment.provider != PaymentProvider.CARD:
        # The organizer sent the money back by bank: record it as done.
        _finish(refund, actor=actor, credit_note=credit_note)
        commit()
        return refund

    # Durable before Stripe hears of it: a lost answer leaves a pending row
    # whose idempotency key makes a retry safe.
    commit()
    refund_id = refund.id
    assert payment.stripe_payment_intent_id and refund.idempotency_key
    try:
        result = gateway.create_refund(
            payment.stripe_payment_intent_id,
            Money(value, payment.currency),
            refund.idempotency_key,
            metadata={"refund_id": str(refund_id), "payment_id": str(payment.id)},
        )
    except gateway.GatewayError as error:
        refund = db.session.get(Refund, refund_id)
        assert refund is not None
        if error.kind != "network":
            before = audit.snapshot(refund, REFUND_AUDIT_FIELDS)
            refund.state = RefundState.FAILED
            refund.failure_message = error.message[:500]
            audit.record(
                "fail", refund, actor=actor, edition_id=refund.edition_id,
                before=before, after=audit.snapshot(refund, REFUND_AUDIT_FIELDS),
            )  # fmt: skip
            commit()
        raise _refund_error(error) from None

    refund = db.session.get(Refund, refund_id)
    assert refund is not None
    refund.stripe_refund_id = result.id
    if result.status in ("failed", "canceled"):
        before = audit.snapshot(refund, REFUND_AUDIT_FIELDS)
        refund.state = RefundState.FAILED
        refund.failure_message = _("Stripe could not make the refund.")
        audit.record(
            "fail", refund, actor=actor, edition_id=refund.edition_id,
            before=before, after=audit.snapshot(refund, REFUND_AUDIT_FIELDS),
        )  # fmt: skip
    else:
        # succeeded, or pending at Stripe (the bank takes days): promised either way.
        _finish(refund, actor=actor, credit_note=credit_note)
    commit()
    return refund


def _refund_error(error: gateway.GatewayError) -> gateway.GatewayError:
    """The buyer-facing card messages make no sense to an organizer refunding: say what happened."""
    if error.kind == "network":
        message = _(
            "We could not reach the card processor, so we do not know yet whether the refund "
            "was made. It is recorded as pending; try again later (it will not be made twice)."
        )
    else:
        message = _("The card processor refused the refund: nothing was refunded.")
    return gateway.GatewayError(message, kind=error.kind, status_code=error.status_code)


def retry_pending_refunds(older_than: timedelta = timedelta(minutes=1)) -> tuple[int, int]:
    """Ask Stripe again for card refunds whose answer was lost; returns (settled, still pending).

    The stored idempotency key makes the repeat safe: Stripe answers with the
    refund it already made, or makes it now, never twice. For the scheduler
    (`flask --app wsgi payments reconcile`).
    """
    cutoff = utcnow() - older_than
    ids = list(
        db.session.scalars(
            select(Refund.id).where(
                Refund.state == RefundState.PENDING,
                Refund.stripe_refund_id.is_(None),
                Refund.idempotency_key.is_not(None),
                Refund.created_at <= cutoff,
            )
        )
    )
    settled = pending = 0
    for refund_id in ids:
        if execute_pending_refund(refund_id):
            settled += 1
        else:
            pending += 1
    return settled, pending


def queue_automatic_refund(payment: Payment, amount: Decimal, *, reason: str) -> Refund:
    """A pending automatic card refund, in the caller's transaction (the payment is locked).

    `execute_pending_refund` makes it after the commit; a crash in between
    leaves it for `payments reconcile`.
    """
    value = _validated_amount(payment, amount)
    refund = Refund(
        order_id=payment.order_id,
        payment_id=payment.id,
        edition_id=payment.edition_id,
        state=RefundState.PENDING,
        amount=value,
        currency=payment.currency,
        reason=reason[:500],
        automatic=True,
        idempotency_key=f"refund-{uuid.uuid4().hex}",
    )
    db.session.add(refund)
    db.session.flush()
    audit.record(
        "create", refund, actor=None, edition_id=refund.edition_id,
        after=audit.snapshot(refund, REFUND_AUDIT_FIELDS),
    )  # fmt: skip
    return refund


@atomic
def execute_pending_refund(refund_id: int) -> bool:
    """Ask Stripe for a pending card refund with its stored key.

    False when Stripe could not be reached (the refund stays pending).
    """
    refund = db.session.scalar(
        select(Refund).where(Refund.id == refund_id).with_for_update()
        .execution_options(populate_existing=True)
    )  # fmt: skip
    if refund is None or refund.state != RefundState.PENDING or refund.stripe_refund_id:
        return True
    payment = db.session.get(Payment, refund.payment_id)
    assert payment is not None and payment.stripe_payment_intent_id and refund.idempotency_key
    try:
        result = gateway.create_refund(
            payment.stripe_payment_intent_id,
            Money(refund.amount, refund.currency),
            refund.idempotency_key,
            metadata={"refund_id": str(refund.id), "payment_id": str(payment.id)},
        )
    except gateway.GatewayError as error:
        if error.kind == "network":
            db.session.rollback()
            return False
        before = audit.snapshot(refund, REFUND_AUDIT_FIELDS)
        refund.state = RefundState.FAILED
        refund.failure_message = error.message[:500]
        audit.record("fail", refund, actor=None, edition_id=refund.edition_id,
                     before=before, after=audit.snapshot(refund, REFUND_AUDIT_FIELDS))  # fmt: skip
        commit()
        return True
    refund.stripe_refund_id = result.id
    if result.status in ("failed", "canceled"):
        before = audit.snapshot(refund, REFUND_AUDIT_FIELDS)
        refund.state = RefundState.FAILED
        refund.failure_message = _("Stripe could not make the refund.")
        audit.record("fail", refund, actor=None, edition_id=refund.edition_id,
                     before=before, after=audit.snapshot(refund, REFUND_AUDIT_FIELDS))  # fmt: skip
    else:
        order = db.session.get(Order, refund.order_id)
        assert order is not None
        # Automatic refunds and those of a cancelled order were never meant to
        # get their own credit note (see refund_payment's callers).
        wants_note = not refund.automatic and order.state != OrderState.CANCELLED
        _finish(refund, actor=None, credit_note=wants_note)
    commit()
    return True
