"""An organizer cancels an order (its booths become free, its invoice is credited),
with or without refunding what was paid, and refunds payments from the order page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.errors import Conflict, ValidationError
from telecom.exhibitors.models import BookingState
from telecom.exhibitors.services import booking
from telecom.extensions import db
from telecom.payments import admin
from telecom.payments.models import (
    ZERO,
    DocumentKind,
    Order,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
    RefundState,
)
from tests.exhibitors.factories import hold, make_show, state_of
from tests.helpers import html, submit_form
from tests.payments.admin_support import (
    awaiting_order,
    bank_settings,
    fresh,
    held_order,
    order_url,
    organizer_client,
)


def bookings_of(order: Order) -> list[int]:
    return [line.booth_booking_id for line in order.lines if line.booth_booking_id]


def pay(show, order: Order, amount: Decimal) -> None:  # type: ignore[no-untyped-def]
    admin.record_transfer(
        fresh(order), amount=amount, received_on=admin.edition_today(show.edition),
        reference=f"transfer {amount}", actor=show.organizer,
    )  # fmt: skip


def credit_notes(order: Order) -> list[Decimal]:
    return [d.gross for d in fresh(order).documents if d.kind == DocumentKind.CREDIT_NOTE]


def test_cancelling_an_unpaid_order_frees_its_booths_and_credits_its_invoice(app):
    show = make_show()
    bank_settings(show.edition, tax_rate=Decimal("8.00"))
    order = awaiting_order(show, "F-101", "F-103")
    gross = order.gross_total
    client = organizer_client(app, show)

    response = submit_form(
        client, f"{order_url(show, order)}/cancel", {"cancel-reason": "Exhibitor withdrew"},
        form_page=order_url(show, order), follow_redirects=True,
    )  # fmt: skip

    assert response.status_code == 200
    assert "is cancelled; its booths are available again" in html(response)
    order = fresh(order)
    assert order.state == OrderState.CANCELLED and order.cancelled_at is not None
    assert order.active_lines == [] and order.balance_due == ZERO
    assert {state_of(i) for i in bookings_of(order)} == {BookingState.CANCELLED}
    assert credit_notes(order) == [gross]  # the whole invoice, once
    [note] = order.credit_notes
    assert note.content["reason"] == "Exhibitor withdrew"
    assert note.tax == order.invoice.tax
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.object_type == "orders",
                                 AuditEntry.object_id == str(order.id),
                                 AuditEntry.action == "cancelled")
    )  # fmt: skip
    assert entry is not None and entry.after["reason"] == "Exhibitor withdrew"
    # The booths are free: another exhibitor can hold one at once.
    hold(show, "F-101", show.globex, show.bob)


def test_cancelling_an_open_order_needs_no_credit_note(app):
    show = make_show()
    order = held_order(show, "F-101")

    outcome = admin.cancel_order(order, actor=show.organizer, reason="Duplicate", refund=False)

    assert outcome.credit_note is None
    assert fresh(order).state == OrderState.CANCELLED
    assert state_of(bookings_of(order)[0]) == BookingState.CANCELLED


def test_cancelling_a_paid_order_with_refund_returns_every_payment(app, mail):
    show = make_show()
    bank_settings(show.edition, tax_rate=Decimal("7.70"))
    order = awaiting_order(show, "F-101", "F-102")
    gross = order.gross_total
    pay(show, order, Decimal("250.00"))
    pay(show, order, gross - Decimal("250.00"))
    assert fresh(order).state == OrderState.PAID

    outcome = admin.cancel_order(fresh(order), actor=show.organizer, reason="Event change",
                                 refund=True)  # fmt: skip

    assert outcome.failures == []
    expected = sorted([Decimal("250.00"), gross - Decimal("250.00")])
    assert sorted(r.amount for r in outcome.refunds) == expected
    order = fresh(order)
    assert order.state == OrderState.CANCELLED
    assert {r.state for r in order.refunds} == {RefundState.SUCCEEDED}
    assert {r.credit_note_id for r in order.refunds} == {None}  # the cancellation credits
    assert credit_notes(order) == [gross]
    assert order.net_received == ZERO
    assert {state_of(i) for i in bookings_of(order)} == {BookingState.CANCELLED}


def test_cancelling_without_refund_keeps_the_money_for_a_later_refund(app):
    show = make_show()
    bank_settings(show.edition)
    order = awaiting_order(show, "F-101")
    gross = order.gross_total
    pay(show, order, Decimal("100.00"))
    assert state_of(bookings_of(order)[0]) == BookingState.CONFIRMED

    outcome = admin.cancel_order(fresh(order), actor=show.organizer, reason="Unpaid",
                                 refund=False)  # fmt: skip

    assert outcome.refunds == [] and outcome.credit_note is not None
    order = fresh(order)
    assert credit_notes(order) == [gross]
    assert order.amount_paid == Decimal("100.00") and order.amount_refunded == ZERO
    assert state_of(bookings_of(order)[0]) == BookingState.CANCELLED
    with pytest.raises(Conflict, match="already cancelled"):
        admin.cancel_order(order, actor=show.organizer, reason="again", refund=True)


def test_a_partial_refund_from_the_order_page_then_cancel_credits_only_the_rest(app, mail):
    show = make_show(with_mail_contacts=True)
    bank_settings(show.edition)
    order = awaiting_order(show, "F-101")
    gross = order.gross_total
    pay(show, order, gross)
    payment = fresh(order).payments[0]
    client = organizer_client(app, show)

    response = submit_form(
        client, f"{order_url(show, order)}/refund",
        {"refund-payment_id": str(payment.id), "refund-amount": "100.00",
         "refund-reason": "Smaller booth furniture package"},
        form_page=order_url(show, order),
    )  # fmt: skip
    assert response.status_code == 302
    order = fresh(order)
    [refund] = order.refunds
    assert refund.amount == Decimal("100.00") and refund.state == RefundState.SUCCEEDED
    assert credit_notes(order) == [Decimal("100.00")]
    assert order.state == OrderState.PAID  # a refund alone does not cancel

    response = submit_form(
        client, f"{order_url(show, order)}/refund",
        {"refund-payment_id": str(payment.id), "refund-amount": str(gross),
         "refund-reason": "Too much"},
        form_page=order_url(show, order),
    )  # fmt: skip
    assert response.status_code == 400
    assert "can be refunded" in html(response)

    outcome = admin.cancel_order(order, actor=show.organizer, reason="Cancelled", refund=True)

    order = fresh(order)
    assert [r.amount for r in outcome.refunds] == [gross - Decimal("100.00")]
    assert sorted(credit_notes(order)) == sorted([Decimal("100.00"), gross - Decimal("100.00")])
    assert sum(credit_notes(order)) == order.invoice.gross
    assert order.net_received == ZERO


def test_a_refund_that_fails_is_reported_and_the_cancellation_stands(app):
    show = make_show()
    bank_settings(show.edition)
    order = awaiting_order(show, "F-101")
    gross = order.gross_total
    pay(show, order, Decimal("50.00"))
    # A card payment for the rest; Stripe is not configured in the tests, so its
    # refund cannot be made.
    card = Payment(
        order_id=order.id, edition_id=order.edition_id, provider=PaymentProvider.CARD,
        amount=gross - Decimal("50.00"), currency=order.currency,
        stripe_payment_intent_id="pi_cancel_test", idempotency_key="cancel-test",
    )  # fmt: skip
    db.session.add(card)
    commit()
    from telecom.payments import settlement

    settlement.complete_payment(settlement.lock_payment(card.id), actor=None)
    commit()
    assert fresh(order).state == OrderState.PAID
    client = organizer_client(app, show)

    response = submit_form(
        client, f"{order_url(show, order)}/cancel",
        {"cancel-reason": "Withdrew", "cancel-refund": "y"},
        form_page=order_url(show, order), follow_redirects=True,
    )  # fmt: skip

    page = html(response)
    assert "is cancelled" in page
    assert f"for payment #{card.id} failed" in page
    order = fresh(order)
    assert order.state == OrderState.CANCELLED
    states = {r.payment_id: r.state for r in order.refunds}
    assert states[order.payments[0].id] == RefundState.SUCCEEDED
    assert states[card.id] == RefundState.FAILED
    assert fresh(order).payments[1].refundable == gross - Decimal("50.00")  # still to return


def test_a_cancellation_needs_a_reason(app):
    show = make_show()
    bank_settings(show.edition)
    order = awaiting_order(show, "F-101")
    client = organizer_client(app, show)

    response = submit_form(client, f"{order_url(show, order)}/cancel", {"cancel-reason": " "},
                           form_page=order_url(show, order))  # fmt: skip

    assert response.status_code == 400
    assert "Give a reason for the cancellation." in html(response)
    assert fresh(order).state == OrderState.AWAITING_TRANSFER
    with pytest.raises(ValidationError):
        admin.cancel_order(order, actor=show.organizer, reason="", refund=False)
    assert booking.live_booking(show.booth("F-101")) is not None
    assert {p.state for p in fresh(order).payments} <= {PaymentState.SUCCEEDED}
