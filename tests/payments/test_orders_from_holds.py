"""A booth hold starts the exhibitor's order; ending the hold takes the booth out of it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict
from telecom.core.models import utcnow
from telecom.exhibitors.services import booking
from telecom.extensions import db
from telecom.payments.models import Order, OrderLine, OrderState
from telecom.payments.services import open_order
from tests.exhibitors.factories import confirmed, hold, make_show
from tests.helpers import log_in


def orders_of(organisation_id: int) -> list[Order]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Order).where(Order.organisation_id == organisation_id).order_by(Order.id)
        )
    )


def test_a_hold_starts_an_order_at_the_quoted_price(app):
    show = make_show()

    held = hold(show, "F-103")

    [order] = orders_of(show.acme.id)
    assert order.state == OrderState.OPEN
    assert order.currency == show.edition.currency
    assert order.buyer_id == show.ada.id
    [line] = order.active_lines
    assert line.booth_booking_id == held.id
    assert line.unit_price == held.price
    assert order.total == held.price
    assert "F-103" in line.description
    assert (
        db.session.scalar(
            select(func.count()).where(
                AuditEntry.object_type == "orders", AuditEntry.object_id == str(order.id)
            )
        )
        == 2
    )  # created, line added


def test_further_holds_join_the_same_open_order(app):
    show = make_show()

    first = hold(show, "F-101")
    second = hold(show, "F-103")
    hold(show, "F-102", show.globex, show.bob)

    [order] = orders_of(show.acme.id)
    assert order.total == first.price + second.price
    assert len(order.active_lines) == 2
    assert len(orders_of(show.globex.id)) == 1  # another organisation, its own order


def test_releasing_a_hold_takes_its_booth_out_and_an_empty_order_is_cancelled(app):
    show = make_show()
    first = hold(show, "F-101")
    second = hold(show, "F-103")

    booking.release_hold(first, actor=show.ada)
    [order] = orders_of(show.acme.id)
    assert order.state == OrderState.OPEN
    assert order.total == second.price

    booking.release_hold(db.session.get(type(second), second.id), actor=show.ada)
    [order] = orders_of(show.acme.id)
    assert order.state == OrderState.CANCELLED
    assert order.active_lines == []
    assert open_order(show.acme) is None

    # A new hold starts a new order; the cancelled one stays as history.
    hold(show, "F-102")
    assert [o.state for o in orders_of(show.acme.id)] == [OrderState.CANCELLED, OrderState.OPEN]


def test_an_expired_hold_leaves_the_order_too(app):
    show = make_show()
    hold(show, "F-101", now=utcnow() - timedelta(hours=2))

    assert booking.release_expired() == 1

    [order] = orders_of(show.acme.id)
    assert order.state == OrderState.CANCELLED
    line = db.session.scalar(select(OrderLine))
    assert line is not None and line.cancelled_at is not None


def test_an_organizer_cancellation_leaves_the_order_and_a_move_reprices_it(app):
    show = make_show()
    booked = confirmed(show, "F-101")  # 9 sqm shell scheme
    held = hold(show, "F-102")

    booking.move_booking(booked, show.booth("F-201").id, actor=show.organizer)  # 36 sqm island
    [order] = orders_of(show.acme.id)
    moved = db.session.get(type(booked), booked.id)
    assert moved.price > held.price
    assert order.total == moved.price + held.price
    assert any("F-201" in line.description for line in order.active_lines)

    booking.cancel_booking(moved, actor=show.organizer, reason="Duplicate booking")
    [order] = orders_of(show.acme.id)
    assert order.total == held.price
    assert order.state == OrderState.OPEN


def test_a_refused_hold_leaves_no_order_behind(app):
    show = make_show()
    hold(show, "F-101")

    with pytest.raises(Conflict, match="just taken"):
        hold(show, "F-101", show.globex, show.bob)

    assert orders_of(show.globex.id) == []


def test_the_bookings_page_shows_the_open_order(app):
    show = make_show()
    first = hold(show, "F-101")
    second = hold(show, "F-103")
    client = app.test_client()
    log_in(client, "ada@acme.example")

    page = client.get(f"/editions/{show.edition.slug}/exhibitors/{show.acme.id}/bookings").get_data(
        as_text=True
    )

    [order] = orders_of(show.acme.id)
    assert f"Order {order.id}" in page
    assert "2 booths held for you in this order" in page
    total = first.price + second.price
    assert f"{total:,.2f}" in page
    assert total > Decimal(0)
