"""An organizer records bank transfers: partial payments secure the booths, the
last one pays the order; refusals change nothing; overdue transfers and their
deadlines; two organizers recording the last transfer at once."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.errors import Conflict, Forbidden, ValidationError
from telecom.core.models import utcnow
from telecom.exhibitors.models import BookingState, BoothBooking
from telecom.exhibitors.services import booking
from telecom.extensions import db
from telecom.payments import admin
from telecom.payments.models import (
    Document,
    DocumentKind,
    Order,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
)
from tests.concurrency import race
from tests.exhibitors.factories import make_show, state_of
from tests.helpers import html, make_organizer, submit_form
from tests.payments.admin_support import (
    awaiting_order,
    bank_settings,
    base_url,
    fresh,
    held_order,
    order_url,
    organizer_client,
)

CENT = Decimal("0.01")


def today(show) -> date:  # type: ignore[no-untyped-def]
    return admin.edition_today(show.edition)


def booking_ids(order: Order) -> list[int]:
    return [line.booth_booking_id for line in order.active_lines if line.booth_booking_id]


def wait_for_receipts(mail, count: int) -> list:  # type: ignore[no-untyped-def]
    """The receipts the SMTP sink got, once there are `count` of them (or fail)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        got = [m for m in list(mail.messages) if "Payment received" in m["Subject"]]
        if len(got) >= count:
            return got
        time.sleep(0.02)
    raise AssertionError(f"expected {count} receipts")


def test_a_partial_then_a_full_transfer_pay_the_order_and_book_its_booths(app, mail):
    show = make_show(with_mail_contacts=True)
    bank_settings(show.edition, tax_rate=Decimal("7.70"))
    order = awaiting_order(show, "F-101", "F-103")
    gross = order.gross_total
    assert order.tax > 0
    first = (gross / 3).quantize(CENT)
    client = organizer_client(app, show)

    response = submit_form(
        client, f"{order_url(show, order)}/transfer",
        {"transfer-amount": str(first), "transfer-received_on": today(show).isoformat(),
         "transfer-reference": "UBS 2015-10-01 / 4411"},
        form_page=order_url(show, order),
    )  # fmt: skip

    assert response.status_code == 302
    order = fresh(order)
    assert order.state == OrderState.AWAITING_TRANSFER
    assert order.balance_due == gross - first
    # The money secures the booths: confirmed, so the deadline sweep leaves them.
    assert {state_of(i) for i in booking_ids(order)} == {BookingState.CONFIRMED}
    assert booking.release_expired(now=utcnow() + timedelta(days=90)) == 0
    page = html(client.get(order_url(show, order)))
    assert "UBS 2015-10-01 / 4411" in page
    assert "Transfer of" in page  # the flash message
    assert "Still due" in page

    rest = admin.record_transfer(
        fresh(order), amount=gross - first, received_on=today(show) - timedelta(days=1),
        reference="UBS 2015-10-02 / 4412", actor=show.organizer,
    )  # fmt: skip

    order = fresh(order)
    assert rest.state == PaymentState.SUCCEEDED
    assert order.state == OrderState.PAID and order.paid_at is not None
    assert order.balance_due == 0 and order.net_received == gross
    assert {state_of(i) for i in booking_ids(order)} == {BookingState.PAID}
    assert [p.provider for p in order.payments] == [PaymentProvider.BANK_TRANSFER] * 2
    assert {p.recorded_by_id for p in order.payments} == {show.organizer.id}
    [invoice] = order.documents  # the transfer invoice; none issued again when paid
    assert invoice.kind == DocumentKind.INVOICE and invoice.gross == gross
    # One receipt per payment, to the member and the organisation's contact.
    got = wait_for_receipts(mail, 4)
    assert sorted(m["To"] for m in got) == ["ada@acme.example", "ada@acme.example",
                                            "sales@acme.example", "sales@acme.example"]  # fmt: skip
    assert any("paid in full" in m.get_content() for m in got)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "payments")
    ).all()
    assert actions.count("record_transfer") == 2 and actions.count("succeed") == 2


def test_an_open_order_paid_against_a_pro_forma_is_invoiced_for_transfer_first(app):
    show = make_show()
    bank_settings(show.edition)
    order = held_order(show, "F-101")
    gross = order.gross_total

    admin.record_transfer(order, amount=Decimal("100.00"), received_on=today(show),
                          reference="Pro-forma 77", actor=show.organizer)  # fmt: skip

    order = fresh(order)
    assert order.state == OrderState.AWAITING_TRANSFER
    assert order.transfer_due_at is not None and order.transfer_due_at > utcnow()
    assert order.invoice is not None and order.invoice.content["paid"] is False
    assert order.balance_due == gross - Decimal("100.00")
    assert state_of(booking_ids(order)[0]) == BookingState.CONFIRMED


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


REFUSALS = [
    ("-5", 0, "ref", "more than zero"),
    ("0", 0, "ref", "more than zero"),
    ("12.345", 0, "ref", "at most two decimals"),
    ("abc", 0, "ref", "as a number"),
    ("100", 1, "ref", "cannot be in the future"),
    ("100", 0, "   ", "bank reference"),
    ("999999", 0, "ref", "more than the balance due"),
]


def test_a_refused_transfer_changes_nothing(app):
    show = make_show()
    bank_settings(show.edition)
    order = awaiting_order(show, "F-101")
    payments, documents = _count(Payment), _count(Document)

    for amount, days_ahead, reference, message in REFUSALS:
        with pytest.raises(ValidationError) as refused:
            admin.record_transfer(
                fresh(order), amount=amount, received_on=today(show) + timedelta(days=days_ahead),
                reference=reference, actor=show.organizer,
            )  # fmt: skip

        assert message in refused.value.message, amount
        assert (_count(Payment), _count(Document)) == (payments, documents)
        assert fresh(order).state == OrderState.AWAITING_TRANSFER


def test_the_page_shows_a_refusal_on_its_field(app):
    show = make_show()
    bank_settings(show.edition)
    order = awaiting_order(show, "F-101")
    client = organizer_client(app, show)

    too_much = order.gross_total + Decimal("0.01")
    response = submit_form(
        client, f"{order_url(show, order)}/transfer",
        {"transfer-amount": str(too_much), "transfer-received_on": today(show).isoformat(),
         "transfer-reference": "UBS"},
        form_page=order_url(show, order),
    )  # fmt: skip
    assert response.status_code == 400
    assert "is more than the balance due" in html(response)
    assert 'id="transfer-amount"' in html(response) and "is-invalid" in html(response)

    response = submit_form(
        client, f"{order_url(show, order)}/transfer",
        {"transfer-amount": "10", "transfer-received_on": today(show).isoformat(),
         "transfer-reference": ""},
        form_page=order_url(show, order),
    )  # fmt: skip
    assert response.status_code == 400
    assert "Give the bank reference of the transfer." in html(response)
    assert _count(Payment) == 0


def test_no_transfer_for_a_paid_or_cancelled_order_and_only_organizers_record(app):
    show = make_show()
    bank_settings(show.edition)
    order = awaiting_order(show, "F-101")
    with pytest.raises(Forbidden):
        admin.record_transfer(order, amount=Decimal("1"), received_on=today(show),
                              reference="x", actor=show.ada)  # fmt: skip
    admin.record_transfer(order, amount=order.gross_total, received_on=today(show),
                          reference="all", actor=show.organizer)  # fmt: skip
    with pytest.raises(Conflict, match="already paid"):
        admin.record_transfer(fresh(order), amount=Decimal("1"), received_on=today(show),
                              reference="again", actor=show.organizer)  # fmt: skip

    other = awaiting_order(show, "F-102", organisation=show.globex)
    admin.cancel_order(other, actor=show.organizer, reason="Withdrew", refund=False)
    with pytest.raises(Conflict, match="cancelled"):
        admin.record_transfer(fresh(other), amount=Decimal("1"), received_on=today(show),
                              reference="late", actor=show.organizer)  # fmt: skip


def test_overdue_transfers_are_listed_oldest_first_and_a_deadline_can_be_extended(app):
    show = make_show()
    bank_settings(show.edition)
    late = awaiting_order(show, "F-101")
    later = awaiting_order(show, "F-102", organisation=show.globex)
    not_yet = awaiting_order(show, "F-103")  # Acme again: a second order
    late.transfer_due_at = utcnow() - timedelta(days=5)
    later.transfer_due_at = utcnow() - timedelta(days=1)
    commit()
    admin.record_transfer(fresh(later), amount=Decimal("10.00"), received_on=today(show),
                          reference="part", actor=show.organizer)  # fmt: skip
    client = organizer_client(app, show)

    page = html(client.get(f"{base_url(show)}/overdue"))

    assert page.index(f'id="overdue-{late.id}"') < page.index(f'id="overdue-{later.id}"')
    assert f'id="overdue-{not_yet.id}"' not in page
    assert "2 overdue orders" in page

    new_due = today(show) + timedelta(days=10)
    response = submit_form(
        client, f"{order_url(show, late)}/deadline", {"deadline-due": new_due.isoformat()},
        form_page=order_url(show, late),
    )  # fmt: skip
    assert response.status_code == 302
    late = fresh(late)
    assert late.transfer_due_at is not None and late.transfer_due_at > utcnow()
    assert admin.edition_today(show.edition, late.transfer_due_at) == new_due
    held = db.session.get(BoothBooking, booking_ids(late)[0])
    assert held.state == BookingState.HELD and held.held_until == late.transfer_due_at
    assert "extend_deadline" in db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "orders",
                                        AuditEntry.object_id == str(late.id))
    ).all()  # fmt: skip
    assert f'id="overdue-{late.id}"' not in html(client.get(f"{base_url(show)}/overdue"))

    response = submit_form(
        client, f"{order_url(show, late)}/deadline",
        {"deadline-due": (today(show) - timedelta(days=1)).isoformat()},
        form_page=order_url(show, late),
    )  # fmt: skip
    assert response.status_code == 400
    assert "must be after today" in html(response)


@pytest.mark.usefixtures("app")
def test_two_organizers_recording_the_last_transfer_at_once_settle_once(
    racing_app: Flask, mail
) -> None:
    show = make_show()
    bank_settings(show.edition)
    second = make_organizer("second.organizer@example.org")
    order = awaiting_order(show, "F-101", "F-103")
    admin.record_transfer(order, amount=Decimal("100.00"), received_on=today(show),
                          reference="first", actor=show.organizer)  # fmt: skip
    balance = fresh(order).balance_due
    order_id, received = order.id, today(show)

    def job(user_id: int, reference: str):  # type: ignore[no-untyped-def]
        def prepare():  # type: ignore[no-untyped-def]
            mine = db.session.get(Order, order_id)
            actor = db.session.get(User, user_id)
            return lambda: admin.record_transfer(
                mine, amount=balance, received_on=received, reference=reference, actor=actor
            )

        return prepare

    outcomes = race(racing_app, [job(show.organizer.id, "A"), job(second.id, "B")])

    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1 and isinstance(errors[0], Conflict | ValidationError), errors
    order = fresh(order_id)
    assert order.state == OrderState.PAID
    assert order.net_received == order.gross_total  # no overpayment
    assert len([p for p in order.payments if p.state == PaymentState.SUCCEEDED]) == 2
    assert len(order.documents) == 1
    assert {state_of(i) for i in booking_ids(order)} == {BookingState.PAID}
