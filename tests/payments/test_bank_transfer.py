"""Paying by bank transfer: invoice first, booths reserved until the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import OutboxMessage
from telecom.exhibitors.models import BookingState, BoothBooking
from telecom.exhibitors.services import booking
from telecom.extensions import db
from telecom.payments import settlement, transfer
from telecom.payments.models import (
    Document,
    DocumentKind,
    OrderState,
    Payment,
    PaymentProvider,
)
from telecom.payments.services import new_order
from tests.exhibitors.factories import Show, hold, make_show, save_settings
from tests.helpers import body_of, html, log_in, make_user, submit_form
from tests.payments.buyer_support import (
    fresh,
    held_order,
    make_payable_show,
    pdf_text,
    save_payment_settings,
)


@pytest.fixture
def show(app) -> Show:
    return make_show()


@pytest.fixture
def payable(app) -> Show:
    return make_payable_show()


def booking_of(booking_id: int) -> BoothBooking:
    db.session.expire_all()
    found = db.session.get(BoothBooking, booking_id)
    assert found is not None
    return found


def test_choosing_bank_transfer_invoices_the_order_and_reserves_the_booth_until_the_deadline(
    payable: Show,
):
    show = payable
    save_settings(show.edition, hold_minutes=30)
    held = hold(show, "F-101")
    order = held_order(show, "F-103")
    card_hold_ends = held.held_until
    assert card_hold_ends is not None

    chosen = transfer.choose_bank_transfer(order, actor=show.ada)

    order = fresh(chosen)
    assert order.state == OrderState.AWAITING_TRANSFER
    # The end of the 14th day from today, in the edition's time zone (Budapest).
    local_due = order.transfer_due_at.astimezone(ZoneInfo("Europe/Budapest"))
    today = utcnow().astimezone(ZoneInfo("Europe/Budapest")).date()
    assert local_due.date() == today + timedelta(days=14)
    assert (local_due.hour, local_due.minute, local_due.second) == (23, 59, 59)
    for line in order.active_lines:
        reserved = booking_of(line.booth_booking_id)
        assert reserved.state == BookingState.HELD
        assert reserved.held_until == order.transfer_due_at
        assert reserved.held_until > card_hold_ends + timedelta(days=13)

    invoice = order.invoice
    assert invoice is not None and invoice.number == "TW2015-000001"
    assert invoice.gross == order.gross_total
    assert invoice.content["paid"] is False
    assert invoice.content["bank"]["iban"] == "CH93 0076 2011 6238 5295 7"
    assert invoice.content["reference"] == order.reference
    assert invoice.content["due"] == order.transfer_due_at.date().isoformat()
    actions = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "orders", AuditEntry.object_id == str(order.id))
            .order_by(AuditEntry.id)
        )
    )
    assert actions[-2:] == ["awaiting_transfer", "set_transfer_deadline"]


def test_the_invoice_arrives_by_mail_with_its_pdf(payable: Show, mail):
    show = payable
    order = held_order(show)

    transfer.choose_bank_transfer(order, actor=show.ada)

    messages = mail.wait_for(2)  # the hold's mail, then the invoice
    [message] = [m for m in messages if m["Subject"].startswith("Invoice ")]
    order = fresh(order)
    assert message["To"] == "ada@acme.example"
    assert "TW2015-000001" in message["Subject"]
    [text_part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    body = body_of(text_part)
    assert order.reference in body
    assert "CH93 0076 2011 6238 5295 7" in body
    assert f"/orders/{order.id}" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "TW2015-000001.pdf"
    pdf = attachment.get_payload(decode=True)
    assert pdf.startswith(b"%PDF-")
    words = pdf_text(pdf)
    assert "TW2015-000001" in words
    assert order.reference in words
    assert "CH93 0076 2011 6238 5295 7" in words


def test_the_buyer_chooses_bank_transfer_on_the_order_page(payable: Show, client):
    show = payable
    order = held_order(show)
    log_in(client, "ada@acme.example")

    response = submit_form(
        client, f"/orders/{order.id}/bank-transfer", form_page=f"/orders/{order.id}",
        follow_redirects=True,
    )  # fmt: skip

    page = html(response)
    assert "Invoice TW2015-000001 is on its way to you by e-mail" in page
    assert "Awaiting transfer" in page
    assert "Pay by bank transfer" not in page
    order = fresh(order)
    assert order.state == OrderState.AWAITING_TRANSFER
    assert f"/documents/{order.invoice.id}.pdf" in page


def test_a_second_choice_is_refused_and_changes_nothing(payable: Show):
    show = payable
    order = held_order(show)
    transfer.choose_bank_transfer(order, actor=show.ada)
    due = fresh(order).transfer_due_at

    with pytest.raises(Conflict, match="already chose bank transfer"):
        transfer.choose_bank_transfer(
            fresh(order), actor=show.ada, now=utcnow() + timedelta(days=2)
        )

    order = fresh(order)
    assert order.transfer_due_at == due
    assert db.session.scalar(select(func.count(Document.id))) == 1


def test_an_empty_or_cancelled_order_cannot_be_paid_by_transfer(payable: Show):
    show = payable
    empty = new_order(show.edition.id, organisation_id=show.acme.id, buyer=show.ada,
                      currency="CHF")  # fmt: skip
    commit()

    with pytest.raises(ValidationError, match="empty"):
        transfer.choose_bank_transfer(empty, actor=show.ada)

    db.session.delete(fresh(empty))
    commit()
    order = held_order(show)
    [line] = order.active_lines
    booking.release_hold(booking_of(line.booth_booking_id), actor=show.ada)
    with pytest.raises(Conflict, match="cancelled"):
        transfer.choose_bank_transfer(fresh(order), actor=show.ada)
    assert db.session.scalar(select(func.count(Document.id))) == 0


def test_bank_transfer_is_refused_when_the_edition_does_not_take_it(show: Show):
    save_payment_settings(show.edition, bank_transfer_enabled=False)
    order = held_order(show)

    with pytest.raises(ValidationError, match="not offered"):
        transfer.choose_bank_transfer(order, actor=show.ada)

    order = fresh(order)
    assert order.state == OrderState.OPEN
    assert order.transfer_due_at is None
    assert order.documents == []
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # the hold's mail only


def test_bank_transfer_needs_the_bank_details(show: Show):
    save_payment_settings(show.edition, bank_iban="")
    order = held_order(show)

    with pytest.raises(ValidationError, match="not offered"):
        transfer.choose_bank_transfer(order, actor=show.ada)

    assert fresh(order).state == OrderState.OPEN


def test_others_cannot_choose_for_the_order(payable: Show):
    show = payable
    order = held_order(show)
    stranger = make_user("eve@example.org")

    for outsider in (show.bob, stranger):
        with pytest.raises(NotFound):
            transfer.choose_bank_transfer(fresh(order), actor=outsider)
    assert fresh(order).state == OrderState.OPEN


def test_a_card_payment_under_way_blocks_the_transfer(payable: Show):
    show = payable
    order = held_order(show)
    db.session.add(
        Payment(order_id=order.id, edition_id=order.edition_id, provider=PaymentProvider.CARD,
                amount=order.gross_total, currency=order.currency,
                stripe_payment_intent_id="pi_under_way", idempotency_key="under-way")
    )  # fmt: skip
    commit()

    with pytest.raises(Conflict, match="card payment for this order is under way"):
        transfer.choose_bank_transfer(fresh(order), actor=show.ada)
    assert fresh(order).state == OrderState.OPEN


def test_a_hold_that_ran_out_is_not_invoiced(payable: Show):
    show = payable
    order = held_order(show)

    with pytest.raises(Conflict, match="has run out"):
        transfer.choose_bank_transfer(order, actor=show.ada, now=utcnow() + timedelta(hours=2))

    assert fresh(order).state == OrderState.OPEN
    assert fresh(order).documents == []


def test_a_forged_or_expired_form_changes_nothing(payable: Show, client):
    show = payable
    order = held_order(show)
    log_in(client, "bob@globex.example")
    assert submit_form(client, f"/orders/{order.id}/bank-transfer",
                       form_page="/account/orders").status_code == 404  # fmt: skip

    client = client.application.test_client()
    log_in(client, "ada@acme.example")
    response = client.post(f"/orders/{order.id}/bank-transfer")  # no CSRF token
    assert response.status_code == 400
    assert fresh(order).state == OrderState.OPEN


def test_an_unpaid_transfer_order_is_cancelled_and_credited_after_the_deadline(payable: Show, mail):
    show = payable
    order = held_order(show, "F-101", "F-103")
    transfer.choose_bank_transfer(order, actor=show.ada)
    order = fresh(order)
    due = order.transfer_due_at
    invoice_gross = order.invoice.gross

    # A card hold's lifetime later, and the day before the deadline: still reserved.
    assert booking.release_expired(now=utcnow() + timedelta(hours=1)) == 0
    assert booking.release_expired(now=due - timedelta(days=1)) == 0
    assert fresh(order).state == OrderState.AWAITING_TRANSFER

    assert booking.release_expired(now=due + timedelta(seconds=1)) == 2

    order = fresh(order)
    assert order.state == OrderState.CANCELLED
    assert order.balance_due == Decimal("0.00")
    [credit_note] = order.credit_notes
    assert credit_note.number == "TW2015-CN-000001"
    assert credit_note.gross == invoice_gross
    assert credit_note.content["invoice_number"] == "TW2015-000001"
    assert all(
        booking_of(line.booth_booking_id).state == BookingState.RELEASED for line in order.lines
    )


def test_a_transfer_recorded_in_time_books_the_booths_on_the_same_invoice(payable: Show):
    show = payable
    order = held_order(show)
    transfer.choose_bank_transfer(order, actor=show.ada)
    order = fresh(order)
    payment = Payment(
        order_id=order.id, edition_id=order.edition_id, provider=PaymentProvider.BANK_TRANSFER,
        amount=order.gross_total, currency=order.currency, reference=order.reference,
        received_on=datetime.now(UTC).date(),
    )  # fmt: skip
    db.session.add(payment)
    commit()

    settlement.complete_payment(settlement.lock_payment(payment.id), actor=show.organizer)
    commit()

    order = fresh(order)
    assert order.state == OrderState.PAID
    assert [d.number for d in order.documents if d.kind == DocumentKind.INVOICE] == [
        "TW2015-000001"
    ]
    [line] = order.active_lines
    assert booking_of(line.booth_booking_id).state == BookingState.PAID
