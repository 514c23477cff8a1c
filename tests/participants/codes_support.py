"""Factories for the codes, registrations-admin and demo tests.

Pass types, people, registrations and check-ins are written with the models,
as the pass-type pages and the registration flow (tested on their own) would
leave them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import event, select

from telecom.auth.models import User
from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation
from telecom.extensions import db
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    PassType,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from tests.exhibitors.factories import Show, confirmed, make_show


def make_pass(
    edition: Edition,
    name: str = "Full exhibition pass",
    *,
    price: str = "250.00",
    invitations: int = 0,
    invitation_only: bool = False,
    forum_access: bool = False,
    days_valid: int | None = None,
) -> PassType:
    pass_type = PassType(
        edition_id=edition.id,
        name=name,
        price=Decimal(price),
        valid_from=edition.start_date,
        valid_until=edition.end_date,
        days_valid=days_valid,
        exhibitor_invitations=invitations,
        invitation_only=invitation_only,
        forum_access=forum_access,
    )
    db.session.add(pass_type)
    commit()
    return pass_type


def make_person(email: str, full_name: str = "Vera Visitor", **values: object) -> Person:
    person = Person(email=email, full_name=full_name, **values)
    db.session.add(person)
    commit()
    return person


def make_registration(
    edition: Edition,
    person: Person,
    *,
    pass_type: PassType | None = None,
    category: RegistrationCategory = RegistrationCategory.VISITOR,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    organisation: Organisation | None = None,
) -> Registration:
    registration = Registration(
        person_id=person.id,
        edition_id=edition.id,
        category=category,
        status=status,
        pass_type_id=pass_type.id if pass_type else None,
        valid_from=pass_type.valid_from if pass_type else None,
        valid_until=pass_type.valid_until if pass_type else None,
        organisation_id=organisation.id if organisation else None,
    )
    db.session.add(registration)
    commit()
    return registration


def check_in(registration: Registration, day: date, hour: int = 9) -> CheckIn:
    entry = CheckIn(
        edition_id=registration.edition_id,
        person_id=registration.person_id,
        registration_id=registration.id,
        category=registration.category,
        day=day,
        point=CheckInPoint.GATE,
        point_ref="",
        scanned_at=datetime(day.year, day.month, day.day, hour - 2, 15, tzinfo=UTC),
    )
    db.session.add(entry)
    commit()
    return entry


@dataclass
class CodesShow:
    """The exhibition show, with Acme exhibiting and two passes to invite to."""

    show: Show
    full_pass: PassType  # exhibitors may give 3 codes each
    leaders_pass: PassType  # invitation only, organizers' codes

    @property
    def edition(self) -> Edition:
        return self.show.edition

    @property
    def organizer(self) -> User:
        return self.show.organizer


def make_codes_show() -> CodesShow:
    show = make_show()
    confirmed(show, "F-101")  # Acme exhibits; Globex has no booking
    full_pass = make_pass(show.edition, invitations=3)
    leaders = make_pass(
        show.edition, "Leaders' pass", price="0", invitation_only=True, forum_access=True
    )
    return CodesShow(show, full_pass, leaders)


class StatementCounter:
    """Counts the SQL statements run on the engine while it is active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *args: object) -> None:
        event.remove(db.engine, "before_cursor_execute", self)


def reload(model: type, object_id: int):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(select(model).where(model.id == object_id))
