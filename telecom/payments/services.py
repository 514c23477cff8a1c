"""Order rules. Called inside the caller's transaction (the booking services
commit), so a hold and its order line exist together or not at all.
"""

from __future__ import annotations

from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.models import utcnow
from telecom.exhibitors.models import BoothBooking, Organisation
from telecom.extensions import db
from telecom.payments.models import Order, OrderLine, OrderLineKind, OrderState

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


def add_booth_line(booking: BoothBooking, *, actor: User | None) -> OrderLine:
    """Start (or join) the organisation's open order with a line for a new hold.

    The caller holds the organisation's row lock, so two holds of one
    organisation cannot both create an open order; the partial unique index
    backs that up.
    """
    organisation = booking.organisation
    order = open_order(organisation)
    if order is None:
        order = Order(
            edition_id=booking.edition_id,
            organisation_id=organisation.id,
            buyer_id=actor.id if actor is not None else None,
            state=OrderState.OPEN,
            currency=booking.currency,
        )
        db.session.add(order)
        db.session.flush()
        audit.record(
            "create", order, actor=actor, edition_id=order.edition_id,
            after={"organisation": organisation.display_name, "currency": order.currency},
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
    """A hold or booking ended: cancel its line; an open order left empty is cancelled."""
    line = _line_for(booking)
    if line is None or line.cancelled_at is not None:
        return
    before = audit.snapshot(line, LINE_FIELDS)
    line.cancelled_at = utcnow()
    order = line.order
    audit.record(
        "cancel_line", order, actor=actor, edition_id=order.edition_id,
        before=before, after=audit.snapshot(line, LINE_FIELDS),
    )  # fmt: skip
    if order.state == OrderState.OPEN and not order.active_lines:
        order.state = OrderState.CANCELLED
        audit.record(
            "cancel", order, actor=actor, edition_id=order.edition_id,
            before={"state": OrderState.OPEN.value}, after={"state": order.state.value},
        )  # fmt: skip


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
