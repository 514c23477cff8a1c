"""Paying an order by card: Stripe (localstripe) for real, through the order page's JSON endpoints.

Ada from Acme holds a booth; the page's script sets up her card, asks the
server to charge it, finishes 3-D Secure when her bank asks, and polls until
the server knows the outcome. A declined card, Stripe out of reach or card
payments not configured: a clear message, and the order and the hold stay
as they were.
"""

from __future__ import annotations

import logging
import time

import stripe
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.money import Money
from telecom.exhibitors.models import BookingState
from telecom.extensions import db
from telecom.payments import gateway
from telecom.payments.models import (
    DocumentKind,
    Order,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
)
from telecom.payments.services import open_order
from tests.exhibitors.factories import Show, hold, make_show, state_of
from tests.helpers import body_of, html, log_in
from tests.payments.conftest import (
    DECLINE,
    PUBLISHABLE_KEY,
    SECRET_KEY,
    THREE_D_SECURE,
    VISA,
    WEBHOOK_SECRET,
    wait_until,
)


def acme_order(show: Show, code: str = "F-101") -> tuple[Order, int]:
    """Acme holds the booth; its open order and the booking's id."""
    held = hold(show, code)
    order = open_order(show.acme)
    assert order is not None
    return order, held.id


def fresh_order(order_id: int) -> Order:
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert order is not None
    return order


def payments_of(order_id: int) -> list[Payment]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id))
    )


RECEIPT = "Payment received"
FAILED_NOTICE = "Card payment failed"


def mails(sink, subject: str, count: int | None = None, timeout: float = 5.0) -> list:
    """The messages whose subject starts with `subject` (waiting for `count` of them)."""
    if count:
        wait_until(lambda: len([m for m in sink.messages if m["Subject"].startswith(subject)])
                   >= count, timeout=timeout)  # fmt: skip
    return [m for m in sink.messages if m["Subject"].startswith(subject)]


def audit_count(object_type: str, object_id: int, action: str) -> int:
    return db.session.scalar(
        select(func.count()).where(
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == str(object_id),
            AuditEntry.action == action,
        )
    )


def test_a_card_payment_books_the_booth_issues_the_invoice_and_sends_one_receipt(
    stripe_app, client, mail, card_buyer, stripe_api
):
    show = make_show()
    order, booking_id = acme_order(show)
    gross = order.gross_total
    buyer = card_buyer(client, order.id, show.ada.email)

    response = buyer.pay(VISA)

    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["status"] == "succeeded"
    assert "client_secret" not in result
    [payment] = payments_of(order.id)
    assert payment.state == PaymentState.SUCCEEDED
    assert payment.provider == PaymentProvider.CARD
    assert payment.amount == gross
    assert payment.stripe_payment_intent_id.startswith("pi_")
    assert payment.idempotency_key
    # Stripe charged exactly the order's gross total, in minor units.
    intent = stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert intent.amount == Money(gross, order.currency).to_minor_units()
    assert intent.currency == order.currency.lower()
    assert intent.status == "succeeded"

    order = fresh_order(order.id)
    assert order.state == OrderState.PAID
    assert order.balance_due == 0
    assert order.invoice is not None and order.invoice.kind == DocumentKind.INVOICE
    assert state_of(booking_id) == BookingState.PAID

    [receipt] = mails(mail, RECEIPT, 1)
    assert receipt["To"] == show.ada.email
    assert order.reference in receipt["Subject"]
    assert order.invoice.number in body_of(receipt)

    status = buyer.status(payment.id).get_json()
    assert status["final"] is True
    assert status["payment_state"] == "succeeded"
    assert status["order_state"] == "paid"
    assert "paid" in status["message"]
    time.sleep(0.5)
    assert len(mails(mail, RECEIPT)) == 1


def test_3d_secure_books_nothing_until_the_bank_confirms_then_the_webhook_settles_it(
    stripe_app, client, mail, card_buyer, webhooks
):
    show = make_show()
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)

    response = buyer.pay(THREE_D_SECURE)

    result = response.get_json()
    assert response.status_code == 200, result
    assert result["status"] == "requires_action"
    assert result["client_secret"].startswith("pi_")
    [payment] = payments_of(order.id)
    assert payment.state == PaymentState.PENDING
    assert fresh_order(order.id).state == OrderState.OPEN
    assert fresh_order(order.id).invoice is None
    assert state_of(booking_id) == BookingState.HELD
    assert buyer.status(payment.id).get_json()["final"] is False

    buyer.authenticate(result["client_secret"], success=True)

    # Nobody polls: the signed payment_intent.succeeded webhook settles it.
    wait_until(lambda: payments_of(order.id)[0].state == PaymentState.SUCCEEDED)
    order = fresh_order(order.id)
    assert order.state == OrderState.PAID
    assert order.invoice is not None
    assert state_of(booking_id) == BookingState.PAID
    mails(mail, RECEIPT, 1)
    assert buyer.status(payment.id).get_json()["payment_state"] == "succeeded"
    assert len(mails(mail, RECEIPT)) == 1


def test_failed_3d_secure_leaves_the_order_and_hold_and_tells_the_buyer(
    stripe_app, client, mail, card_buyer
):
    show = make_show()
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    result = buyer.pay(THREE_D_SECURE).get_json()

    buyer.authenticate(result["client_secret"], success=False)
    status = buyer.status(result["payment_id"]).get_json()

    assert status["final"] is True
    assert status["payment_state"] == "failed"
    assert "authentication" in status["message"]
    assert "Nothing was charged" in status["message"]
    assert fresh_order(order.id).state == OrderState.OPEN
    assert state_of(booking_id) == BookingState.HELD
    [notice] = mails(mail, FAILED_NOTICE, 1)
    assert "did not go through" in body_of(notice)


def test_a_declined_card_changes_nothing_and_the_buyer_can_try_again(
    stripe_app, client, mail, card_buyer
):
    show = make_show()
    order, booking_id = acme_order(show)
    balance = order.balance_due
    buyer = card_buyer(client, order.id, show.ada.email)

    response = buyer.pay(DECLINE)

    assert response.status_code == 402
    assert "declined" in response.get_json()["error"]
    assert "Nothing was charged" in response.get_json()["error"]
    [failed] = payments_of(order.id)
    assert failed.state == PaymentState.FAILED
    assert "declined" in failed.failure_message
    order = fresh_order(order.id)
    assert order.state == OrderState.OPEN
    assert order.balance_due == balance
    assert state_of(booking_id) == BookingState.HELD
    assert mails(mail, RECEIPT) == [] and mails(mail, FAILED_NOTICE) == []

    retry = buyer.pay(VISA)

    assert retry.get_json()["status"] == "succeeded"
    failed_again, paid = payments_of(order.id)
    assert failed_again.state == PaymentState.FAILED
    assert paid.state == PaymentState.SUCCEEDED
    assert paid.amount == balance
    assert fresh_order(order.id).state == OrderState.PAID
    assert state_of(booking_id) == BookingState.PAID


def test_an_abandoned_attempt_does_not_block_a_retry_and_a_second_charge_is_refunded(
    stripe_app, client, mail, card_buyer, stripe_api
):
    show = make_show()
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    abandoned = buyer.pay(THREE_D_SECURE).get_json()  # the buyer closes the bank's window

    retry = buyer.pay(VISA).get_json()

    assert retry["status"] == "succeeded"
    assert fresh_order(order.id).state == OrderState.PAID
    # Later the first attempt's authentication goes through after all: paid twice.
    buyer.authenticate(abandoned["client_secret"], success=True)
    status = buyer.status(abandoned["payment_id"]).get_json()
    assert status["payment_state"] == "succeeded"
    assert "refunded" in status["message"]
    first = payments_of(order.id)[0]
    [refund] = first.refunds
    assert refund.automatic and refund.amount == first.amount
    assert refund.stripe_refund_id.startswith("re_")
    charge = stripe_api.v1.payment_intents.retrieve(
        first.stripe_payment_intent_id, params={"expand": ["latest_charge"]}
    ).latest_charge
    assert charge.amount_refunded == charge.amount
    assert fresh_order(order.id).net_received == fresh_order(order.id).gross_total
    assert state_of(booking_id) == BookingState.PAID


def test_a_paid_order_cannot_be_paid_again(stripe_app, client, card_buyer):
    show = make_show()
    order, _ = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    assert buyer.pay(VISA).get_json()["status"] == "succeeded"

    again = buyer.setup()

    assert again.status_code == 409
    assert again.get_json()["error"] == "This order is already paid."


def test_only_the_buyers_side_can_pay_or_read_a_payment(stripe_app, app, client, card_buyer):
    show = make_show()
    order, _ = acme_order(show)
    ada = card_buyer(client, order.id, show.ada.email)
    payment_id = ada.pay(THREE_D_SECURE).get_json()["payment_id"]

    rival = app.test_client()
    bob = card_buyer(rival, order.id, show.bob.email)

    assert bob.setup().status_code == 404
    assert bob.setup().get_json()["error"] == "There is no such order."
    assert bob.status(payment_id).status_code == 404
    anonymous = app.test_client().get(f"/orders/{order.id}/card/payments/{payment_id}")
    assert anonymous.status_code == 401


def test_posts_without_the_csrf_token_are_refused(stripe_app, client):
    show = make_show()
    order, _ = acme_order(show)
    log_in(client, show.ada.email)

    response = client.post(
        f"/orders/{order.id}/card/setup", json={}, headers={"Accept": "application/json"}
    )

    assert response.status_code == 400
    assert "security token" in response.get_json()["error"]


def test_pay_needs_a_card_set_up_for_this_order(stripe_app, client, card_buyer):
    show = make_show()
    order, _ = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)

    missing = buyer.client.post(
        f"/orders/{order.id}/card/pay", data="not json", headers=buyer._headers()
    )
    unconfirmed = buyer.pay_request(buyer.setup().get_json()["setup_intent_id"])

    assert missing.status_code == 400
    assert "card details are missing" in missing.get_json()["error"]
    assert unconfirmed.status_code == 400
    assert "could not be set up" in unconfirmed.get_json()["error"]
    assert payments_of(order.id) == []


def test_stripe_out_of_reach_is_a_clear_message_and_nothing_changes(stripe_app, client, card_buyer):
    show = make_show()
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    stripe_app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there

    response = buyer.setup()

    assert response.status_code == 503
    assert response.get_json()["error"] == (
        "We could not reach the card processor. Nothing was charged; please try again."
    )
    assert payments_of(order.id) == []
    assert fresh_order(order.id).state == OrderState.OPEN
    assert state_of(booking_id) == BookingState.HELD


def test_card_errors_become_messages_for_the_buyer(stripe_app):
    expired = stripe.CardError("Your card has expired.", None, code="expired_card")
    insufficient = stripe.CardError("Declined", None, code="card_declined")
    insufficient.error = None

    assert "expired" in gateway._translate(expired, "payment").message
    assert gateway._translate(expired, "payment").kind == "card"
    assert "declined" in gateway._translate(insufficient, "payment").message
    auth = gateway._translate(stripe.AuthenticationError("Invalid API Key"), "payment")
    assert auth.kind == "unavailable" and "not available" in auth.message


def test_without_stripe_settings_card_payment_is_not_offered(app, client):
    show = make_show()
    order, _ = acme_order(show)
    log_in(client, show.ada.email)
    page = client.get(f"/orders/{order.id}")
    token = html(page).split('name="csrf_token" value="')[1].split('"')[0]

    setup = client.post(f"/orders/{order.id}/card/setup", json={}, headers={"X-CSRFToken": token})
    webhook = client.post("/payments/stripe/webhook", data=b"{}")

    assert 'id="card-payment"' not in html(page)
    assert "js.stripe.com" not in html(page)
    assert setup.status_code == 404
    assert "not available" in setup.get_json()["error"]
    assert webhook.status_code == 404


def test_the_page_shows_the_card_form_in_test_mode_and_the_secret_key_goes_nowhere(
    stripe_app, client, card_buyer, mail, localstripe, caplog
):
    show = make_show()
    order, _ = acme_order(show)
    caplog.set_level(logging.DEBUG)
    buyer = card_buyer(client, order.id, show.ada.email)

    page = client.get(f"/orders/{order.id}")
    declined = buyer.pay(DECLINE)
    paid = buyer.pay(VISA)
    stripe_app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    unreachable = buyer.setup()
    after = client.get(f"/orders/{order.id}")

    text = html(page)
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in text
    assert "Test mode" in text
    assert f'<script src="{localstripe.js_url}"></script>' in text
    csp = page.headers["Content-Security-Policy"]
    assert f"script-src 'self' {localstripe.url}" in csp
    assert f"connect-src 'self' {localstripe.url}" in csp
    assert f"frame-src 'self' {localstripe.url}" in csp
    for response in (page, declined, paid, unreachable, after):
        assert SECRET_KEY not in response.get_data(as_text=True)
        assert WEBHOOK_SECRET not in response.get_data(as_text=True)
    assert caplog.records, "the stripe library and the gateway log something"
    for record in caplog.records:
        assert SECRET_KEY not in record.getMessage()
        assert SECRET_KEY not in str(record.args)
    for message in mail.messages:
        assert SECRET_KEY not in message.as_string()


def test_starting_a_payment_is_audited(stripe_app, client, card_buyer):
    show = make_show()
    order, _ = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)

    buyer.pay(VISA)

    [payment] = payments_of(order.id)
    assert audit_count("payments", payment.id, "start") == 1
    assert audit_count("payments", payment.id, "link") == 1
    assert audit_count("payments", payment.id, "succeed") == 1


def test_a_status_poll_while_stripe_is_out_of_reach_keeps_the_payment_pending(
    stripe_app, client, card_buyer, localstripe
):
    show = make_show()
    order, booking_id = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    result = buyer.pay(THREE_D_SECURE).get_json()
    buyer.authenticate(result["client_secret"], success=True)
    stripe_app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"

    blind = buyer.status(result["payment_id"])

    assert blind.status_code == 200
    assert blind.get_json()["final"] is False
    assert blind.get_json()["payment_state"] == "pending"
    assert state_of(booking_id) == BookingState.HELD

    stripe_app.config["STRIPE_API_BASE"] = localstripe.url
    seen = buyer.status(result["payment_id"]).get_json()

    assert seen["final"] is True and seen["payment_state"] == "succeeded"
    assert state_of(booking_id) == BookingState.PAID
