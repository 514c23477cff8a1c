"""Card payments with Stripe: start, confirm, and learn the outcome once.

The flow (it works with Stripe and with localstripe's fake Stripe.js):

1. `start_setup()`: the server creates a SetupIntent; the browser confirms it
   with the Card Element (`stripe.confirmCardSetup`), which gives a payment
   method without the card number ever reaching us.
2. `pay()`: the server records a pending Payment for the order's balance with
   an idempotency key (committed first, so a lost answer leaves a trace and a
   retried request cannot charge twice), then creates the PaymentIntent with
   that payment method and `confirm=True`.
3. When Stripe asks for 3-D Secure (`requires_action`) the browser finishes it
   with `stripe.confirmCardPayment(client_secret)`.
4. The outcome is applied by `sync_payment()`, which the webhook and the
   buyer's status polls both call: it re-fetches the PaymentIntent from
   Stripe, locks the payment row and applies the transition once (the
   settlement module books the booths, issues the invoice and mails one
   receipt). A payment that arrived after its booth went to someone else is
   refunded automatically, after the commit.

A declined card leaves the order and its holds as they were; the buyer can
try again, which starts a new Payment row.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.money import Money
from telecom.extensions import db
from telecom.payments import access, gateway, settlement
from telecom.payments.models import (
    ZERO,
    Order,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
)

log = logging.getLogger(__name__)

SUCCEEDED = "succeeded"
FAILED = "failed"
REQUIRES_ACTION = "requires_action"
PROCESSING = "processing"


def card_enabled() -> bool:
    """Card payments are offered when both Stripe keys are configured."""
    return gateway.is_configured()


def publishable_key() -> str:
    return str(current_app.config.get("STRIPE_PUBLISHABLE_KEY") or "")


def is_test_mode() -> bool:
    """Stripe test keys (and localstripe) move no real money: the page says so."""
    return publishable_key().startswith("pk_test_")


def _require_enabled() -> None:
    if not card_enabled():
        raise NotFound(_("Card payments are not available. Please choose another way to pay."))


def _payable_order(order_id: int, actor: User | None) -> Order:
    order = access.get_buyer_order(order_id, actor=actor)
    if order.state == OrderState.PAID:
        raise Conflict(_("This order is already paid."))
    if order.state != OrderState.OPEN:
        raise Conflict(_("This order cannot be paid by card any more."))
    if not order.active_lines or order.balance_due <= ZERO:
        raise Conflict(_("There is nothing to pay on this order."))
    return order


@dataclass(frozen=True)
class CardSetup:
    setup_intent_id: str
    client_secret: str


@dataclass(frozen=True)
class CardAttempt:
    """What the browser needs after `pay()`: the outcome so far, and the secret for 3-D Secure."""

    payment_id: int
    status: str  # succeeded, failed, requires_action or processing
    message: str
    client_secret: str | None = None


def start_setup(order_id: int, *, actor: User | None) -> CardSetup:
    """Step 1: a SetupIntent for the Card Element (nothing is written here)."""
    _require_enabled()
    order = _payable_order(order_id, actor)
    intent = gateway.create_setup_intent(
        {"order_id": str(order.id), "order_reference": order.reference or ""}
    )
    return CardSetup(intent.id, intent.client_secret)


def settle_pending_attempts(order: Order) -> None:
    """Learn how earlier pending attempts ended before charging again.

    An attempt that actually went through pays the order (and the new one is
    then refused); one Stripe cannot tell us about stays pending and does not
    block the retry: if it ever succeeds, settlement refunds the overpayment.
    """
    pending = [
        p.id
        for p in order.payments
        if p.provider == PaymentProvider.CARD
        and p.state == PaymentState.PENDING
        and p.stripe_payment_intent_id
    ]
    for payment_id in pending:
        try:
            sync_payment(payment_id)
        except gateway.GatewayError:
            continue


def pay(order_id: int, setup_intent_id: str, *, actor: User | None) -> CardAttempt:
    """Step 2: charge the card the browser set up for the order's balance."""
    _require_enabled()
    if not isinstance(setup_intent_id, str) or not setup_intent_id.startswith("seti_"):
        raise ValidationError(_("The card details are missing. Please enter your card again."))
    order = _payable_order(order_id, actor)
    settle_pending_attempts(order)
    db.session.expire_all()
    order = _payable_order(order_id, actor)

    setup = gateway.retrieve_setup_intent(setup_intent_id)
    if setup.metadata.get("order_id") != str(order.id):
        raise ValidationError(_("The card details are missing. Please enter your card again."))
    if setup.status != "succeeded" or not setup.payment_method:
        raise ValidationError(
            _("Your card could not be set up. Nothing was charged; please try again.")
        )

    payment = _record_attempt(order, actor)
    return _charge(payment.id, setup.payment_method, actor)


@atomic
def _record_attempt(order: Order, actor: User | None) -> Payment:
    """A pending payment for the balance, committed before Stripe is asked to charge."""
    order = settlement.lock_order(order.id)
    if order.state != OrderState.OPEN or order.balance_due <= ZERO:
        raise Conflict(_("There is nothing to pay on this order."))
    payment = Payment(
        order_id=order.id,
        edition_id=order.edition_id,
        provider=PaymentProvider.CARD,
        state=PaymentState.PENDING,
        amount=order.balance_due,
        currency=order.currency,
        idempotency_key=f"payment-{uuid.uuid4().hex}",
    )
    db.session.add(payment)
    db.session.flush()
    audit.record(
        "start", payment, actor=actor, edition_id=payment.edition_id,
        after=audit.snapshot(payment, settlement.PAYMENT_AUDIT_FIELDS) | {"order_id": order.id},
    )  # fmt: skip
    commit()
    return payment


def _charge(payment_id: int, payment_method: str, actor: User | None) -> CardAttempt:
    payment = db.session.get(Payment, payment_id)
    assert payment is not None and payment.idempotency_key
    order = db.session.get(Order, payment.order_id)
    assert order is not None
    try:
        intent = gateway.create_payment_intent(
            Money(payment.amount, payment.currency),
            payment_method,
            payment.idempotency_key,
            metadata={
                "payment_id": str(payment.id),
                "payment_key": payment.idempotency_key,
                "order_id": str(order.id),
                "order_reference": order.reference or "",
            },
        )
    except gateway.GatewayError as error:
        if error.kind != "network":
            # Stripe answered: nothing was charged. The attempt failed for good.
            _record_failure(payment_id, error.message, error.payment_intent_id, actor)
        # A network failure leaves the attempt pending: if Stripe did charge,
        # its webhook still finds the payment (metadata) and settles it.
        raise

    _refund_automatically(_apply_intent(payment_id, intent, actor=actor))
    payment = db.session.get(Payment, payment_id)
    assert payment is not None
    return _attempt(payment, intent)


@atomic
def _record_failure(
    payment_id: int, message: str, intent_id: str | None, actor: User | None
) -> None:
    payment = settlement.lock_payment(payment_id)
    if intent_id and payment.stripe_payment_intent_id is None:
        payment.stripe_payment_intent_id = intent_id
    settlement.fail_payment(payment, message, actor=actor)
    commit()


@atomic
def _apply_intent(
    payment_id: int, intent: gateway.PaymentIntentData, *, actor: User | None = None
) -> int | None:
    """Apply what Stripe says to the locked payment, once.

    Returns the id of the automatic refund this made necessary (a late
    payment for a booth someone else booked, a double charge): its row is
    written in this same transaction, so even if the process stops before
    Stripe is asked, `payments reconcile` finds it pending and makes it.
    """
    payment = settlement.lock_payment(payment_id)
    if payment.stripe_payment_intent_id is None:
        before = audit.snapshot(payment, settlement.PAYMENT_AUDIT_FIELDS)
        payment.stripe_payment_intent_id = intent.id
        audit.record(
            "link", payment, actor=actor, edition_id=payment.edition_id,
            before=before, after=audit.snapshot(payment, settlement.PAYMENT_AUDIT_FIELDS),
        )  # fmt: skip
    elif payment.stripe_payment_intent_id != intent.id:
        raise Conflict(_("This payment belongs to another card transaction."))
    refund_id = None
    if payment.state == PaymentState.PENDING:
        if intent.succeeded:
            if intent.amount != Money(payment.amount, payment.currency):
                # Cannot happen (we set the amount); if it did, the books must say so.
                log.error("PaymentIntent %s amount %s differs from payment %s (%s)",
                          intent.id, intent.amount, payment.id, payment.amount)  # fmt: skip
            refund_due = settlement.complete_payment(payment, actor=actor)
            if refund_due > ZERO:
                from telecom.payments.refunds import queue_automatic_refund

                refund_id = queue_automatic_refund(
                    payment, refund_due, reason=_("No longer available when the payment arrived")
                ).id
        elif intent.failed and settlement.fail_payment(
            payment, intent.failure_message, actor=actor
        ):
            # Learned after the buyer's request (3-D Secure, the webhook): tell them.
            order = db.session.get(Order, payment.order_id)
            assert order is not None
            settlement.notify(
                order,
                _l("Card payment failed for order %(reference)s", reference=order.reference),
                "payment_failed.txt",
                payment=payment,
            )
    commit()
    return refund_id


def _refund_automatically(refund_id: int | None) -> None:
    """Make the automatic refund queued with the payment (after its own commit)."""
    if refund_id is None:
        return
    from telecom.payments.refunds import execute_pending_refund

    try:
        execute_pending_refund(refund_id)
    except Exception:
        # The refund row stays pending; `payments reconcile` retries it with
        # its idempotency key. The payment itself is recorded.
        db.session.rollback()
        log.exception("Automatic refund %s could not be made now", refund_id)


def sync_payment(payment_id: int, *, actor: User | None = None) -> Payment:
    """Re-fetch the payment's PaymentIntent and apply its outcome once.

    The webhook and the buyer's status polls both call this; a payment that
    is no longer pending is returned as it is, without asking Stripe.
    """
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(_("There is no such payment."))
    if (
        payment.provider != PaymentProvider.CARD
        or payment.state != PaymentState.PENDING
        or not payment.stripe_payment_intent_id
    ):
        return payment
    intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    _refund_automatically(_apply_intent(payment_id, intent, actor=actor))
    payment = db.session.get(Payment, payment_id)
    assert payment is not None
    return payment


def payment_for_intent(intent_id: str, metadata: dict[str, str]) -> Payment | None:
    """The payment a webhook is about: by its intent id, or by the ids we put in its metadata.

    The metadata lookup finds an attempt whose create call lost its answer
    (it has no intent id yet); the idempotency key must match, so an event
    cannot be pointed at another payment.
    """
    payment = db.session.scalar(
        select(Payment).where(Payment.stripe_payment_intent_id == intent_id)
    )
    if payment is not None:
        return payment
    raw_id = metadata.get("payment_id", "")
    if not raw_id.isdigit():
        return None
    payment = db.session.get(Payment, int(raw_id))
    if (
        payment is None
        or payment.provider != PaymentProvider.CARD
        or payment.stripe_payment_intent_id is not None
    ):
        return None
    # Ask Stripe itself which payment the intent belongs to (the event is only a trigger).
    intent = gateway.retrieve_payment_intent(intent_id)
    if (
        intent.metadata.get("payment_id") != str(payment.id)
        or intent.metadata.get("payment_key") != payment.idempotency_key
    ):
        return None
    _refund_automatically(_apply_intent(payment.id, intent))
    return db.session.get(Payment, payment.id)


def handle_payment_intent_event(intent_id: str, metadata: dict[str, str]) -> Payment | None:
    """A payment_intent.* webhook: sync the payment it names (None when it is not ours)."""
    payment = payment_for_intent(intent_id, metadata)
    if payment is None:
        return None
    return sync_payment(payment.id)


def _attempt(payment: Payment, intent: gateway.PaymentIntentData) -> CardAttempt:
    if payment.state == PaymentState.SUCCEEDED:
        return CardAttempt(payment.id, SUCCEEDED, _("Thank you: your payment was received."))
    if payment.state == PaymentState.FAILED:
        return CardAttempt(payment.id, FAILED, payment.failure_message)
    if intent.status == "requires_action":
        return CardAttempt(
            payment.id,
            REQUIRES_ACTION,
            _("Your bank asks you to confirm the payment."),
            client_secret=intent.client_secret,
        )
    return CardAttempt(payment.id, PROCESSING, _("Your payment is being processed…"))


@dataclass(frozen=True)
class CardStatus:
    payment_id: int
    payment_state: str
    order_state: str
    balance_due: Decimal
    final: bool
    message: str


def payment_status(order_id: int, payment_id: int, *, actor: User | None) -> CardStatus:
    """What the buyer's page polls for: syncs a pending payment with Stripe first."""
    _require_enabled()
    order = access.get_buyer_order(order_id, actor=actor)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order_id != order.id or payment.provider != PaymentProvider.CARD:
        raise NotFound(_("There is no such payment."))
    try:
        sync_payment(payment.id, actor=None)
    except gateway.GatewayError:
        # Stripe out of reach for a moment: the payment stays pending and the
        # page keeps polling (the webhook settles it meanwhile if it can).
        db.session.rollback()
    db.session.expire_all()
    payment = db.session.get(Payment, payment_id)
    order = db.session.get(Order, order_id)
    assert payment is not None and order is not None
    if payment.state == PaymentState.SUCCEEDED:
        if order.state == OrderState.PAID:
            message = _("Thank you: your payment was received and the order is paid.")
        else:
            message = _("Thank you: your payment was received.")
        refunded = payment.refunded
        if refunded > ZERO:
            message += " " + _(
                "Part of what you ordered was booked by someone else while your payment was "
                "being processed; %(amount)s is being refunded to your card.",
                amount=str(Money(refunded, payment.currency)),
            )
    elif payment.state == PaymentState.FAILED:
        message = payment.failure_message or gateway.card_message(None)
    else:
        message = _("Your payment is being processed…")
    return CardStatus(
        payment_id=payment.id,
        payment_state=payment.state.value,
        order_state=order.state.value,
        balance_due=order.balance_due,
        final=payment.state != PaymentState.PENDING,
        message=message,
    )


def sync_stale_payments(older_than: timedelta = timedelta(minutes=10)) -> tuple[int, int]:
    """Ask Stripe about card payments still pending after `older_than`; (settled, still pending).

    Catches what a lost webhook or a closed browser left behind, including a
    late payment's automatic refund that never ran. For the scheduler.
    """
    cutoff = utcnow() - older_than
    ids = list(
        db.session.scalars(
            select(Payment.id).where(
                Payment.provider == PaymentProvider.CARD,
                Payment.state == PaymentState.PENDING,
                Payment.stripe_payment_intent_id.is_not(None),
                Payment.created_at <= cutoff,
            )
        )
    )
    settled = pending = 0
    for payment_id in ids:
        try:
            payment = sync_payment(payment_id)
        except gateway.GatewayError:
            db.session.rollback()
            pending += 1
            continue
        if payment.state == PaymentState.PENDING:
            pending += 1
        else:
            settled += 1
    return settled, pending
