"""Payments demo data: payment settings per edition, and orders for a few bookings.

The exhibition demo (telecom/exhibitors/demo.py) inserts bookings as history,
without orders. So that the organizer's payments pages show something, this
loader gives a handful of the paid bookings an order paid by bank transfer
(recorded payment, invoice), and two organizer-confirmed bookings an order
still awaiting the rest of its transfer (past its deadline: the overdue list).

Idempotent like the exhibition demo: the bookings are picked by booth code,
a booking that already has an order line is left alone, and settings already
saved are never overwritten. No mail, no booking service: this is history.
ITU is an international organisation, exempt from VAT: the rate is 0 %.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from telecom.auth.models import User
from telecom.events.models import Edition
from telecom.exhibitors.models import BookingState, Booth, BoothBooking, Hall
from telecom.extensions import db
from telecom.payments import documents
from telecom.payments.models import (
    CENT,
    Order,
    OrderLine,
    OrderLineKind,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentSettings,
    PaymentState,
)
from telecom.payments.services import new_reference

PAID_ORDERS = 6
AWAITING_ORDERS = 2
TRANSFER_DAYS = 30
# The Swiss example IBAN published by the banks (its checksum holds): a test account.
DEMO_IBAN = "CH9300762011623852957"
COUNT_KEYS = ("payment_settings", "orders", "payments", "invoices")


def _settings(edition: Edition, created: Counter) -> PaymentSettings:
    settings = db.session.scalar(
        select(PaymentSettings).where(PaymentSettings.edition_id == edition.id)
    )
    if settings is None:
        settings = PaymentSettings(
            edition_id=edition.id,
            tax_rate=Decimal("0.00"),
            tax_label="VAT",
            issuer_name="International Telecommunication Union",
            issuer_address="Place des Nations\n1211 Geneva 20\nSwitzerland",
            issuer_tax_id="",
            bank_account_holder="International Telecommunication Union",
            bank_name="Demo Bank Geneva (test account)",
            bank_iban=DEMO_IBAN,
            bank_bic="UBSWCHZH80A",
            transfer_days=TRANSFER_DAYS,
            bank_transfer_enabled=True,
            invoice_note=(
                "ITU is an international organisation exempt from VAT. Please quote the "
                "payment reference with your transfer."
            ),
        )
        db.session.add(settings)
        db.session.flush()
        created["payment_settings"] += 1
    return settings


def _candidates(edition: Edition, state: BookingState, count: int) -> list[BoothBooking]:
    """The first `count` bookings in `state` by booth code (the same ones on every run)."""
    rows = db.session.execute(
        select(BoothBooking, Booth.code, Hall.code)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .join(Hall, Hall.id == Booth.hall_id)
        .where(BoothBooking.edition_id == edition.id, BoothBooking.state == state)
        .order_by(Booth.code)
        .limit(count)
    ).all()
    return [booking for booking, _code, _hall in rows]


def _has_line(booking: BoothBooking) -> bool:
    return (
        db.session.scalar(select(OrderLine.id).where(OrderLine.booth_booking_id == booking.id))
        is not None
    )


def _order(
    edition: Edition, settings: PaymentSettings, booking: BoothBooking, state: OrderState,
    ordered_at: datetime,
) -> Order:  # fmt: skip
    order = Order(
        edition_id=edition.id,
        organisation_id=booking.organisation_id,
        state=state,
        currency=edition.currency,
        reference=new_reference(edition.start_date.year),
        tax_rate=settings.tax_rate,
        tax_label=settings.tax_label,
        transfer_due_at=ordered_at + timedelta(days=settings.transfer_days),
        paid_at=booking.paid_at if state == OrderState.PAID else None,
        created_at=ordered_at,
        updated_at=booking.paid_at or ordered_at,
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(
        OrderLine(
            order_id=order.id, kind=OrderLineKind.BOOTH,
            description=f"Booth {booking.booth.code} ({booking.booth.hall.code})",
            booth_booking_id=booking.id, quantity=1, unit_price=booking.price,
            created_at=ordered_at, updated_at=ordered_at,
        )
    )  # fmt: skip
    db.session.flush()
    db.session.refresh(order)
    return order


def _transfer(order: Order, amount: Decimal, when: datetime, organizer_id: int | None) -> None:
    db.session.add(
        Payment(
            order_id=order.id, edition_id=order.edition_id,
            provider=PaymentProvider.BANK_TRANSFER, state=PaymentState.SUCCEEDED,
            amount=amount, currency=order.currency, reference=f"Transfer {order.reference}",
            received_on=when.date(), recorded_by_id=organizer_id, settled_at=when,
            created_at=when, updated_at=when,
        )
    )  # fmt: skip


def load_payments_demo(edition: Edition) -> dict[str, int]:
    """Insert what is missing of one edition's payments demo; return counts created."""
    created: Counter = Counter()
    settings = _settings(edition, created)
    organizer_id = db.session.scalar(
        select(User.id).where(User.email == current_app.config["DEMO_ORGANIZER_EMAIL"])
    )
    chosen = [
        (booking, OrderState.PAID)
        for booking in _candidates(edition, BookingState.PAID, PAID_ORDERS)
    ] + [
        (booking, OrderState.AWAITING_TRANSFER)
        for booking in _candidates(edition, BookingState.CONFIRMED, AWAITING_ORDERS)
    ]
    # Invoices are numbered in the order they were issued: oldest booking first.
    chosen.sort(key=lambda pair: (pair[0].created_at, pair[0].id))
    for booking, state in chosen:
        if _has_line(booking):
            continue
        ordered_at = booking.confirmed_at or booking.created_at
        order = _order(edition, settings, booking, state, ordered_at)
        invoice = documents.issue_invoice(order, actor=None, paid=False)
        invoice.issued_at = ordered_at
        if state == OrderState.PAID:
            _transfer(order, order.gross_total, booking.paid_at or ordered_at, organizer_id)
        else:
            half = (order.gross_total / 2).quantize(CENT)
            _transfer(order, half, ordered_at + timedelta(days=7), organizer_id)
        created["orders"] += 1
        created["payments"] += 1
        created["invoices"] += 1
    db.session.commit()
    return {key: created[key] for key in COUNT_KEYS}
