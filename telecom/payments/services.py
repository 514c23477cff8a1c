"""Order lines. Called inside the caller's transaction (the booking services
commit), so a hold and its order line exist together or not at all.

Booth lines join the organisation's one open order. A paid visitor pass gets
an order of its own (no organisation, the visitor's account as buyer, one
PASS line pointing at the registration): the registration is confirmed when
that order is paid (settlement.settle_if_paid).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.models import utcnow
from telecom.exhibitors.models import BoothBooking, Organisation
from telecom.extensions import db
from telecom.payments.models import Order, OrderLine, OrderLineKind, OrderState
from telecom.payments.settings import settings_for

if TYPE_CHECKING:
    from telecom.participants.models import Registration

# No 0/O, 1/I/L: a reference is read off paper and typed into a bank form.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

LINE_FIELDS = ("order_id", "kind", "description", "unit_price", "quantity", "cancelled_at")


def open_order(organisation: Organisation) -> Order | None:
    """The organisation's open order at its edition, if it has one."""
    return db.session.scalar(
        select(Order).where(
            Order.edition_id == organisation.edition_id,
            Order.organisation_id == organisation.id,
            Order.state == OrderState.OPEN,
        )
    )


def new_reference(edition_year: int) -> str:
    """A payment reference such as TW15-K7QM-3XPA (unique column; 31^8 choices)."""
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"TW{edition_year % 100:02d}-{body[:4]}-{body[4:]}"


def new_order(
    edition_id: int, *, organisation_id: int | None, buyer: User | None, currency: str
) -> Order:
    """An open order with the edition's current tax rate and a payment reference."""
    from telecom.events.models import Edition

    edition = db.session.get(Edition, edition_id)
    assert edition is not None
    settings = settings_for(edition)
    order = Order(
        edition_id=edition_id,
        organisation_id=organisation_id,
        buyer_id=buyer.id if buyer is not None else None,
        state=OrderState.OPEN,
        currency=currency,
        reference=new_reference(edition.start_date.year),
        tax_rate=settings.tax_rate,
        tax_label=settings.tax_label,
    )
    db.session.add(order)
    db.session.flush()
    audit.record(
        "create", order, actor=buyer, edition_id=order.edition_id,
        after={"organisation_id": organisation_id, "currency": order.currency,
               "reference": order.reference, "tax_rate": str(order.tax_rate)},
    )  # fmt: skip
    return order


def add_booth_line(booking: BoothBooking, *, actor: User | None) -> OrderLine:
    """Start (or join) the organisation's open order with a line for a new hold.

    The caller holds the organisation's row lock, so two holds of one
    organisation cannot both create an open order; the partial unique index
    backs that up.
    """
    organisation = booking.organisation
    order = open_order(organisation)
    if order is None:
        order = new_order(
            booking.edition_id, organisation_id=organisation.id, buyer=actor,
            currency=booking.currency,
        )  # fmt: skip
    line = OrderLine(
        order=order,
        kind=OrderLineKind.BOOTH,
        description=f"Booth {booking.booth.code} ({booking.booth.hall.code})",
        booth_booking_id=booking.id,
        quantity=1,
        unit_price=booking.price,
    )
    db.session.add(line)
    db.session.flush()
    audit.record(
        "add_line", order, actor=actor, edition_id=order.edition_id,
        after=audit.snapshot(line, LINE_FIELDS),
    )  # fmt: skip
    return line


def _line_for(booking: BoothBooking) -> OrderLine | None:
    return db.session.scalar(select(OrderLine).where(OrderLine.booth_booking_id == booking.id))


def end_booth_line(booking: BoothBooking, *, actor: User | None) -> None:
    """A hold or booking ended: cancel its line."""
    line = _line_for(booking)
    if line is not None:
        end_line(line, actor=actor)


def end_line(line: OrderLine, *, actor: User | None) -> None:
    """Cancel a line; an unpaid order left empty is cancelled (its invoice credited)."""
    from telecom.payments import documents, settlement

    if line.cancelled_at is not None:
        return
    before = audit.snapshot(line, LINE_FIELDS)
    line.cancelled_at = utcnow()
    order = line.order
    audit.record(
        "cancel_line", order, actor=actor, edition_id=order.edition_id,
        before=before, after=audit.snapshot(line, LINE_FIELDS),
    )  # fmt: skip
    unpaid = order.state in (OrderState.OPEN, OrderState.AWAITING_TRANSFER)
    if unpaid and not order.active_lines:
        settlement.set_order_state(order, OrderState.CANCELLED, actor=actor)
        if order.invoice is not None:
            documents.issue_credit_note(
                order, order.invoice.gross, reason="Order cancelled", actor=actor
            )


def sync_booth_line(booking: BoothBooking, *, actor: User | None) -> None:
    """Keep an unpaid line's price and description in step with a moved booking."""
    line = _line_for(booking)
    if line is None or line.cancelled_at is not None or line.order.state != OrderState.OPEN:
        return
    before = audit.snapshot(line, LINE_FIELDS)
    line.unit_price = booking.price
    line.description = f"Booth {booking.booth.code} ({booking.booth.hall.code})"
    after = audit.snapshot(line, LINE_FIELDS)
    if after != before:
        audit.record(
            "update_line", line.order, actor=actor, edition_id=line.order.edition_id,
            before=before, after=after,
        )  # fmt: skip


# --- Visitor passes ----------------------------------------------------------------------

UNPAID_STATES = (OrderState.OPEN, OrderState.AWAITING_TRANSFER)


def pass_line_of(registration: Registration) -> OrderLine | None:
    """The registration's active line in an order still to be paid, if any."""
    if registration.order_id is None:
        return None
    return db.session.scalar(
        select(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.order_id == registration.order_id,
            OrderLine.registration_id == registration.id,
            OrderLine.kind == OrderLineKind.PASS,
            OrderLine.cancelled_at.is_(None),
            Order.state.in_(UNPAID_STATES),
        )
    )


def add_pass_line(registration: Registration, *, buyer: User, amount: Decimal) -> OrderLine:
    """The order that pays for a registration's pass: created once, then reused.

    In the caller's transaction; the caller holds the registration's row lock,
    so following the payment link twice at once still makes one order. An
    order of the same buyer still to be paid is reused; a cancelled or paid
    one (the registration was cancelled and made again) is not, and a new
    order is opened. Sets `registration.order_id`.
    """
    from telecom.events.models import Edition
    from telecom.participants.models import PassType

    line = pass_line_of(registration)
    if line is not None and line.order.buyer_id == buyer.id:
        return line
    if line is not None:
        # Someone else's account started paying (the address changed hands):
        # their unpaid order ends; this buyer gets their own.
        end_line(line, actor=buyer)
    edition = db.session.get(Edition, registration.edition_id)
    pass_type = (
        db.session.get(PassType, registration.pass_type_id) if registration.pass_type_id else None
    )
    assert edition is not None and pass_type is not None
    order = new_order(edition.id, organisation_id=None, buyer=buyer, currency=edition.currency)
    line = OrderLine(
        order=order,
        kind=OrderLineKind.PASS,
        description=f"{pass_type.name} – {edition.name}"[:300],
        registration_id=registration.id,
        quantity=1,
        unit_price=amount,
    )
    db.session.add(line)
    db.session.flush()
    audit.record(
        "add_line", order, actor=buyer, edition_id=order.edition_id,
        after=audit.snapshot(line, LINE_FIELDS) | {"registration_id": registration.id},
    )  # fmt: skip
    registration.order_id = order.id
    return line


def end_pass_line(registration: Registration, *, actor: User | None) -> Order | None:
    """A registration still to be paid was cancelled: end its line (its order with it).

    The caller should hold the order's row lock (taken before the
    registration's, the order in which settlement takes them). A paid order
    is left as it is: its money is refunded by an organizer, not here.
    Returns the order whose line ended, if any.
    """
    line = pass_line_of(registration)
    if line is None:
        return None
    end_line(line, actor=actor)
    return line.order
