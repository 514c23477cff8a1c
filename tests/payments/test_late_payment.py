"""A card payment that succeeds after its booth hold ran out.

Ada starts paying while her hold is live; her bank's 3-D Secure takes long
enough for the hold to expire. If the booth is still free it is booked for
her; if Bob from Globex took it meanwhile, her money goes back through
Stripe's Refund API at once and she is told. A booth never has two owners,
a buyer never pays for nothing.
"""

from __future__ import annotations

from telecom.exhibitors.models import BookingState, BoothBooking
from telecom.exhibitors.services.booking import release_expired
from telecom.extensions import db
from telecom.payments.models import OrderState, PaymentState, RefundState
from tests.exhibitors.factories import expire, hold, make_show, state_of
from tests.helpers import body_of
from tests.payments.conftest import THREE_D_SECURE, wait_until
from tests.payments.test_card_payment import RECEIPT, acme_order, fresh_order, mails, payments_of

REFUND_MAIL = "Refund for order"


def start_then_let_the_hold_run_out(show, client, card_buyer):
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    result = buyer.pay(THREE_D_SECURE).get_json()
    assert result["status"] == "requires_action"
    expire(db.session.get(BoothBooking, booking_id))
    release_expired(edition_id=show.edition.id)
    assert state_of(booking_id) == BookingState.RELEASED
    assert fresh_order(order.id).state == OrderState.CANCELLED  # its only line ended
    return order, booking_id, buyer, result


def test_a_late_payment_books_the_booth_when_it_is_still_free(
    stripe_app, client, mail, card_buyer, webhooks
):
    show = make_show()
    order, booking_id, buyer, result = start_then_let_the_hold_run_out(show, client, card_buyer)

    buyer.authenticate(result["client_secret"], success=True)

    wait_until(lambda: payments_of(order.id)[0].state == PaymentState.SUCCEEDED)  # the webhook
    assert state_of(booking_id) == BookingState.PAID
    order = fresh_order(order.id)
    assert order.state == OrderState.PAID
    assert order.invoice is not None
    assert order.refunds == []
    [receipt] = mails(mail, RECEIPT, 1)
    assert "refunding" not in body_of(receipt)


def test_a_late_payment_for_a_booth_someone_else_took_is_refunded_automatically(
    stripe_app, client, mail, card_buyer, stripe_api
):
    show = make_show()
    order, booking_id, buyer, result = start_then_let_the_hold_run_out(show, client, card_buyer)
    globex = hold(show, "F-101", show.globex, show.bob)

    buyer.authenticate(result["client_secret"], success=True)
    status = buyer.status(result["payment_id"]).get_json()  # the buyer's page polls

    assert status["payment_state"] == "succeeded"
    assert "refunded" in status["message"]
    [payment] = payments_of(order.id)
    [refund] = payment.refunds
    assert refund.state == RefundState.SUCCEEDED
    assert refund.automatic is True
    assert refund.amount == payment.amount
    assert refund.stripe_refund_id.startswith("re_")
    assert refund.idempotency_key
    assert refund.created_by_id is None
    charge = stripe_api.v1.payment_intents.retrieve(
        payment.stripe_payment_intent_id, params={"expand": ["latest_charge"]}
    ).latest_charge
    assert charge.amount_refunded == charge.amount
    # The booth stays Globex's; Acme's booking stays released; Acme owes and has nothing.
    assert state_of(globex.id) == BookingState.HELD
    assert state_of(booking_id) == BookingState.RELEASED
    order = fresh_order(order.id)
    assert order.state == OrderState.CANCELLED
    assert order.net_received == 0
    assert order.invoice is None
    [receipt] = mails(mail, RECEIPT, 1)
    assert "refunding" in body_of(receipt)
    [refund_mail] = mails(mail, REFUND_MAIL, 1)
    assert refund_mail["To"] == show.ada.email
    assert "card you paid with" in body_of(refund_mail)
