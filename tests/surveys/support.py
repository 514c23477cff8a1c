"""A small past edition for the survey tests: who exhibits, who came, who did not.

Exhibitors (the KPI engine's rule): Alpha (paid booking), Giant (confirmed),
Coex (approved co-exhibitor of Giant's pavilion, no contact address: its
member account is written to) and Twin (confirmed, same contact as Alpha, so
asked once through Alpha). Not exhibitors: Holder (a held booking), Refused
(a rejected co-exhibitor). Silent (confirmed) has no address at all.

Participants who came: Vera (visitor, two days), Sam (visitor and speaker:
answers as a speaker), Mina (VIP, reads Russian), Fiona (forum delegate, only at a
session door). Not invited: Fred (registered, never came) and Axel (came,
registration cancelled since).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from telecom.events.models import Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    BoothType,
    CoExhibitorStatus,
    Hall,
    Organisation,
    OrganisationMember,
    PavilionKind,
    Sector,
    TurnoverBand,
)
from telecom.extensions import db
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.surveys.models import SurveyAudience, SurveyInvitation, SurveyResponse
from tests.helpers import make_edition, make_user

BUDAPEST = ZoneInfo("Europe/Budapest")
BEFORE = datetime(2015, 9, 1, 8, 0, tzinfo=UTC)
DAY1, DAY2 = date(2015, 10, 12), date(2015, 10, 13)
V, S, VIP, FORUM = (
    RegistrationCategory.VISITOR,
    RegistrationCategory.SPEAKER,
    RegistrationCategory.VIP,
    RegistrationCategory.FORUM_DELEGATE,
)


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), BUDAPEST)


@dataclass
class World:
    edition: Edition
    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    registrations: dict[tuple[str, RegistrationCategory], Registration] = field(
        default_factory=dict
    )

    def add(self, row):  # type: ignore[no-untyped-def]
        db.session.add(row)
        db.session.flush()
        return row

    def person(self, key: str, *, locale: str | None = None) -> Person:
        person = self.add(
            Person(email=f"{key}@people.example.org", full_name=key.title(), country="CH",
                   locale=locale, created_at=BEFORE)
        )  # fmt: skip
        self.people[key] = person
        return person

    def register(
        self,
        key: str,
        category: RegistrationCategory,
        status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    ) -> Registration:
        registration = self.add(
            Registration(person_id=self.people[key].id, edition_id=self.edition.id,
                         category=category, status=status, created_at=BEFORE)
        )  # fmt: skip
        self.registrations[(key, category)] = registration
        return registration

    def check_in(
        self, key: str, category: RegistrationCategory, day: date, *, session: bool = False
    ) -> None:
        registration = self.registrations[(key, category)]
        self.add(
            CheckIn(edition_id=self.edition.id, person_id=registration.person_id,
                    registration_id=registration.id, category=category, day=day,
                    point=CheckInPoint.SESSION if session else CheckInPoint.GATE,
                    point_ref="17" if session else "", scanned_at=local(day))
        )  # fmt: skip


def build_world(slug: str = "survey-world-2015", **edition: object) -> World:
    """The edition above, committed; it ended in 2015 unless `edition` moves its dates."""
    w = World(make_edition(slug, **edition))
    e = w.edition.id
    hall = w.add(Hall(edition_id=e, code="H1", name="Hall 1", width=Decimal(50), depth=Decimal(50)))
    booth_number = iter(range(1, 100))

    def org(key: str, band: TurnoverBand, contact: str = "", **extra: object) -> Organisation:
        organisation = w.add(
            Organisation(edition_id=e, legal_name=key.title(), display_name=key.title(),
                         country="CH", sector=Sector.OTHER, turnover_band=band,
                         contact_name=f"{key.title()} Contact", contact_email=contact,
                         created_at=BEFORE, **extra)
        )  # fmt: skip
        w.organisations[key] = organisation
        return organisation  # type: ignore[no-any-return]

    def book(organisation: Organisation, state: BookingState) -> None:
        booth = w.add(
            Booth(edition_id=e, hall_id=hall.id, code=f"B{next(booth_number)}", x=Decimal(0),
                  y=Decimal(0), width=Decimal(3), depth=Decimal(3),
                  booth_type=BoothType.SPACE_ONLY)
        )  # fmt: skip
        w.add(
            BoothBooking(edition_id=e, booth_id=booth.id, organisation_id=organisation.id,
                         state=state, price=Decimal("1000.00"), currency="CHF",
                         created_at=BEFORE, confirmed_at=BEFORE)
        )  # fmt: skip

    book(
        org("alpha", TurnoverBand.UNDER_10M, "Alpha.Contact@Exhibitors.example.org"),
        BookingState.PAID,
    )
    giant = org("giant", TurnoverBand.OVER_10B, "giant@exhibitors.example.org",
                pavilion_kind=PavilionKind.THEMATIC)  # fmt: skip
    book(giant, BookingState.CONFIRMED)
    coex = org("coex", TurnoverBand.FROM_10M_TO_100M, pavilion_id=giant.id,
               co_exhibitor_status=CoExhibitorStatus.APPROVED)  # fmt: skip
    member = make_user("coex-member@exhibitors.example.org", full_name="Cora Member")
    w.add(OrganisationMember(organisation_id=coex.id, user_id=member.id))
    book(org("twin", TurnoverBand.FROM_1B_TO_10B, "alpha.contact@exhibitors.example.org"),
         BookingState.CONFIRMED)  # fmt: skip
    book(org("holder", TurnoverBand.FROM_100M_TO_1B, "holder@exhibitors.example.org"),
         BookingState.HELD)  # fmt: skip
    org("refused", TurnoverBand.UNDER_10M, "refused@exhibitors.example.org",
        pavilion_id=giant.id, co_exhibitor_status=CoExhibitorStatus.REJECTED)  # fmt: skip
    book(org("silent", TurnoverBand.UNDER_10M), BookingState.CONFIRMED)

    for key in ("vera", "sam", "fred", "axel", "fiona"):
        w.person(key)
    w.person("mina", locale="ru")
    w.register("vera", V)
    w.register("sam", V)
    w.register("sam", S)
    w.register("fred", V)
    w.register("axel", V)
    w.register("mina", VIP)
    w.register("fiona", FORUM)
    w.check_in("vera", V, DAY1)
    w.check_in("vera", V, DAY2)
    w.check_in("sam", V, DAY1)
    w.check_in("mina", VIP, DAY2)
    w.check_in("fiona", FORUM, DAY1, session=True)
    w.check_in("axel", V, DAY1)
    w.registrations[("axel", V)].status = RegistrationStatus.CANCELLED
    db.session.commit()
    return w


def count(model: type, *where: object) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def invited_emails(edition: Edition, audience: SurveyAudience) -> set[str]:
    return set(
        db.session.scalars(
            select(Person.email)
            .join(SurveyInvitation, SurveyInvitation.person_id == Person.id)
            .where(SurveyInvitation.edition_id == edition.id, SurveyInvitation.audience == audience)
        )
    )


def invitation_of(edition: Edition, audience: SurveyAudience, email: str) -> SurveyInvitation:
    invitation = db.session.scalar(
        select(SurveyInvitation)
        .join(Person, Person.id == SurveyInvitation.person_id)
        .where(
            SurveyInvitation.edition_id == edition.id,
            SurveyInvitation.audience == audience,
            Person.email == email,
        )
    )
    assert invitation is not None, f"{email} was not invited"
    return invitation


def responses() -> list[SurveyResponse]:
    return list(db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)))
