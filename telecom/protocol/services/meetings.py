"""Bilateral meeting rooms: rooms, their slots, and the delegations' bookings.

Protocol staff (and organizers) set up rooms and generate slots of
`settings.slot_minutes` per day; delegations of accepted invitations book
them through their RSVP page (the caller passes the invitation the token
opened, and no actor), or protocol staff book for them (`actor` given, and
checked).

Two rules hold under concurrency:
- a slot is never double-booked: booking is one conditional UPDATE that only
  succeeds while the slot is free (PostgreSQL re-checks the condition after
  waiting for a concurrent booker's row lock; the loser updates no row);
- a delegation books at most `settings.max_slots_per_day` slots per local day:
  every booking and cancellation locks the invitation row first, so two
  bookings by one delegation run one after the other and the second one counts
  the first.

Times are stored in UTC; a slot's `day` is its date in the edition's time
zone, and the daily limit counts by that day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import format_date, format_time, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.protocol.models import InvitationStatus, MeetingRoom, MeetingSlot, VipInvitation
from telecom.protocol.services import ProtocolError, lock_invitation, require_protocol_staff
from telecom.protocol.services.settings import protocol_settings

__all__ = [
    "book_slot",
    "bookings_of",
    "cancel_booking",
    "create_room",
    "delete_slot",
    "free_slots",
    "generate_slots",
    "get_room",
    "get_slot",
    "list_rooms",
    "local_moment",
    "release_all",
    "slots_for",
    "update_room",
]

MAX_ROOM_NAME = 100
MAX_LOCATION = 200
MAX_CAPACITY = 10_000
MAX_COUNTERPART = 300
ROOM_FIELDS = ("name", "capacity", "location", "active")
BOOKING_FIELDS = ("invitation_id", "counterpart", "booked_by_id")


def _taken_message() -> str:
    return _("This slot was just booked by another delegation. Please choose another slot.")


def local_moment(edition: Edition, day: date, at: time) -> datetime:
    """The UTC instant of the wall-clock time `at` on `day` in the edition's time zone.

    A time that occurs twice (the hour repeated when summer time ends) means
    its first occurrence; one that does not occur (the hour skipped when it
    starts) is read with the offset in force before the change.
    """
    return datetime.combine(day, at.replace(tzinfo=None), edition.tz).astimezone(UTC)


def _edition(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    assert edition is not None
    return edition


# --- Rooms ------------------------------------------------------------------------------


def _room_values(
    edition: Edition, name: object, capacity: object, location: object, room: MeetingRoom | None
) -> tuple[str, int | None, str]:
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text:
        raise ProtocolError(_("Enter the name of the room."), "name")
    if len(text) > MAX_ROOM_NAME:
        raise ProtocolError(_("Write at most %(count)d characters.", count=MAX_ROOM_NAME), "name")
    query = select(func.count(MeetingRoom.id)).where(
        MeetingRoom.edition_id == edition.id, func.lower(MeetingRoom.name) == text.lower()
    )
    if room is not None:
        query = query.where(MeetingRoom.id != room.id)
    if db.session.scalar(query):
        raise ProtocolError(_("This edition already has a room with this name."), "name")
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)):
        raise ProtocolError(_("The capacity must be a whole number of people."), "capacity")
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise ProtocolError(
            _("The capacity must be between 1 and %(high)d people.", high=MAX_CAPACITY),
            "capacity",
        )
    place = location.strip() if isinstance(location, str) else ""
    if location is not None and not isinstance(location, str):
        raise ProtocolError(_("Enter the location as text."), "location")
    if len(place) > MAX_LOCATION:
        raise ProtocolError(
            _("Write at most %(count)d characters.", count=MAX_LOCATION), "location"
        )
    return text, capacity, place


def _save_room() -> None:
    try:
        commit()
    except IntegrityError:
        # Another protocol officer saved the same name at the same moment.
        raise ProtocolError(_("This edition already has a room with this name."), "name") from None


@atomic
def create_room(
    edition: Edition,
    name: str,
    capacity: int | None,
    location: str,
    *,
    actor: User | None,
) -> MeetingRoom:
    """A new, open bilateral meeting room of the edition (names are unique, any case)."""
    actor = require_protocol_staff(actor)
    name, capacity, location = _room_values(edition, name, capacity, location, None)
    room = MeetingRoom(
        edition_id=edition.id, name=name, capacity=capacity, location=location, active=True
    )
    db.session.add(room)
    db.session.flush()
    audit.record(
        "create", room, actor=actor, edition_id=edition.id,
        after=audit.snapshot(room, ROOM_FIELDS),
    )  # fmt: skip
    _save_room()
    return room


@atomic
def update_room(
    room: MeetingRoom,
    name: str,
    capacity: int | None,
    location: str,
    *,
    active: bool | None = None,
    actor: User | None,
) -> MeetingRoom:
    """Rename, resize or move a room; `active=False` closes it (its free slots are no
    longer offered), `True` reopens it, None leaves it as it is.

    A room with upcoming meetings cannot be closed: protocol cancels or moves them
    first, so no delegation is left with a meeting in a closed room.
    """
    actor = require_protocol_staff(actor)
    room = db.session.scalar(
        select(MeetingRoom)
        .where(MeetingRoom.id == room.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if room is None:
        raise NotFound(_("There is no such room."))
    edition = _edition(room.edition_id)
    name, capacity, location = _room_values(edition, name, capacity, location, room)
    if active is not None and not isinstance(active, bool):
        raise ProtocolError(_("Choose whether the room is open."), "active")
    if active is False and room.active:
        upcoming = db.session.scalar(
            select(func.count(MeetingSlot.id)).where(
                MeetingSlot.room_id == room.id,
                MeetingSlot.invitation_id.is_not(None),
                MeetingSlot.starts_at > utcnow(),
            )
        )
        if upcoming:
            raise Conflict(
                ngettext(
                    "This room has %(num)d upcoming meeting: cancel it before closing the room.",
                    "This room has %(num)d upcoming meetings: cancel them before closing the room.",
                    upcoming,
                )
            )
    before = audit.snapshot(room, ROOM_FIELDS)
    room.name, room.capacity, room.location = name, capacity, location
    if active is not None:
        room.active = active
    db.session.flush()
    after = audit.snapshot(room, ROOM_FIELDS)
    if after != before:
        audit.record("update", room, actor=actor, edition_id=edition.id, before=before, after=after)
    _save_room()
    return room


def list_rooms(edition: Edition, *, active_only: bool = False) -> list[MeetingRoom]:
    """The edition's rooms by name (closed ones too unless `active_only`)."""
    query = select(MeetingRoom).where(MeetingRoom.edition_id == edition.id)
    if active_only:
        query = query.where(MeetingRoom.active.is_(True))
    return list(db.session.scalars(query.order_by(MeetingRoom.name, MeetingRoom.id)))


def get_room(edition: Edition, room_id: object) -> MeetingRoom:
    """A room of this edition; NotFound for another edition's room or a wrong id."""
    room = None
    if isinstance(room_id, int) and not isinstance(room_id, bool):
        room = db.session.scalar(
            select(MeetingRoom).where(
                MeetingRoom.id == room_id, MeetingRoom.edition_id == edition.id
            )
        )
    if room is None:
        raise NotFound(_("There is no such room."))
    return room


# --- Slots ------------------------------------------------------------------------------


def _day(edition: Edition, value: object) -> date:
    # A datetime is a date too, but a slot's day is a calendar day.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ProtocolError(_("Choose a day."), "day")
    if not edition.start_date <= value <= edition.end_date:
        raise ProtocolError(
            _(
                "Choose a day of the event, from %(first)s to %(last)s.",
                first=format_date(edition.start_date), last=format_date(edition.end_date),
            ),
            "day",
        )  # fmt: skip
    return value


@atomic
def generate_slots(
    room: MeetingRoom, day: date, first_start: time, last_end: time, *, actor: User | None
) -> int:
    """Back-to-back slots of `settings.slot_minutes` in `room` on `day`, from `first_start`
    until `last_end` (wall-clock times in the edition's time zone); returns how many were
    created.

    Each slot lasts exactly the configured minutes of real time, also on the night
    summer time begins or ends. Slots that would overlap one the room already has
    are skipped, so generating the same day twice (or with another first time)
    creates no double room. The day must be one of the edition's days.
    """
    actor = require_protocol_staff(actor)
    # Two officers generating for one room queue here, so neither skips the other's slots.
    locked = db.session.scalar(
        select(MeetingRoom)
        .where(MeetingRoom.id == room.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such room."))
    room = locked
    edition = _edition(room.edition_id)
    if not room.active:
        raise Conflict(_("This room is closed: reopen it before adding slots."))
    day = _day(edition, day)
    if not isinstance(first_start, time):
        raise ProtocolError(_("Enter the time the first meeting starts."), "first_start")
    if not isinstance(last_end, time):
        raise ProtocolError(_("Enter the time the last meeting must end."), "last_end")
    if last_end.replace(tzinfo=None) <= first_start.replace(tzinfo=None):
        raise ProtocolError(
            _("The last meeting must end after the first one starts, on the same day."),
            "last_end",
        )
    minutes = protocol_settings(edition).slot_minutes
    length = timedelta(minutes=minutes)
    start, end = local_moment(edition, day, first_start), local_moment(edition, day, last_end)
    if start + length > end:
        raise ProtocolError(
            _(
                "No meeting of %(minutes)d minutes fits between %(first)s and %(last)s.",
                minutes=minutes, first=format_time(first_start, "short", rebase=False),
                last=format_time(last_end, "short", rebase=False),
            ),
            "last_end",
        )  # fmt: skip
    existing = db.session.execute(
        select(MeetingSlot.starts_at, MeetingSlot.ends_at).where(
            MeetingSlot.room_id == room.id,
            MeetingSlot.starts_at < end,
            MeetingSlot.ends_at > start,
        )
    ).all()
    created: list[MeetingSlot] = []
    while start + length <= end:
        finish = start + length
        if not any(s < finish and start < e for s, e in existing):
            slot = MeetingSlot(
                room_id=room.id, edition_id=edition.id, starts_at=start, ends_at=finish,
                day=edition.local_date(start), counterpart="",
            )  # fmt: skip
            created.append(slot)
        start = finish
    if created:
        db.session.add_all(created)
        db.session.flush()
        audit.record(
            "generate_slots", room, actor=actor, edition_id=edition.id,
            after={
                "day": day.isoformat(),
                "first_start": first_start.strftime("%H:%M"),
                "last_end": last_end.strftime("%H:%M"),
                "slot_minutes": minutes,
                "created": len(created),
            },
        )  # fmt: skip
    commit()
    return len(created)


def _slot_id(value: object) -> int:
    if isinstance(value, MeetingSlot):
        return value.id
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise NotFound(_("There is no such meeting slot."))


def get_slot(edition: Edition, slot_id: object) -> MeetingSlot:
    """A slot of this edition (its room loaded); NotFound for another edition's or a wrong id."""
    slot = db.session.scalar(
        select(MeetingSlot)
        .options(joinedload(MeetingSlot.room, innerjoin=True))
        .where(MeetingSlot.id == _slot_id(slot_id), MeetingSlot.edition_id == edition.id)
    )
    if slot is None:
        raise NotFound(_("There is no such meeting slot."))
    return slot


@atomic
def delete_slot(slot: MeetingSlot | int, *, actor: User | None) -> None:
    """Remove a free slot; a booked one stays until its booking is cancelled."""
    actor = require_protocol_staff(actor)
    found = db.session.get(MeetingSlot, _slot_id(slot))
    if found is None:
        raise NotFound(_("There is no such meeting slot."))
    before = audit.snapshot(found, ("room_id", "starts_at", "ends_at", "day"))
    # Conditional, like a booking: a delegation booking this slot right now wins or loses
    # cleanly, never leaving a booking on a deleted slot.
    deleted = db.session.execute(
        delete(MeetingSlot)
        .where(MeetingSlot.id == found.id, MeetingSlot.invitation_id.is_(None))
        .execution_options(synchronize_session=False)
    ).rowcount
    if deleted != 1:
        raise Conflict(
            _("This slot is booked by a delegation: cancel the booking before deleting the slot.")
        )
    audit.record("delete", found, actor=actor, edition_id=found.edition_id, before=before)
    db.session.expunge(found)
    commit()


def _slots_query(edition: Edition, day: date | None) -> Any:
    query = (
        select(MeetingSlot)
        .join(MeetingRoom, MeetingRoom.id == MeetingSlot.room_id)
        .options(joinedload(MeetingSlot.room, innerjoin=True))
        .where(MeetingSlot.edition_id == edition.id)
    )
    if isinstance(day, date) and not isinstance(day, datetime):
        query = query.where(MeetingSlot.day == day)
    return query.order_by(MeetingSlot.starts_at, MeetingRoom.name, MeetingSlot.id)


def slots_for(
    edition: Edition, day: date | None = None, room_id: int | None = None
) -> list[MeetingSlot]:
    """Every slot of the edition (booked or free, in open and closed rooms), by time and room;
    optionally of one local day and one room."""
    query = _slots_query(edition, day)
    if room_id is not None:
        query = query.where(MeetingSlot.room_id == room_id)
    return list(db.session.scalars(query))


def free_slots(
    edition: Edition, day: date | None = None, *, now: datetime | None = None
) -> list[MeetingSlot]:
    """The slots a delegation may book: free, in an open room, not started yet."""
    query = _slots_query(edition, day).where(
        MeetingSlot.invitation_id.is_(None),
        MeetingRoom.active.is_(True),
        MeetingSlot.starts_at > (now or utcnow()),
    )
    return list(db.session.scalars(query))


# --- Bookings ---------------------------------------------------------------------------


def _counterpart(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ProtocolError(_("Enter whom the delegation meets as text."), "counterpart")
    text = " ".join(value.split())
    if len(text) > MAX_COUNTERPART:
        raise ProtocolError(
            _("Write at most %(count)d characters.", count=MAX_COUNTERPART), "counterpart"
        )
    return text


def _slot_for_booking(invitation: VipInvitation, slot_id: object) -> MeetingSlot:
    slot = db.session.scalar(
        select(MeetingSlot)
        .options(joinedload(MeetingSlot.room, innerjoin=True))
        .where(MeetingSlot.id == _slot_id(slot_id), MeetingSlot.edition_id == invitation.edition_id)
        .execution_options(populate_existing=True)
    )
    if slot is None:
        raise NotFound(_("There is no such meeting slot."))
    return slot


def _booking_snapshot(slot: MeetingSlot) -> dict[str, Any]:
    return {
        **audit.snapshot(slot, BOOKING_FIELDS),
        "starts_at": audit.to_json_value(slot.starts_at),
        "room": slot.room.name,
    }


@atomic
def book_slot(
    slot_id: int,
    invitation: VipInvitation,
    *,
    counterpart: str = "",
    actor: User | None = None,
) -> MeetingSlot:
    """Book a slot for the delegation of an accepted invitation.

    `actor` is protocol staff booking for the delegation (checked); None means the
    delegation itself, through the RSVP page that opened `invitation`. Refused: a
    slot of another edition, in a closed room, already started, taken (the message
    says another delegation just booked it), at the same time as another meeting
    of this delegation, or beyond `settings.max_slots_per_day` on its local day.
    Booking a slot this delegation already holds only updates the counterpart.
    """
    if actor is not None:
        actor = require_protocol_staff(actor)
    counterpart = _counterpart(counterpart)
    # First the invitation's lock: two bookings by one delegation queue here, so the
    # second counts the first one's slot (READ COMMITTED reads it after the wait).
    invitation = lock_invitation(invitation)
    if invitation.status != InvitationStatus.ACCEPTED:
        raise Conflict(_("Meetings can be booked only once the invitation has been accepted."))
    slot = _slot_for_booking(invitation, slot_id)
    if not slot.room.active:
        raise Conflict(_("This room is closed: please choose a slot in another room."))
    if slot.starts_at <= utcnow():
        raise Conflict(_("This slot has already started: please choose a later one."))
    edition = _edition(invitation.edition_id)
    if slot.invitation_id == invitation.id:
        # A second submit of the same booking: nothing to take, the counterpart may change.
        if slot.counterpart != counterpart:
            before = _booking_snapshot(slot)
            slot.counterpart = counterpart
            db.session.flush()
            audit.record(
                "update_booking", slot, actor=actor, edition_id=edition.id,
                before=before, after=_booking_snapshot(slot),
            )  # fmt: skip
        commit()
        return slot
    if slot.invitation_id is not None:
        raise Conflict(_taken_message())

    limit = protocol_settings(edition).max_slots_per_day
    booked = list(
        db.session.scalars(
            select(MeetingSlot)
            .options(joinedload(MeetingSlot.room, innerjoin=True))
            .where(MeetingSlot.invitation_id == invitation.id, MeetingSlot.day == slot.day)
        )
    )
    if len(booked) >= limit:
        raise ProtocolError(
            ngettext(
                "This delegation already has %(num)d meeting on %(day)s, the most allowed "
                "per day. Cancel it or choose another day.",
                "This delegation already has %(num)d meetings on %(day)s, the most allowed "
                "per day. Cancel one of them or choose another day.",
                len(booked), day=format_date(slot.day),
            )
        )  # fmt: skip
    clash = next(
        (b for b in booked if b.starts_at < slot.ends_at and slot.starts_at < b.ends_at), None
    )
    if clash is not None:
        at = clash.starts_at.astimezone(edition.tz).time()
        raise ProtocolError(
            _(
                "This delegation already has a meeting at that time (%(time)s, %(room)s).",
                time=format_time(at, "short", rebase=False), room=clash.room.name,
            )
        )  # fmt: skip

    before = _booking_snapshot(slot)
    changed = db.session.execute(
        update(MeetingSlot)
        .where(MeetingSlot.id == slot.id, MeetingSlot.invitation_id.is_(None))
        .values(
            invitation_id=invitation.id,
            counterpart=counterpart,
            booked_at=utcnow(),
            booked_by_id=actor.id if actor is not None else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        # Another delegation's UPDATE committed first; PostgreSQL re-checked our condition.
        raise Conflict(_taken_message())
    db.session.refresh(slot)
    audit.record(
        "book", slot, actor=actor, edition_id=edition.id, before=before,
        after=_booking_snapshot(slot),
    )  # fmt: skip
    commit()
    return slot


@atomic
def cancel_booking(
    slot_id: int, invitation: VipInvitation, *, actor: User | None = None
) -> MeetingSlot:
    """Give back a slot this delegation booked; it is free for others at once.

    `actor` as for `book_slot`. A meeting that has started cannot be cancelled.
    """
    if actor is not None:
        actor = require_protocol_staff(actor)
    invitation = lock_invitation(invitation)
    slot = _slot_for_booking(invitation, slot_id)
    if slot.invitation_id != invitation.id:
        raise NotFound(_("This delegation has no booking in this slot."))
    if slot.starts_at <= utcnow():
        raise Conflict(_("This meeting has already started and can no longer be cancelled."))
    before = _booking_snapshot(slot)
    changed = db.session.execute(
        update(MeetingSlot)
        .where(MeetingSlot.id == slot.id, MeetingSlot.invitation_id == invitation.id)
        .values(invitation_id=None, counterpart="", booked_at=None, booked_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise NotFound(_("This delegation has no booking in this slot."))
    db.session.refresh(slot)
    audit.record(
        "cancel_booking", slot, actor=actor, edition_id=invitation.edition_id, before=before,
        after=_booking_snapshot(slot),
    )  # fmt: skip
    commit()
    return slot


def release_all(invitation: VipInvitation, *, actor: User | None) -> int:
    """Free every slot the invitation's delegation booked; returns how many.

    For revoke and decline: runs in the caller's transaction (which holds the
    invitation's lock and has checked who acts), flushes and commits nothing.
    """
    slots = list(
        db.session.scalars(
            select(MeetingSlot)
            .options(joinedload(MeetingSlot.room, innerjoin=True))
            .where(MeetingSlot.invitation_id == invitation.id)
            .order_by(MeetingSlot.starts_at)
            .with_for_update(of=MeetingSlot)
            .execution_options(populate_existing=True)
        )
    )
    for slot in slots:
        before = _booking_snapshot(slot)
        slot.invitation_id = None
        slot.counterpart = ""
        slot.booked_at = None
        slot.booked_by_id = None
        db.session.flush()
        audit.record(
            "release_booking", slot, actor=actor, edition_id=invitation.edition_id,
            before=before, after=_booking_snapshot(slot),
        )  # fmt: skip
    return len(slots)


def bookings_of(invitation: VipInvitation) -> list[MeetingSlot]:
    """The slots the invitation's delegation holds, in time order (rooms loaded)."""
    return list(
        db.session.scalars(
            select(MeetingSlot)
            .options(joinedload(MeetingSlot.room, innerjoin=True))
            .where(MeetingSlot.invitation_id == invitation.id)
            .order_by(MeetingSlot.starts_at, MeetingSlot.id)
        )
    )
