"""Helpers for the programme, conflict and publication tests.

Rooms, tracks and sessions go through the programme services, as an
organizer would make them. Speakers and seat reservations are written with
the models (their own services are tested on their own), as an accepted
speaker invitation or a delegate's reservation would leave them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from telecom.auth.models import User
from telecom.auth.services import get_user_by_email
from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.models import utcnow
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import (
    ForumRoom,
    ForumSession,
    ReservationStatus,
    SeatReservation,
    SessionAccess,
    SessionKind,
    Speaker,
    SpeakerStatus,
)
from telecom.forum.services import programme
from telecom.forum.services.programme import SessionData
from telecom.participants.models import Person
from tests.helpers import make_edition, make_organizer, make_user

__test__ = False  # helpers only

# make_edition's default: Budapest, 12-15 October 2015 (summer time, UTC+2).
FIRST_DAY = date(2015, 10, 12)
SECOND_DAY = date(2015, 10, 13)
LAST_DAY = date(2015, 10, 15)


def budapest_edition(slug: str = "telecom-world-2015") -> Edition:
    return make_edition(slug)


def dst_edition(slug: str = "telecom-world-autumn") -> Edition:
    """Budapest, 23-27 October 2015: summer time ends on the night of Sunday 25 October."""
    return make_edition(
        slug, name="ITU TELECOM World Autumn",
        start_date=date(2015, 10, 23), end_date=date(2015, 10, 27),
    )  # fmt: skip


def organizer(email: str = "organizer@example.org") -> User:
    return get_user_by_email(email) or make_organizer(email)


def participant(email: str = "peter.participant@example.org") -> User:
    return get_user_by_email(email) or make_user(
        email, roles={Role.PARTICIPANT}, full_name="Peter Participant"
    )


def clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def room(edition: Edition, name: str = "Room 1", capacity: int = 100) -> ForumRoom:
    return programme.create_room(edition, name, capacity, "Level 1", actor=organizer())


def session_data(
    room: ForumRoom,
    title: str = "Connecting the unconnected",
    *,
    day: date = FIRST_DAY,
    start: str = "09:00",
    end: str = "10:30",
    kind: SessionKind | None = SessionKind.PANEL,
    capacity: int | None = None,
    track_id: int | None = None,
    access: SessionAccess | None = SessionAccess.FORUM_PASS,
) -> SessionData:
    return SessionData(
        title=title, description="Broadband for the next billion.", kind=kind, room_id=room.id,
        track_id=track_id, day=day, start_time=clock(start), end_time=clock(end),
        capacity=capacity, access=access,
    )  # fmt: skip


def add_session(
    edition: Edition,
    room: ForumRoom,
    title: str = "Connecting the unconnected",
    *,
    allow_conflicts: bool = False,
    **values: object,
) -> ForumSession:
    return programme.create_session(
        edition, session_data(room, title, **values),  # type: ignore[arg-type]
        actor=organizer(), allow_conflicts=allow_conflicts,
    )  # fmt: skip


def move(session: ForumSession, *, allow_conflicts: bool = False, **values: object) -> ForumSession:
    """Edit a session, changing only the given SessionData fields."""
    data = programme.session_data(session)
    for name, value in values.items():
        if name in ("start", "end"):
            name, value = f"{name}_time", clock(str(value))
        setattr(data, name, value)
    return programme.update_session(
        session, data, actor=organizer(), allow_conflicts=allow_conflicts
    )


def speaker(
    edition: Edition,
    full_name: str = "Houlin Zhao",
    *,
    status: SpeakerStatus = SpeakerStatus.CONFIRMED,
    organisation: str = "ITU",
) -> Speaker:
    email = f"{full_name.lower().replace(' ', '.')}@speakers.example.org"
    row = Speaker(
        edition_id=edition.id, email=email, full_name=full_name, organisation=organisation,
        status=status, invited_at=utcnow(),
        confirmed_at=utcnow() if status == SpeakerStatus.CONFIRMED else None,
    )  # fmt: skip
    db.session.add(row)
    commit()
    return row


def holder(
    session: ForumSession,
    full_name: str,
    *,
    locale: str | None = "en",
    status: ReservationStatus = ReservationStatus.CONFIRMED,
) -> Person:
    """A delegate holding a seat (or a waiting-list place, or a cancelled one) in `session`."""
    email = f"{full_name.lower().replace(' ', '.')}@delegates.example.org"
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, full_name=full_name, locale=locale)
        db.session.add(person)
        db.session.flush()
    now = datetime.now(UTC)
    db.session.add(
        SeatReservation(
            session_id=session.id, person_id=person.id, status=status,
            waiting_since=now if status == ReservationStatus.WAITING else None,
            confirmed_at=now if status == ReservationStatus.CONFIRMED else None,
            cancelled_at=now if status == ReservationStatus.CANCELLED else None,
        )
    )  # fmt: skip
    commit()
    return person


def fresh(session: ForumSession) -> ForumSession:
    """The session as stored (a new read, as the next request would see it)."""
    db.session.expire_all()
    found = db.session.get(ForumSession, session.id)
    assert found is not None
    return found


def audit_entries(obj: object, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.object_type == obj.__tablename__,  # type: ignore[attr-defined]
        AuditEntry.object_id == str(obj.id),  # type: ignore[attr-defined]
    )
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def local_clock(edition: Edition, moment: datetime) -> str:
    return moment.astimezone(edition.tz).strftime("%Y-%m-%d %H:%M")
