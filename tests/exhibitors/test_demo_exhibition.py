"""The demo exhibitions: the published 2015 figures, a sound floor plan, idempotent loading."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from telecom.auth.services import get_user_by_email
from telecom.core.countries import is_valid_country
from telecom.demo import load_demo_data
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    ACTIVE_BOOKING_STATES,
    BookingState,
    Booth,
    BoothBooking,
    CoExhibitorStatus,
    Hall,
    Organisation,
    PavilionKind,
    RateCategory,
    TurnoverBand,
)
from telecom.exhibitors.services.access import organisations_of
from telecom.exhibitors.services.pricing import price_booth
from telecom.exhibitors.services.settings import settings_for
from telecom.extensions import db

BOOKED = (BookingState.CONFIRMED, BookingState.PAID)


def edition(slug: str = "telecom-world-2015") -> Edition:
    found = db.session.scalar(select(Edition).where(Edition.slug == slug))
    assert found is not None
    return found


def exhibitors(edition_id: int) -> list[Organisation]:
    """UFI: organisations with a confirmed or paid booking, plus approved co-exhibitors."""
    booking = select(BoothBooking.organisation_id).where(
        BoothBooking.edition_id == edition_id, BoothBooking.state.in_(BOOKED)
    )
    return list(
        db.session.scalars(
            select(Organisation).where(
                Organisation.edition_id == edition_id,
                Organisation.id.in_(booking)
                | (Organisation.co_exhibitor_status == CoExhibitorStatus.APPROVED),
            )
        )
    )


def net_sqm(edition_id: int) -> Decimal:
    return db.session.scalar(
        select(func.sum(Booth.width * Booth.depth))
        .join(BoothBooking, BoothBooking.booth_id == Booth.id)
        .where(BoothBooking.edition_id == edition_id, BoothBooking.state.in_(BOOKED))
    ) or Decimal(0)


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def test_2015_has_the_published_figures(app: Flask) -> None:
    load_demo_data()
    ed = edition()

    found = exhibitors(ed.id)
    assert len(found) == 238
    countries = {o.country for o in found}
    assert len(countries) == 54
    assert all(is_valid_country(code) and code == code.upper() for code in countries)
    assert abs(net_sqm(ed.id) - 13_000) <= Decimal("0.03") * 13_000

    pavilions = db.session.scalars(
        select(Organisation).where(
            Organisation.edition_id == ed.id, Organisation.pavilion_kind == PavilionKind.NATIONAL
        )
    ).all()
    assert len(pavilions) == 23
    assert len({p.country for p in pavilions}) == 23
    for pavilion in pavilions:
        assert pavilion.rate_category == RateCategory.GOVERNMENT
        assert any(b.state in BOOKED for b in pavilion.bookings), pavilion.legal_name
        approved = [c for c in pavilion.co_exhibitors
                    if c.co_exhibitor_status == CoExhibitorStatus.APPROVED]  # fmt: skip
        assert len(approved) >= 2, pavilion.legal_name
        assert {c.country for c in approved} == {pavilion.country}
        # The space the pavilion booked is reserved for it on the plan.
        assert all(b.booth.pavilion_id == pavilion.id for b in pavilion.bookings if b.is_active)

    # Plausible spread: many SMEs, a few giants, every rate in use.
    bands = [o.turnover_band for o in found]
    assert bands.count(TurnoverBand.UNDER_10M) > len(found) / 3
    assert 3 <= bands.count(TurnoverBand.OVER_10B) <= 12
    assert set(bands) == set(TurnoverBand)
    assert {o.rate_category for o in found} == set(RateCategory)
    assert all(o.website.startswith("https://") and o.website.endswith(".example") for o in found)


def test_2015_plan_has_available_and_blocked_booths(app: Flask) -> None:
    load_demo_data()
    ed = edition()
    halls = db.session.scalars(select(Hall).where(Hall.edition_id == ed.id)).all()
    assert sorted(h.code for h in halls) == ["F", "G"]
    booths = db.session.scalars(select(Booth).where(Booth.edition_id == ed.id)).all()
    active = set(
        db.session.scalars(
            select(BoothBooking.booth_id).where(
                BoothBooking.edition_id == ed.id, BoothBooking.state.in_(ACTIVE_BOOKING_STATES)
            )
        )
    )
    available = [b for b in booths if b.id not in active and not b.blocked]
    blocked = [b for b in booths if b.blocked]
    assert len(available) >= 10
    assert 1 <= len(blocked) <= 10
    assert all(b.blocked_reason for b in blocked)
    assert not active & {b.id for b in blocked}
    assert {b.open_sides for b in booths} == {1, 2, 3, 4}  # inline, corner, peninsula, island
    assert {b.booth_type.value for b in booths} == {"space_only", "shell_scheme"}


def test_bookings_are_consistent(app: Flask) -> None:
    load_demo_data()
    for slug in ("telecom-world-2013", "telecom-world-2015"):
        ed = edition(slug)
        settings = settings_for(ed)
        assert settings.id is not None  # a saved row, not the defaults
        event_start = datetime(ed.start_date.year, ed.start_date.month, ed.start_date.day,
                               tzinfo=UTC)  # fmt: skip
        bookings = db.session.scalars(
            select(BoothBooking).where(BoothBooking.edition_id == ed.id)
        ).all()
        assert {b.state for b in bookings} >= {BookingState.PAID, BookingState.CONFIRMED}
        for booking in bookings:
            quote = price_booth(booking.booth, settings, ed.currency,
                                booking.organisation.rate_category)  # fmt: skip
            assert booking.price == quote.total
            assert booking.currency == ed.currency == "CHF"
            assert booking.organisation.edition_id == booking.booth.edition_id == ed.id
            assert booking.organisation.pavilion_id is None  # co-exhibitors never book
            if booking.state in BOOKED:
                assert booking.held_until is None and booking.ended_at is None
                assert booking.confirmed_at is not None
                assert booking.confirmed_at.year == ed.start_date.year
                assert booking.created_at <= booking.confirmed_at < event_start
            if booking.state == BookingState.PAID:
                assert booking.paid_at is not None
                assert booking.confirmed_at <= booking.paid_at < event_start
            else:
                assert booking.paid_at is None
            if booking.state in (BookingState.RELEASED, BookingState.CANCELLED):
                assert booking.ended_at is not None and booking.end_reason

        # Never two active bookings on one booth.
        per_booth = db.session.execute(
            select(BoothBooking.booth_id, func.count())
            .where(BoothBooking.edition_id == ed.id, BoothBooking.state.in_(ACTIVE_BOOKING_STATES))
            .group_by(BoothBooking.booth_id)
            .having(func.count() > 1)
        ).all()
        assert per_booth == []


def _touching(a: Booth, b: Booth) -> set[str]:
    """Which sides of `a` the booth `b` rests against (sharing more than a point)."""
    sides = set()
    ax2, ay2, bx2, by2 = a.x + a.width, a.y + a.depth, b.x + b.width, b.y + b.depth
    overlap_x = min(ax2, bx2) - max(a.x, b.x) > 0
    overlap_y = min(ay2, by2) - max(a.y, b.y) > 0
    if overlap_x and by2 == a.y:
        sides.add("top")
    if overlap_x and b.y == ay2:
        sides.add("bottom")
    if overlap_y and bx2 == a.x:
        sides.add("left")
    if overlap_y and b.x == ax2:
        sides.add("right")
    return sides


def test_every_booth_lies_inside_its_hall_without_overlaps(app: Flask) -> None:
    load_demo_data()
    by_hall: dict[int, list[Booth]] = defaultdict(list)
    for booth in db.session.scalars(select(Booth).order_by(Booth.code)):
        by_hall[booth.hall_id].append(booth)
    assert len(by_hall) == 4  # F and G in 2015, Challenger 1 and 2 in 2013
    for hall_id, booths in by_hall.items():
        hall = db.session.get(Hall, hall_id)
        assert hall is not None
        for booth in booths:
            assert booth.edition_id == hall.edition_id
            assert booth.x >= 0 and booth.y >= 0
            assert booth.x + booth.width <= hall.width, booth.code
            assert booth.y + booth.depth <= hall.depth, booth.code
        for i, a in enumerate(booths):
            closed: set[str] = set()
            for b in booths[i + 1 :]:
                overlaps = (a.x < b.x + b.width and b.x < a.x + a.width
                            and a.y < b.y + b.depth and b.y < a.y + a.depth)  # fmt: skip
                assert not overlaps, f"{a.code} overlaps {b.code}"
            for b in booths:
                if b is not a:
                    closed |= _touching(a, b)
            # Open sides are the sides facing an aisle: 1 inline, 2 corner, 3 peninsula, 4 island.
            assert a.open_sides == 4 - len(closed), a.code


def test_loading_twice_creates_nothing(app: Flask) -> None:
    first = load_demo_data()
    assert first["booths"] > 0 and first["organisations"] > 0 and first["booth_bookings"] > 0
    after_first = table_counts()

    second = load_demo_data()

    assert set(second.values()) == {0}
    assert table_counts() == after_first


def test_the_demo_exhibitor_contact_manages_a_paid_2015_exhibitor(app: Flask) -> None:
    load_demo_data()
    user = get_user_by_email("exhibitor@telecom-world.example")
    assert user is not None

    [organisation] = organisations_of(user, edition().id)

    assert organisation.legal_name == "Danube Networks Kft."
    assert organisation.country == "HU"
    assert [b.state for b in organisation.bookings] == [BookingState.PAID]
