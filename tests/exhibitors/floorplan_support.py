"""Helpers the floor-plan, booth-admin and import tests share (no tests here).

Halls and booths go through the floor-plan services; organisations are made
directly with the models; bookings go through the real booking service
(hold_booth, confirm_booking).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from html import unescape

from flask import Flask
from sqlalchemy import event, select

from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    Booth,
    BoothBooking,
    BoothType,
    Hall,
    Organisation,
    OrganisationMember,
    PavilionKind,
    Sector,
    TurnoverBand,
)
from telecom.exhibitors.services import booking as booking_services
from telecom.exhibitors.services import floorplan_editor as services
from telecom.extensions import db
from tests.helpers import make_user

__test__ = False  # helpers only

SLUG = "telecom-world-2015"
PLAN_URL = f"/editions/{SLUG}/floorplan"
LIST_URL = f"/editions/{SLUG}/booths"
ADMIN = f"/organizer/editions/{SLUG}"


def hall(
    edition: Edition, code: str = "F", width: str = "60", depth: str = "40", name: str = ""
) -> Hall:
    return services.create_hall(
        edition,
        services.HallData(code, name or f"Hall {code}", Decimal(width), Decimal(depth)),
        actor=None,
    )


def booth(
    edition: Edition,
    hall_: Hall,
    code: str,
    x: str = "0",
    y: str = "0",
    width: str = "3",
    depth: str = "3",
    *,
    booth_type: BoothType = BoothType.SHELL_SCHEME,
    open_sides: int = 1,
    pavilion: Organisation | None = None,
    price_override: str | None = None,
) -> Booth:
    return services.create_booth(
        edition,
        services.BoothData(
            code=code,
            hall_id=hall_.id,
            x=Decimal(x),
            y=Decimal(y),
            width=Decimal(width),
            depth=Decimal(depth),
            booth_type=booth_type,
            open_sides=open_sides,
            pavilion_id=pavilion.id if pavilion else None,
            price_override=Decimal(price_override) if price_override else None,
        ),
        actor=None,
    )


def row_of_booths(edition: Edition, hall_: Hall, count: int, prefix: str = "F") -> list[Booth]:
    """`count` 3 m × 3 m booths side by side, in rows of 10 with a 3 m aisle."""
    made = []
    for n in range(count):
        row, col = divmod(n, 10)
        made.append(booth(edition, hall_, f"{prefix}{n + 1}", str(col * 3), str(row * 6)))
    return made


def organisation(
    edition: Edition, name: str, *, pavilion: bool = False, member: User | None = None
) -> Organisation:
    org = Organisation(
        edition_id=edition.id,
        legal_name=f"{name} Ltd",
        display_name=name,
        country="HU",
        sector=Sector.OPERATOR,
        turnover_band=TurnoverBand.UNDER_10M,
        pavilion_kind=PavilionKind.NATIONAL if pavilion else None,
    )
    db.session.add(org)
    db.session.flush()
    if member is not None:
        db.session.add(OrganisationMember(organisation_id=org.id, user_id=member.id))
    commit()
    return org


def system_organizer() -> User:
    existing = db.session.scalar(select(User).where(User.email == "booking-desk@example.org"))
    if existing is not None:
        return existing
    from telecom.core.permissions import Role

    return make_user("booking-desk@example.org", roles={Role.ORGANIZER}, full_name="Booking Desk")


def hold(booth_: Booth, org: Organisation) -> BoothBooking:
    return booking_services.hold_booth(booth_.id, org, actor=system_organizer())


def book(booth_: Booth, org: Organisation) -> BoothBooking:
    """Hold, then confirm as an organizer would for a sponsor deal."""
    booking = hold(booth_, org)
    booking_services.confirm_booking(booking, actor=system_organizer())
    return booking


def expire(booking: BoothBooking) -> None:
    """Let a hold's time run out (as if 31 minutes had passed)."""
    db.session.refresh(booking)
    booking.held_until = utcnow() - timedelta(minutes=1)
    commit()


def svg_booth(page: str, code: str) -> str:
    """The SVG element (<a> or <g>) drawing booth `code` on the plan page."""
    match = re.search(
        r'<(a|g) id="fp-booth-\d+"[^>]*data-code="' + re.escape(code) + r'"[^>]*>.*?</\1>',
        page,
        re.S,
    )
    assert match, f"booth {code} is not on the plan"
    return unescape(match.group(0))


def drawn_codes(page: str) -> list[str]:
    return re.findall(r'<(?:a|g) id="fp-booth-\d+"[^>]*data-code="([^"]+)"', page)


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the block runs, on any connection of the app's engine."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def booth_by_code(edition: Edition, code: str) -> Booth | None:
    db.session.rollback()
    return db.session.scalar(
        select(Booth).where(Booth.edition_id == edition.id, Booth.code == code)
    )
