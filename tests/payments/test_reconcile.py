"""`flask payments reconcile`: what a lost webhook or a lost answer from Stripe left pending."""

from __future__ import annotations

import uuid
from datetime import timedelta

from telecom.core.db import commit
from telecom.core.models import utcnow
from telecom.extensions import db
from telecom.payments.models import (
    OrderState,
    Payment,
    PaymentState,
    Refund,
    RefundState,
)
from tests.exhibitors.factories import make_show
from tests.payments.conftest import THREE_D_SECURE
from tests.payments.test_card_payment import acme_order, fresh_order, payments_of
from tests.payments.test_refunds import charge_of


def age(row: Payment | Refund, minutes: int) -> None:
    row.created_at = utcnow() - timedelta(minutes=minutes)
    commit()


def reconcile(app) -> str:
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_payment_whose_webhook_never_came_is_settled(stripe_app, client, card_buyer):
    # No webhook endpoint is registered: the buyer finished 3-D Secure and closed the tab.
    show = make_show()
    order, _booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    result = buyer.pay(THREE_D_SECURE).get_json()
    buyer.authenticate(result["client_secret"], success=True)
    [payment] = payments_of(order.id)
    assert payment.state == PaymentState.PENDING

    assert "0 settled, 0 still pending" in reconcile(stripe_app)  # too recent to ask about

    age(payment, minutes=11)
    output = reconcile(stripe_app)

    assert "Card payments: 1 settled, 0 still pending." in output
    assert payments_of(order.id)[0].state == PaymentState.SUCCEEDED
    assert fresh_order(order.id).state == OrderState.PAID


def test_a_refund_whose_answer_was_lost_is_asked_again_with_its_key(
    stripe_app, client, card_buyer, stripe_api
):
    show = make_show()
    order, _booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    assert buyer.pay().get_json()["status"] == "succeeded"
    [payment] = payments_of(order.id)
    # What refund_payment leaves when Stripe's answer never arrives: a pending
    # row with its idempotency key and no Stripe id.
    lost = Refund(
        order_id=order.id, payment_id=payment.id, edition_id=order.edition_id,
        state=RefundState.PENDING, amount=payment.amount, currency=payment.currency,
        reason="Customer asked", idempotency_key=f"refund-{uuid.uuid4().hex}",
    )  # fmt: skip
    db.session.add(lost)
    commit()
    age(lost, minutes=2)

    output = reconcile(stripe_app)

    assert "Refunds: 1 settled, 0 still pending." in output
    db.session.expire_all()
    refund = db.session.get(Refund, lost.id)
    assert refund is not None
    assert refund.state == RefundState.SUCCEEDED
    assert refund.stripe_refund_id
    assert (
        charge_of(stripe_api, payment).amount_refunded
        == stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id).amount
    )
    assert refund.credit_note_id is not None  # an organizer's refund of an invoiced order

    assert "Refunds: 0 settled, 0 still pending." in reconcile(stripe_app)  # nothing twice


def test_reconcile_without_stripe_says_so(app):
    output = reconcile(app)
    assert "not configured" in output


def test_an_automatic_refund_is_recorded_with_the_payment_and_made_later_if_need_be(
    stripe_app, client, card_buyer, stripe_api
):
    """The refund row is written in the payment's own transaction: a crash before
    Stripe is asked leaves it pending, and reconcile makes it."""
    from telecom.payments import card, gateway
    from tests.exhibitors.factories import hold
    from tests.payments.test_late_payment import start_then_let_the_hold_run_out

    show = make_show()
    order, _booking, buyer, result = start_then_let_the_hold_run_out(show, client, card_buyer)
    hold(show, "F-101", show.globex, show.bob)  # someone else took the booth meanwhile
    buyer.authenticate(result["client_secret"], success=True)
    [payment] = payments_of(order.id)

    # What the webhook or the buyer's poll does, stopped right after its commit
    # (as if the process died before asking Stripe for the refund).
    with stripe_app.test_request_context():
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
        refund_id = card._apply_intent(payment.id, intent)

    refund = db.session.get(Refund, refund_id)
    assert refund is not None and refund.state == RefundState.PENDING and refund.automatic
    assert refund.amount == payment.amount and refund.stripe_refund_id is None
    age(refund, minutes=2)

    assert "Refunds: 1 settled, 0 still pending." in reconcile(stripe_app)

    db.session.expire_all()
    refund = db.session.get(Refund, refund_id)
    assert refund.state == RefundState.SUCCEEDED and refund.stripe_refund_id
    assert refund.credit_note_id is None  # nothing was ever invoiced
    assert charge_of(stripe_api, payments_of(order.id)[0]).amount_refunded == (
        stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id).amount
    )
