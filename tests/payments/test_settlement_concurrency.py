"""Many payments completing at once: every order paid once, invoice numbers gapless."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from telecom.core.db import commit
from telecom.exhibitors.models import BookingState, BoothBooking
from telecom.extensions import db
from telecom.payments import settlement
from telecom.payments.models import (
    Document,
    DocumentKind,
    Order,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
)
from telecom.payments.services import open_order
from tests.concurrency import Job, race
from tests.exhibitors.factories import make_booth, make_organisation, make_show
from tests.helpers import make_user

PAYERS = 50


def pending_card_payment(order: Order) -> Payment:
    payment = Payment(
        order_id=order.id, edition_id=order.edition_id, provider=PaymentProvider.CARD,
        amount=order.gross_total, currency=order.currency,
        stripe_payment_intent_id=f"pi_test_{order.id}", idempotency_key=f"test-{order.id}",
    )  # fmt: skip
    db.session.add(payment)
    commit()
    return payment


def complete_job(payment_id: int) -> Job:
    def prepare() -> Callable[[], object]:
        db.session.get(Payment, payment_id)  # opens this racer's transaction

        def complete() -> object:
            payment = settlement.lock_payment(payment_id)
            refund_due = settlement.complete_payment(payment, actor=None)
            commit()
            return refund_due

        return complete

    return prepare


@pytest.mark.usefixtures("app")
def test_fifty_payments_completing_at_once_issue_fifty_consecutive_invoices(
    racing_app: Flask,
) -> None:
    from telecom.exhibitors.services import booking

    show = make_show()
    payments = []
    for n in range(PAYERS):
        buyer = make_user(f"buyer{n}@example.org")
        organisation = make_organisation(show.edition, f"Exhibitor {n}", members=(buyer,))
        booth = make_booth(show.hall, f"P-{n:03d}", x=str(n * 3), y="40")
        booking.hold_booth(booth.id, organisation, actor=buyer)
        order = open_order(organisation)
        assert order is not None
        payments.append(pending_card_payment(order))

    outcomes = race(racing_app, [complete_job(p.id) for p in payments])

    assert [o.error for o in outcomes if o.error] == []
    db.session.expire_all()
    numbers = sorted(
        db.session.scalars(select(Document.number).where(Document.kind == DocumentKind.INVOICE))
    )
    assert numbers == [f"TW2015-{n:06d}" for n in range(1, PAYERS + 1)]
    orders = db.session.scalars(select(Order).where(Order.id.in_([p.order_id for p in payments])))
    assert {o.state for o in orders} == {OrderState.PAID}
    assert {p.state for p in db.session.scalars(select(Payment))} == {PaymentState.SUCCEEDED}
    paid = db.session.scalars(select(BoothBooking).where(BoothBooking.state == BookingState.PAID))
    assert len(list(paid)) == PAYERS


def test_completing_a_payment_twice_changes_nothing_the_second_time(app, mail) -> None:
    from telecom.exhibitors.services import booking

    show = make_show(with_mail_contacts=True)
    booking.hold_booth(show.booth("F-101").id, show.acme, actor=show.ada)
    order = open_order(show.acme)
    assert order is not None
    payment = pending_card_payment(order)
    mail.wait_for(2)  # the "booth held" mails
    mail.messages.clear()

    for _ in range(2):
        locked = settlement.lock_payment(payment.id)
        settlement.complete_payment(locked, actor=None)
        commit()

    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order is not None
    assert order.state == OrderState.PAID
    assert len(order.documents) == 1
    assert order.net_received == order.gross_total
    receipts = mail.wait_for(2)  # Ada and the contact address, once each
    assert sorted(m["To"] for m in receipts) == ["ada@acme.example", "sales@acme.example"]
    assert all("Payment received" in m["Subject"] for m in receipts)
    assert len(mail.messages) == 2
