"""Stripe's webhook: a signed trigger, applied once; anything forged changes nothing.

The events here are signed with the webhook secret as Stripe (and
localstripe) sign them; the payment they name really succeeded or failed at
localstripe, and the endpoint asks localstripe before it changes anything.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import stripe
from flask import Flask
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.audit import AuditEntry
from telecom.exhibitors.models import BookingState
from telecom.extensions import db
from telecom.payments import card
from telecom.payments.models import Document, OrderState, PaymentState
from tests.concurrency import Job, race
from tests.exhibitors.factories import make_show, state_of
from tests.payments.conftest import DECLINE, THREE_D_SECURE, WEBHOOK_SECRET, wait_until
from tests.payments.test_card_payment import (
    RECEIPT,
    acme_order,
    audit_count,
    fresh_order,
    mails,
    payments_of,
)

URL = "/payments/stripe/webhook"


def event_for(intent_id: str, kind: str = "payment_intent.succeeded", **extra: object) -> bytes:
    """An event as Stripe sends it (only the fields the endpoint reads matter)."""
    return json.dumps(
        {
            "id": f"evt_test_{int(time.time() * 1000)}",
            "object": "event",
            "type": kind,
            "api_version": "2017-08-15",
            "created": int(time.time()),
            "data": {"object": {"id": intent_id, "object": "payment_intent", **extra}},
        }
    ).encode()


def signed(payload: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    header = stripe.WebhookSignature.generate_signature_header(payload.decode(), secret)
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


def deliver(client, payload: bytes, headers: dict[str, str] | None = None):
    return client.post(URL, data=payload, headers=headers if headers is not None else {})


def confirmed_at_stripe(stripe_app, client, card_buyer, show):
    """Ada's 3-D Secure payment, authenticated at the bank: succeeded at Stripe, pending here."""
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    result = buyer.pay(THREE_D_SECURE).get_json()
    assert result["status"] == "requires_action"
    buyer.authenticate(result["client_secret"], success=True)
    [payment] = payments_of(order.id)
    assert payment.state == PaymentState.PENDING
    return order, booking_id, payment


def test_ten_deliveries_of_the_same_event_make_one_payment_one_mail_one_booking(
    stripe_app, app, client, mail, card_buyer
):
    show = make_show()
    order, booking_id, payment = confirmed_at_stripe(stripe_app, client, card_buyer, show)
    payload = event_for(payment.stripe_payment_intent_id)
    stripe_side = app.test_client()

    responses = [deliver(stripe_side, payload, signed(payload)) for _ in range(10)]

    assert [r.status_code for r in responses] == [200] * 10
    [payment] = payments_of(order.id)
    assert payment.state == PaymentState.SUCCEEDED
    order = fresh_order(order.id)
    assert order.state == OrderState.PAID
    assert state_of(booking_id) == BookingState.PAID
    assert len([d for d in order.documents if d.kind.value == "invoice"]) == 1
    assert audit_count("payments", payment.id, "succeed") == 1
    mails(mail, RECEIPT, 1)
    time.sleep(0.3)
    assert len(mails(mail, RECEIPT)) == 1


def test_a_forged_or_unsigned_or_unreadable_request_is_refused_and_changes_nothing(
    stripe_app, app, client, mail, card_buyer
):
    show = make_show()
    order, booking_id, payment = confirmed_at_stripe(stripe_app, client, card_buyer, show)
    payload = event_for(payment.stripe_payment_intent_id)
    attacker = app.test_client()

    forged = deliver(attacker, payload, signed(payload, secret="whsec_guessed"))
    unsigned = deliver(attacker, payload)
    garbage_header = deliver(attacker, payload, {"Stripe-Signature": "nonsense"})
    tampered = deliver(attacker, payload + b" ", signed(payload))
    unreadable = deliver(attacker, b"not json", signed(b"not json"))

    for response in (forged, unsigned, garbage_header, tampered, unreadable):
        assert response.status_code == 400
        assert response.get_json()["error"]
    assert payments_of(order.id)[0].state == PaymentState.PENDING
    assert fresh_order(order.id).state == OrderState.OPEN
    assert state_of(booking_id) == BookingState.HELD
    assert mails(mail, RECEIPT) == []


def test_unknown_events_and_payments_are_acknowledged_and_ignored(stripe_app, app, client):
    stripe_side = app.test_client()
    other_type = event_for("cus_123", kind="customer.created")
    unknown_intent = event_for("pi_unknown", metadata={"payment_id": "1"})

    for payload in (other_type, unknown_intent):
        response = deliver(stripe_side, payload, signed(payload))
        assert response.status_code == 200
        assert response.get_json()["ignored"] is True


def test_the_webhook_records_a_failure_stripe_reports(stripe_app, app, client, card_buyer, mail):
    show = make_show()
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    result = buyer.pay(THREE_D_SECURE).get_json()
    buyer.authenticate(result["client_secret"], success=False)
    [payment] = payments_of(order.id)
    payload = event_for(payment.stripe_payment_intent_id, kind="payment_intent.payment_failed")

    response = deliver(app.test_client(), payload, signed(payload))

    assert response.status_code == 200
    assert response.get_json()["payment_state"] == "failed"
    assert payments_of(order.id)[0].state == PaymentState.FAILED
    assert state_of(booking_id) == BookingState.HELD


def test_an_event_cannot_succeed_a_payment_stripe_says_is_unpaid(
    stripe_app, app, client, card_buyer
):
    show = make_show()
    order, _ = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    buyer.pay(THREE_D_SECURE)  # awaiting 3-D Secure at Stripe
    [payment] = payments_of(order.id)
    payload = event_for(payment.stripe_payment_intent_id)  # says "succeeded"

    response = deliver(app.test_client(), payload, signed(payload))

    assert response.status_code == 200
    assert payments_of(order.id)[0].state == PaymentState.PENDING


def test_localstripe_delivers_its_own_signed_webhook_and_it_finds_the_payment_by_metadata(
    stripe_app, client, card_buyer, mail, webhooks
):
    show = make_show()
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)

    # localstripe's decline answers without the intent's id, as a lost answer would.
    assert buyer.pay(DECLINE).status_code == 402
    assert payments_of(order.id)[0].stripe_payment_intent_id is None

    # Its payment_intent.payment_failed webhook names the payment in the metadata we sent.
    wait_until(lambda: payments_of(order.id)[0].stripe_payment_intent_id is not None)
    [payment] = payments_of(order.id)
    assert payment.stripe_payment_intent_id.startswith("pi_")
    assert payment.state == PaymentState.FAILED
    assert state_of(booking_id) == BookingState.HELD


# --- The buyer's return and the webhook, at the same moment (PostgreSQL) ------------


def test_the_buyers_return_and_the_webhook_race_to_one_outcome(
    stripe_app, client, mail, card_buyer, racing_app: Flask
):
    racing_app.config.update(
        {k: v for k, v in stripe_app.config.items() if k.startswith("STRIPE_")}
    )
    show = make_show()
    order, booking_id, payment = confirmed_at_stripe(stripe_app, client, card_buyer, show)
    order_id, payment_id, ada_id = order.id, payment.id, show.ada.id
    intent_id = payment.stripe_payment_intent_id

    def status_poll() -> Callable[[], object]:
        ada = db.session.get(User, ada_id)
        return lambda: card.payment_status(order_id, payment_id, actor=ada)

    def webhook() -> Callable[[], object]:
        db.session.get(User, ada_id)  # open the transaction, as a request would
        return lambda: card.handle_payment_intent_event(intent_id, {})

    jobs: list[Job] = [status_poll, webhook, status_poll, webhook]
    outcomes = race(racing_app, jobs)

    assert [o.error for o in outcomes] == [None] * len(jobs)
    [payment] = payments_of(order_id)
    assert payment.state == PaymentState.SUCCEEDED
    assert audit_count("payments", payment_id, "succeed") == 1
    assert fresh_order(order_id).state == OrderState.PAID
    assert state_of(booking_id) == BookingState.PAID
    invoices = db.session.scalar(
        select(func.count()).where(Document.order_id == order_id, Document.kind == "invoice")
    )
    assert invoices == 1
    mails(mail, RECEIPT, 1)
    time.sleep(0.3)
    assert len(mails(mail, RECEIPT)) == 1
    assert (
        db.session.scalar(
            select(func.count()).where(
                AuditEntry.object_type == "orders",
                AuditEntry.object_id == str(order_id),
                AuditEntry.action == "paid",
            )
        )
        == 1
    )
