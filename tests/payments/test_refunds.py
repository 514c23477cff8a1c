"""Refunds: partly or fully, through Stripe's Refund API for cards, recorded for transfers.

Each refund issues a credit note against the invoice, is audited and mailed
to the buyer; nobody can refund more than was paid, and only organizers
refund (or the platform itself, automatically).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from telecom.core.db import commit
from telecom.core.errors import Forbidden, ValidationError
from telecom.core.models import utcnow
from telecom.extensions import db
from telecom.payments import settlement
from telecom.payments.models import DocumentKind, Payment, PaymentProvider, RefundState
from telecom.payments.refunds import refund_payment
from tests.exhibitors.factories import make_show
from tests.helpers import body_of
from tests.payments.conftest import VISA
from tests.payments.test_card_payment import acme_order, audit_count, fresh_order, mails

REFUND_MAIL = "Refund for order"


def paid_by_card(show, client, card_buyer) -> Payment:
    order, _ = acme_order(show)
    buyer = card_buyer(client, order.id, show.ada.email)
    assert buyer.pay(VISA).get_json()["status"] == "succeeded"
    payment = fresh_order(order.id).payments[0]
    return payment


def charge_of(stripe_api, payment: Payment):
    return stripe_api.v1.payment_intents.retrieve(
        payment.stripe_payment_intent_id, params={"expand": ["latest_charge"]}
    ).latest_charge


def test_partial_then_full_refund_of_a_card_payment(
    stripe_app, client, mail, card_buyer, stripe_api
):
    show = make_show()
    payment = paid_by_card(show, client, card_buyer)
    total = payment.amount
    part = Decimal("100.50")

    first = refund_payment(payment, part, reason="Smaller booth", actor=show.organizer)

    assert first.state == RefundState.SUCCEEDED
    assert first.stripe_refund_id.startswith("re_")
    assert first.idempotency_key
    assert first.automatic is False
    assert first.created_by_id == show.organizer.id
    assert charge_of(stripe_api, payment).amount_refunded == 10050
    order = fresh_order(payment.order_id)
    [note] = order.credit_notes
    assert first.credit_note_id == note.id
    assert note.kind == DocumentKind.CREDIT_NOTE
    assert note.gross == part
    assert note.content["invoice_number"] == order.invoice.number
    assert audit_count("refunds", first.id, "succeed") == 1
    [notice] = mails(mail, REFUND_MAIL, 1)
    assert notice["To"] == show.ada.email
    assert note.number in body_of(notice)

    payment = db.session.get(Payment, payment.id)
    rest = refund_payment(payment, total - part, reason="Cancelled", actor=show.organizer)

    assert rest.state == RefundState.SUCCEEDED
    charge = charge_of(stripe_api, payment)
    assert charge.amount_refunded == charge.amount
    order = fresh_order(payment.order_id)
    assert len(order.credit_notes) == 2
    assert sum(n.gross for n in order.credit_notes) == total
    assert order.amount_refunded == total
    assert db.session.get(Payment, payment.id).refundable == 0

    with pytest.raises(ValidationError, match="cannot refund more than was paid"):
        refund_payment(
            db.session.get(Payment, payment.id), Decimal("0.01"), reason="x", actor=show.organizer
        )
    assert charge_of(stripe_api, payment).amount_refunded == charge.amount


def test_a_refund_cannot_exceed_what_was_paid_or_be_zero(stripe_app, client, card_buyer):
    show = make_show()
    payment = paid_by_card(show, client, card_buyer)

    with pytest.raises(ValidationError, match="cannot refund more than was paid"):
        refund_payment(payment, payment.amount + Decimal("0.01"), reason="x", actor=show.organizer)
    for amount in (Decimal("0"), Decimal("-5")):
        with pytest.raises(ValidationError, match="more than zero"):
            refund_payment(payment, amount, reason="x", actor=show.organizer)
    assert fresh_order(payment.order_id).refunds == []


def test_only_organizers_or_the_platform_refund(stripe_app, client, card_buyer):
    show = make_show()
    payment = paid_by_card(show, client, card_buyer)

    with pytest.raises(Forbidden):
        refund_payment(payment, Decimal("1"), reason="x", actor=show.ada)
    with pytest.raises(Forbidden):
        refund_payment(payment, Decimal("1"), reason="x", actor=None)
    automatic = refund_payment(
        payment, Decimal("1"), reason="x", actor=None, automatic=True, credit_note=False
    )
    assert automatic.state == RefundState.SUCCEEDED
    assert automatic.credit_note_id is None


def test_a_bank_transfer_refund_is_recorded_at_once_without_stripe(app, mail):
    show = make_show()
    order, _ = acme_order(show)
    payment = Payment(
        order_id=order.id, edition_id=order.edition_id, provider=PaymentProvider.BANK_TRANSFER,
        amount=order.gross_total, currency=order.currency, reference="ACME-TT-1",
        received_on=utcnow().date(), recorded_by_id=show.organizer.id,
    )  # fmt: skip
    db.session.add(payment)
    db.session.flush()
    settlement.complete_payment(settlement.lock_payment(payment.id), actor=show.organizer)
    commit()

    refund = refund_payment(payment, Decimal("50.00"), reason="Goodwill", actor=show.organizer)

    assert refund.state == RefundState.SUCCEEDED
    assert refund.stripe_refund_id is None and refund.idempotency_key is None
    order = fresh_order(order.id)
    [note] = order.credit_notes
    assert note.gross == Decimal("50.00")
    [notice] = mails(mail, REFUND_MAIL, 1)
    assert "bank transfer" in body_of(notice)
