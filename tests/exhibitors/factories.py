"""Factories the booking, pricing, staff, settings and CLI tests share.

(Named test_* to live among the files of the booking tests; it holds no tests.
Organisations are made directly with the models, as an exhibitor registering
through the organisation pages would leave them.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from telecom.auth.models import User
from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    BoothType,
    CoExhibitorStatus,
    ExhibitionSettings,
    Hall,
    Organisation,
    OrganisationMember,
    PavilionKind,
    RateCategory,
    Sector,
    TurnoverBand,
)
from telecom.exhibitors.services import booking
from telecom.extensions import db
from tests.helpers import make_edition, make_organizer, make_user


def make_hall(edition: Edition, code: str = "F", name: str = "Hall F") -> Hall:
    hall = Hall(edition_id=edition.id, code=code, name=name, width=Decimal(100), depth=Decimal(60))
    db.session.add(hall)
    commit()
    return hall


def make_booth(
    hall: Hall,
    code: str,
    *,
    width: str = "3",
    depth: str = "3",
    booth_type: BoothType = BoothType.SHELL_SCHEME,
    open_sides: int = 1,
    x: str = "0",
    y: str = "0",
    pavilion: Organisation | None = None,
    price_override: str | None = None,
    blocked: bool = False,
) -> Booth:
    booth = Booth(
        edition_id=hall.edition_id,
        hall_id=hall.id,
        code=code,
        x=Decimal(x),
        y=Decimal(y),
        width=Decimal(width),
        depth=Decimal(depth),
        booth_type=booth_type,
        open_sides=open_sides,
        pavilion_id=pavilion.id if pavilion else None,
        price_override=Decimal(price_override) if price_override else None,
        blocked=blocked,
    )
    db.session.add(booth)
    commit()
    return booth


def make_organisation(
    edition: Edition,
    name: str,
    *,
    members: tuple[User, ...] = (),
    rate_category: RateCategory = RateCategory.STANDARD,
    contact_email: str = "",
    pavilion_kind: PavilionKind | None = None,
    pavilion: Organisation | None = None,
    co_exhibitor_status: CoExhibitorStatus | None = None,
) -> Organisation:
    organisation = Organisation(
        edition_id=edition.id,
        legal_name=f"{name} Ltd",
        display_name=name,
        country="HU",
        sector=Sector.OPERATOR,
        turnover_band=TurnoverBand.FROM_100M_TO_1B,
        rate_category=rate_category,
        contact_email=contact_email,
        pavilion_kind=pavilion_kind,
        pavilion_id=pavilion.id if pavilion else None,
        co_exhibitor_status=co_exhibitor_status,
    )
    db.session.add(organisation)
    db.session.flush()
    for user in members:
        db.session.add(OrganisationMember(organisation_id=organisation.id, user_id=user.id))
    commit()
    return organisation


def save_settings(edition: Edition, **values: object) -> ExhibitionSettings:
    """Store settings rows directly (the settings page has its own tests)."""
    settings = db.session.scalar(
        select(ExhibitionSettings).where(ExhibitionSettings.edition_id == edition.id)
    )
    if settings is None:
        settings = ExhibitionSettings(edition_id=edition.id)
        db.session.add(settings)
    for name, value in values.items():
        setattr(settings, name, value)
    commit()
    return settings


@dataclass
class Show:
    """An edition with a hall of booths, two exhibitors and an organizer."""

    edition: Edition
    hall: Hall
    booths: dict[str, Booth]
    organizer: User
    ada: User  # member of Acme
    bob: User  # member of Globex
    acme: Organisation
    globex: Organisation

    def booth(self, code: str) -> Booth:
        return self.booths[code]


def make_show(*, with_mail_contacts: bool = False) -> Show:
    edition = make_edition()
    hall = make_hall(edition)
    booths = {
        "F-101": make_booth(hall, "F-101"),  # 9 sqm shell scheme, inline
        "F-102": make_booth(hall, "F-102", x="3"),
        "F-103": make_booth(hall, "F-103", x="6", width="6", depth="3"),  # 18 sqm
        "F-201": make_booth(
            hall,
            "F-201",
            y="10",
            width="6",
            depth="6",
            booth_type=BoothType.SPACE_ONLY,
            open_sides=4,
        ),
    }
    organizer = make_organizer()
    ada = make_user("ada@acme.example", full_name="Ada Acme")
    bob = make_user("bob@globex.example", full_name="Bob Globex")
    acme = make_organisation(
        edition, "Acme Telecom", members=(ada,),
        contact_email="sales@acme.example" if with_mail_contacts else "",
    )  # fmt: skip
    globex = make_organisation(edition, "Globex", members=(bob,))
    return Show(edition, hall, booths, organizer, ada, bob, acme, globex)


def hold(show: Show, code: str, organisation: Organisation | None = None,
         actor: User | None = None, now: datetime | None = None) -> BoothBooking:  # fmt: skip
    organisation = organisation or show.acme
    actor = actor or show.ada
    return booking.hold_booth(show.booth(code).id, organisation, actor=actor, now=now)


def confirmed(show: Show, code: str, organisation: Organisation | None = None) -> BoothBooking:
    held = hold(show, code, organisation, actor=show.organizer)
    booking.confirm_booking(held, actor=show.organizer)
    return held


def expire(held: BoothBooking, minutes_ago: int = 1) -> None:
    """Move a hold's expiry into the past, as if its time had run out."""
    held.held_until = utcnow() - timedelta(minutes=minutes_ago)
    commit()


def audit_actions(object_type: str, object_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id)
        )
    )


def state_of(booking_id: int) -> BookingState:
    db.session.expire_all()
    found = db.session.get(BoothBooking, booking_id)
    assert found is not None
    return found.state
