"""Factories for the seat, rating, attendance and iCal tests.

Rooms and sessions are written with the models, as the programme editor
(tested on its own) would leave them; delegates are accounts linked to a
person holding a registration, as registration would leave them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import (
    ForumRoom,
    ForumSession,
    ForumSettings,
    ReservationStatus,
    SeatReservation,
    SessionAccess,
    SessionKind,
    Track,
)
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from tests.helpers import make_edition, make_user


def forum_edition(
    slug: str = "telecom-world-next", *, starts_in: int = 30, published: bool = True
) -> Edition:
    """An edition a month ahead (seats can still be reserved), in Budapest, its programme public."""
    start = date.today() + timedelta(days=starts_in)
    edition = make_edition(
        slug, name="ITU TELECOM World Next", start_date=start, end_date=start + timedelta(days=3)
    )
    if published:
        db.session.add(ForumSettings(edition_id=edition.id, published_at=utcnow()))
        commit()
    return edition


def make_room(edition: Edition, name: str = "Room 1", capacity: int = 100, **values) -> ForumRoom:  # type: ignore[no-untyped-def]
    room = ForumRoom(edition_id=edition.id, name=name, capacity=capacity, **values)
    db.session.add(room)
    commit()
    return room


def make_track(edition: Edition, name: str) -> Track:
    track = Track(edition_id=edition.id, name=name)
    db.session.add(track)
    commit()
    return track


def local(edition: Edition, day: date, at: str) -> datetime:
    """A wall-clock time at the venue, as the aware UTC instant it is."""
    hour, minute = (int(part) for part in at.split(":"))
    return datetime.combine(day, time(hour, minute), edition.tz).astimezone(UTC)


def make_session(
    edition: Edition,
    title: str = "5G for everyone",
    *,
    room: ForumRoom | None = None,
    day: int = 0,
    starts: str = "10:00",
    ends: str = "11:00",
    capacity: int | None = None,
    access: SessionAccess = SessionAccess.FORUM_PASS,
    kind: SessionKind = SessionKind.PANEL,
    track: Track | None = None,
    **values,  # type: ignore[no-untyped-def]
) -> ForumSession:
    """A session on the edition's `day`-th day, from `starts` to `ends` local time."""
    on = edition.start_date + timedelta(days=day)
    session = ForumSession(
        edition_id=edition.id,
        title=title,
        kind=kind,
        room_id=room.id if room is not None else None,
        track_id=track.id if track is not None else None,
        starts_at=local(edition, on, starts),
        ends_at=local(edition, on, ends),
        capacity=capacity,
        access=access,
        **values,
    )
    db.session.add(session)
    commit()
    return session


@dataclass
class Delegate:
    user: User
    person: Person
    registration: Registration | None

    @property
    def email(self) -> str:
        return self.user.email


def delegate(
    edition: Edition,
    email: str = "dora@delegate.example",
    full_name: str = "Dora Delegate",
    *,
    category: RegistrationCategory | None = RegistrationCategory.FORUM_DELEGATE,
    forum_access: bool = True,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    locale: str | None = None,
) -> Delegate:
    """An account and its person, registered for `edition` (no registration: category None)."""
    user = make_user(email, full_name=full_name)
    person = Person(email=email, full_name=full_name, user_id=user.id, locale=locale)
    db.session.add(person)
    commit()
    registration = None
    if category is not None:
        registration = Registration(
            person_id=person.id,
            edition_id=edition.id,
            category=category,
            status=status,
            forum_access=forum_access,
            valid_from=edition.start_date,
            valid_until=edition.end_date,
        )
        db.session.add(registration)
        commit()
    return Delegate(user, person, registration)


def delegates(edition: Edition, count: int, prefix: str = "delegate") -> list[Delegate]:
    return [
        delegate(edition, f"{prefix}{n}@delegate.example", f"Delegate {n}") for n in range(count)
    ]


def session_check_in(holder: Delegate, session: ForumSession) -> CheckIn:
    """The badge scanned at the session's door, as the scanner records it."""
    assert holder.registration is not None
    edition = db.session.get(Edition, session.edition_id)
    assert edition is not None
    entry = CheckIn(
        edition_id=session.edition_id,
        person_id=holder.person.id,
        registration_id=holder.registration.id,
        category=holder.registration.category,
        day=edition.local_date(session.starts_at),
        point=CheckInPoint.SESSION,
        point_ref=str(session.id),
        scanned_at=session.starts_at - timedelta(minutes=5),
    )
    db.session.add(entry)
    commit()
    return entry


def gate_check_in(holder: Delegate, day: date) -> CheckIn:
    assert holder.registration is not None
    entry = CheckIn(
        edition_id=holder.registration.edition_id,
        person_id=holder.person.id,
        registration_id=holder.registration.id,
        category=holder.registration.category,
        day=day,
        point=CheckInPoint.GATE,
        point_ref="",
        scanned_at=datetime.combine(day, time(8, 0), UTC),
    )
    db.session.add(entry)
    commit()
    return entry


def reload_session(session_id: int) -> ForumSession:
    db.session.expire_all()
    session = db.session.get(ForumSession, session_id)
    assert session is not None
    return session


def statuses(session_id: int) -> dict[str, int]:
    """How many reservations of the session are in each status, from the database."""
    db.session.expire_all()
    rows = db.session.execute(
        select(SeatReservation.status, func.count(SeatReservation.id))
        .where(SeatReservation.session_id == session_id)
        .group_by(SeatReservation.status)
    ).all()
    counts = {status.value: 0 for status in ReservationStatus}
    counts.update({ReservationStatus(status).value: int(n) for status, n in rows})
    return counts


def reservation_of(session_id: int, person_id: int) -> SeatReservation | None:
    db.session.expire_all()
    return db.session.scalar(
        select(SeatReservation).where(
            SeatReservation.session_id == session_id, SeatReservation.person_id == person_id
        )
    )
