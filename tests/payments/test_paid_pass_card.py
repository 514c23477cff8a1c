"""A visitor pays her pass by card (localstripe), and a late payment for a cancelled pass.

Vera confirms her address, chooses a password and lands on the order for her
250 CHF forum pass; the order page's script pays it with her VISA card. The
payment confirms the registration, mails her badge, issues the invoice and
sends her the receipt. Had she cancelled while her bank's 3-D Secure was
still open, the payment is refunded at once and nothing is confirmed.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

from telecom.core.money import Money
from telecom.extensions import db
from telecom.participants.models import PassType, Person, RegistrationStatus
from telecom.participants.services import registration as registrations
from telecom.payments.models import OrderState, PaymentState, RefundState
from tests.helpers import DEFAULT_PASSWORD, submit_form
from tests.participants.registration_support import (
    attachments,
    confirmation_link,
    make_fair,
    make_pass,
    path_of,
    register,
)
from tests.payments.buyer_support import save_payment_settings
from tests.payments.conftest import THREE_D_SECURE, VISA, wait_until
from tests.payments.test_card_payment import RECEIPT, fresh_order, mails, payments_of

EMAIL = "vera@visitor.example"


def vera_pays_next(client, mail):  # type: ignore[no-untyped-def]
    """Vera registers for the forum pass, follows the link and chooses her password."""
    fair = make_fair()
    save_payment_settings(fair.edition, tax_rate=Decimal("8.1"), tax_label="VAT")
    forum = make_pass(fair.edition, fair.organizer, name="Forum pass", price=Decimal("250"))
    registration = register(fair, EMAIL, pass_type=db.session.get(PassType, forum.id))
    path = path_of(confirmation_link(mail.wait_for(1)[0]))
    response = submit_form(
        client, path, {"password": DEFAULT_PASSWORD, "password_again": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    order_id = int(urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1])
    return registration.id, order_id


def registration_status(registration_id: int) -> RegistrationStatus:
    from telecom.participants.models import Registration

    db.session.expire_all()
    registration = db.session.get(Registration, registration_id)
    assert registration is not None
    return registration.status


def test_paying_a_pass_by_card_confirms_it_mails_the_badge_and_the_invoice_is_issued(
    stripe_app, client, mail, card_buyer, stripe_api
):
    registration_id, order_id = vera_pays_next(client, mail)
    order = fresh_order(order_id)
    assert order.gross_total == Decimal("270.25")
    assert 'id="card-payment"' in client.get(f"/orders/{order_id}").get_data(as_text=True)
    # The card buyer's own browser session (the order page's script), logged in as Vera.
    buyer = card_buyer(stripe_app.test_client(), order_id, EMAIL)

    result = buyer.pay(VISA).get_json()

    assert result["status"] == "succeeded", result
    [payment] = payments_of(order_id)
    assert payment.state == PaymentState.SUCCEEDED
    assert payment.amount == Decimal("270.25")
    intent = stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert intent.amount == Money(Decimal("270.25"), "CHF").to_minor_units() == 27025
    order = fresh_order(order_id)
    assert order.state == OrderState.PAID
    assert order.invoice is not None
    assert order.refunds == []
    assert registration_status(registration_id) == RegistrationStatus.CONFIRMED
    [receipt] = mails(mail, RECEIPT, 1)
    assert receipt["To"] == EMAIL
    [badge] = mails(mail, "Your badge", 1)
    assert badge["To"] == EMAIL
    [(filename, pdf)] = attachments(badge)
    assert filename.endswith(".pdf") and pdf.startswith(b"%PDF")


def test_a_card_payment_for_a_pass_cancelled_meanwhile_is_refunded_at_once(
    stripe_app, client, mail, card_buyer, stripe_api
):
    registration_id, order_id = vera_pays_next(client, mail)
    buyer = card_buyer(stripe_app.test_client(), order_id, EMAIL)
    result = buyer.pay(THREE_D_SECURE).get_json()
    assert result["status"] == "requires_action"

    # While her bank asks, Vera cancels the registration: its order is cancelled.
    from telecom.participants.models import Registration

    registration = db.session.get(Registration, registration_id)
    person = db.session.get(Person, registration.person_id)
    registrations.cancel_registration(person, registration_id)
    assert fresh_order(order_id).state == OrderState.CANCELLED

    buyer.authenticate(result["client_secret"], success=True)
    status = buyer.status(result["payment_id"]).get_json()

    assert status["payment_state"] == "succeeded"
    [payment] = payments_of(order_id)
    [refund] = payment.refunds
    assert refund.state == RefundState.SUCCEEDED
    assert refund.automatic is True
    assert refund.amount == payment.amount == Decimal("270.25")
    charge = stripe_api.v1.payment_intents.retrieve(
        payment.stripe_payment_intent_id, params={"expand": ["latest_charge"]}
    ).latest_charge
    assert charge.amount_refunded == charge.amount
    order = fresh_order(order_id)
    assert order.state == OrderState.CANCELLED
    assert order.net_received == 0
    assert registration_status(registration_id) == RegistrationStatus.CANCELLED
    wait_until(lambda: mails(mail, RECEIPT))
    assert mails(mail, "Your badge") == []


def test_settlement_ends_the_line_of_a_registration_cancelled_elsewhere_and_refunds(
    stripe_app, client, mail, card_buyer
):
    """A registration cancelled by a path that left its order alone (an organizer, staff
    tools): when the money arrives, settlement finds it cancelled, ends the line and the
    card payment is refunded in full."""
    from telecom.core.db import commit
    from telecom.participants.models import Registration

    registration_id, order_id = vera_pays_next(client, mail)
    buyer = card_buyer(stripe_app.test_client(), order_id, EMAIL)
    result = buyer.pay(THREE_D_SECURE).get_json()
    registration = db.session.get(Registration, registration_id)
    registration.status = RegistrationStatus.CANCELLED
    commit()
    assert fresh_order(order_id).state == OrderState.OPEN

    buyer.authenticate(result["client_secret"], success=True)
    buyer.status(result["payment_id"])

    [payment] = payments_of(order_id)
    assert payment.state == PaymentState.SUCCEEDED
    [refund] = payment.refunds
    assert refund.automatic and refund.amount == Decimal("270.25")
    order = fresh_order(order_id)
    assert order.state == OrderState.CANCELLED
    assert order.lines[0].cancelled_at is not None
    assert registration_status(registration_id) == RegistrationStatus.CANCELLED
    assert mails(mail, "Your badge") == []
