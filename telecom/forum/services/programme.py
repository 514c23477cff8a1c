"""The forum programme: rooms, tracks, sessions, their speakers, conflicts and publication.

Organizers build the programme in the edition's time zone (a day and local
start and end times); sessions are stored in UTC. The programme editor refuses
a session that clashes with another (two sessions in one room at once, a
speaker in two places at once) unless the organizer saves it anyway, in which
case `programme_conflicts` flags both sessions until the clash is resolved. A
session outside the edition's days is always refused.

Every programme edit locks the edition's ForumSettings row first, so two
organizers saving at the same moment are checked one after the other and
cannot both slip a session into the same free room. Seat reservations (seats.py)
lock only the session row, which edits lock second: the order is always
settings, then session, so the two never deadlock.

While the programme is published, a change of time, room or speakers, and a
cancellation, is mailed to everyone holding a seat or a waiting-list place in
the session, in their own language. Every change is audit-logged, published or not.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from telecom.auth.models import User
from telecom.core import audit, errors
from telecom.core.db import atomic, commit
from telecom.core.errors import NotFound
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
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
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
    Track,
)
from telecom.forum.services import (
    ForumError,
    local_time,
    lock_session,
    require_organizer,
    seats,
    session_capacity,
    to_utc,
)
from telecom.participants.models import Person

__all__ = [
    "Conflict",
    "SessionConflictError",
    "SessionData",
    "cancel_session",
    "create_room",
    "create_session",
    "create_track",
    "find_conflicts",
    "get_room",
    "get_session",
    "get_track",
    "is_published",
    "list_rooms",
    "list_tracks",
    "programme_conflicts",
    "programme_days",
    "publish",
    "session_data",
    "session_span",
    "sessions_of",
    "set_session_speakers",
    "unpublish",
    "update_room",
    "update_session",
    "update_track",
]

MAX_NAME = 100
MAX_LOCATION = 200
MAX_TRACK_DESCRIPTION = 2_000
MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
MAX_CAPACITY = 100_000
MAX_SEARCH = 100
MAX_SPEAKERS = 40
# A clock time earlier than the start is read as "after midnight", but only
# within this span: 10:00-09:00 is a typing slip, not a 23-hour session.
MAX_SESSION = timedelta(hours=12)
DEFAULT_COLOUR = "#1d4ed8"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

ROOM_FIELDS = ("name", "capacity", "location", "position")
TRACK_FIELDS = ("name", "description", "colour")
SESSION_FIELDS = (
    "title", "description", "kind", "room_id", "track_id", "starts_at", "ends_at",
    "capacity", "access", "cancelled_at",
)  # fmt: skip
# What delegates holding a seat are told about once the programme is public.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "room_id")
# Speakers who said no, or whose invitation was taken back, are not on the programme.
INACTIVE_SPEAKERS = (SpeakerStatus.DECLINED, SpeakerStatus.WITHDRAWN)
HOLDING = (ReservationStatus.CONFIRMED, ReservationStatus.WAITING)
# The public page of a session, linked from the change notice when the views define it.
SESSION_PAGE_ENDPOINT = "forum.session"


# --- Small helpers ----------------------------------------------------------------------


def _clean_line(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _clean_text(value: object) -> str:
    return value.strip().replace("\r\n", "\n") if isinstance(value, str) else ""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clock(edition: Edition, moment: datetime) -> str:
    # 24-hour wall-clock time, as a printed programme shows it.
    return local_time(edition, moment).strftime("%H:%M")


def session_span(edition: Edition, starts_at: datetime, ends_at: datetime) -> str:
    """When a session takes place, in the edition's time and the reader's language.

    "Monday, October 12, 2015, 09:00–10:30"; a session ending after midnight
    names its end day too.
    """
    start, end = local_time(edition, starts_at), local_time(edition, ends_at)
    text = f"{format_date(start.date(), 'full')}, {start:%H:%M}–"
    if end.date() != start.date():
        return text + f"{format_date(end.date(), 'full')}, {end:%H:%M}"
    return text + f"{end:%H:%M}"


def _when(edition: Edition, starts_at: datetime, ends_at: datetime) -> str:
    # Short form for conflict messages: "from 09:00 to 10:30 on Oct 12, 2015".
    return _(
        "from %(start)s to %(end)s on %(day)s",
        start=_clock(edition, starts_at), end=_clock(edition, ends_at),
        day=format_date(local_time(edition, starts_at).date(), "medium"),
    )  # fmt: skip


def _edition(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    assert edition is not None
    return edition


def _settings_query(edition: Edition) -> Any:
    return (
        select(ForumSettings)
        .where(ForumSettings.edition_id == edition.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _lock_programme(edition: Edition) -> ForumSettings:
    """The edition's forum settings row, locked: programme edits run one at a time."""
    settings = db.session.scalar(_settings_query(edition))
    if settings is None:
        # The first edit of this edition's forum: create the row; when another
        # organizer creates it at the same moment, the unique constraint
        # refuses ours and we wait for, then lock, theirs.
        try:
            with db.session.begin_nested():
                db.session.add(ForumSettings(edition_id=edition.id))
        except IntegrityError:
            pass
        settings = db.session.scalar(_settings_query(edition))
        assert settings is not None
    return settings


# --- Rooms ------------------------------------------------------------------------------


def _room_values(
    edition: Edition, name: object, capacity: object, location: object, room: ForumRoom | None
) -> tuple[str, int, str]:
    text = _clean_line(name)
    if not text:
        raise ForumError(_("Enter the name of the room."), "name")
    if len(text) > MAX_NAME:
        raise ForumError(_("Write at most %(count)d characters.", count=MAX_NAME), "name")
    query = select(func.count(ForumRoom.id)).where(
        ForumRoom.edition_id == edition.id, func.lower(ForumRoom.name) == text.lower()
    )
    if room is not None:
        query = query.where(ForumRoom.id != room.id)
    if db.session.scalar(query):
        raise ForumError(_("This edition already has a room with this name."), "name")
    if not _is_int(capacity):
        raise ForumError(_("Enter the number of seats in the room."), "capacity")
    assert isinstance(capacity, int)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ForumError(
            _("The capacity must be between 1 and %(high)d seats.", high=MAX_CAPACITY),
            "capacity",
        )
    if location is not None and not isinstance(location, str):
        raise ForumError(_("Enter the location as text."), "location")
    place = _clean_line(location)
    if len(place) > MAX_LOCATION:
        raise ForumError(_("Write at most %(count)d characters.", count=MAX_LOCATION), "location")
    return text, capacity, place


def _save(field_name: str, message: str) -> None:
    try:
        commit()
    except IntegrityError:
        # Another organizer saved the same name at the same moment.
        raise ForumError(message, field_name) from None


@atomic
def create_room(
    edition: Edition, name: str, capacity: int, location: str = "", *, actor: User | None
) -> ForumRoom:
    """A new session room of the edition, shown after the existing ones in the grid."""
    actor = require_organizer(actor)
    name, capacity, location = _room_values(edition, name, capacity, location, None)
    last = db.session.scalar(
        select(func.max(ForumRoom.position)).where(ForumRoom.edition_id == edition.id)
    )
    room = ForumRoom(
        edition_id=edition.id, name=name, capacity=capacity, location=location,
        position=(last or 0) + 1,
    )  # fmt: skip
    db.session.add(room)
    db.session.flush()
    audit.record(
        "create", room, actor=actor, edition_id=edition.id,
        after=audit.snapshot(room, ROOM_FIELDS),
    )  # fmt: skip
    _save("name", _("This edition already has a room with this name."))
    return room


@atomic
def update_room(
    room: ForumRoom,
    name: str,
    capacity: int,
    location: str = "",
    *,
    position: int | None = None,
    actor: User | None,
) -> ForumRoom:
    """Rename, resize or move a room; `position` orders the grid's columns (None: unchanged).

    Seats are physical: a room cannot shrink below a session's own capacity,
    nor below the seats already reserved in a session that uses the room's.
    """
    actor = require_organizer(actor)
    edition = _edition(room.edition_id)
    _lock_programme(edition)
    locked = db.session.scalar(
        select(ForumRoom)
        .where(ForumRoom.id == room.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such room."))
    room = locked
    name, capacity, location = _room_values(edition, name, capacity, location, room)
    if position is not None and (not _is_int(position) or not 0 <= position <= 10_000):
        raise ForumError(_("Enter the room's place in the grid as a whole number."), "position")
    if capacity < room.capacity:
        _check_room_shrink(room, capacity)
    before = audit.snapshot(room, ROOM_FIELDS)
    room.name, room.capacity, room.location = name, capacity, location
    if position is not None:
        room.position = position
    db.session.flush()
    after = audit.snapshot(room, ROOM_FIELDS)
    if after != before:
        audit.record("update", room, actor=actor, edition_id=edition.id, before=before, after=after)
    _save("name", _("This edition already has a room with this name."))
    return room


def _check_room_shrink(room: ForumRoom, capacity: int) -> None:
    live = (ForumSession.room_id == room.id, ForumSession.cancelled_at.is_(None))
    larger = db.session.scalars(
        select(ForumSession)
        .where(*live, ForumSession.capacity > capacity)
        .order_by(ForumSession.starts_at)
    ).first()
    if larger is not None:
        raise ForumError(
            _(
                "The session “%(title)s” in this room has %(num)d seats; lower its capacity "
                "before making the room smaller.",
                title=larger.title, num=larger.capacity,
            ),
            "capacity",
        )  # fmt: skip
    fuller = db.session.scalars(
        select(ForumSession)
        .where(*live, ForumSession.capacity.is_(None), ForumSession.seats_taken > capacity)
        .order_by(ForumSession.starts_at)
    ).first()
    if fuller is not None:
        raise ForumError(
            _(
                "%(num)d seats are already reserved in the session “%(title)s” in this room; "
                "the room cannot have fewer seats.",
                num=fuller.seats_taken, title=fuller.title,
            ),
            "capacity",
        )  # fmt: skip


def list_rooms(edition: Edition) -> list[ForumRoom]:
    """The edition's rooms in grid order."""
    return list(
        db.session.scalars(
            select(ForumRoom)
            .where(ForumRoom.edition_id == edition.id)
            .order_by(ForumRoom.position, ForumRoom.name, ForumRoom.id)
        )
    )


def get_room(edition: Edition, room_id: object) -> ForumRoom:
    """A room of this edition; NotFound for another edition's room or a wrong id."""
    room = None
    if _is_int(room_id):
        room = db.session.scalar(
            select(ForumRoom).where(ForumRoom.id == room_id, ForumRoom.edition_id == edition.id)
        )
    if room is None:
        raise NotFound(_("There is no such room."))
    return room


# --- Tracks -----------------------------------------------------------------------------


def _track_values(
    edition: Edition, name: object, description: object, colour: object, track: Track | None
) -> tuple[str, str, str]:
    text = _clean_line(name)
    if not text:
        raise ForumError(_("Enter the name of the track."), "name")
    if len(text) > MAX_NAME:
        raise ForumError(_("Write at most %(count)d characters.", count=MAX_NAME), "name")
    query = select(func.count(Track.id)).where(
        Track.edition_id == edition.id, func.lower(Track.name) == text.lower()
    )
    if track is not None:
        query = query.where(Track.id != track.id)
    if db.session.scalar(query):
        raise ForumError(_("This edition already has a track with this name."), "name")
    about = _clean_text(description)
    if len(about) > MAX_TRACK_DESCRIPTION:
        raise ForumError(
            _("Write at most %(count)d characters.", count=MAX_TRACK_DESCRIPTION), "description"
        )
    shade = colour.strip() if isinstance(colour, str) else ""
    if not shade:
        shade = DEFAULT_COLOUR
    if not _COLOUR.match(shade):
        raise ForumError(_("Choose a colour such as #1d4ed8."), "colour")
    return text, about, shade.lower()


@atomic
def create_track(
    edition: Edition,
    name: str,
    description: str = "",
    colour: str = DEFAULT_COLOUR,
    *,
    actor: User | None,
) -> Track:
    """A new track (a theme that groups sessions, shown in its colour on the programme)."""
    actor = require_organizer(actor)
    name, description, colour = _track_values(edition, name, description, colour, None)
    track = Track(edition_id=edition.id, name=name, description=description, colour=colour)
    db.session.add(track)
    db.session.flush()
    audit.record(
        "create", track, actor=actor, edition_id=edition.id,
        after=audit.snapshot(track, TRACK_FIELDS),
    )  # fmt: skip
    _save("name", _("This edition already has a track with this name."))
    return track


@atomic
def update_track(
    track: Track,
    name: str,
    description: str = "",
    colour: str = DEFAULT_COLOUR,
    *,
    actor: User | None,
) -> Track:
    """Rename or recolour a track."""
    actor = require_organizer(actor)
    locked = db.session.scalar(
        select(Track)
        .where(Track.id == track.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such track."))
    track = locked
    edition = _edition(track.edition_id)
    name, description, colour = _track_values(edition, name, description, colour, track)
    before = audit.snapshot(track, TRACK_FIELDS)
    track.name, track.description, track.colour = name, description, colour
    db.session.flush()
    after = audit.snapshot(track, TRACK_FIELDS)
    if after != before:
        audit.record(
            "update", track, actor=actor, edition_id=edition.id, before=before, after=after
        )
    _save("name", _("This edition already has a track with this name."))
    return track


def list_tracks(edition: Edition) -> list[Track]:
    """The edition's tracks by name."""
    return list(
        db.session.scalars(
            select(Track).where(Track.edition_id == edition.id).order_by(Track.name, Track.id)
        )
    )


def get_track(edition: Edition, track_id: object) -> Track:
    """A track of this edition; NotFound for another edition's track or a wrong id."""
    track = None
    if _is_int(track_id):
        track = db.session.scalar(
            select(Track).where(Track.id == track_id, Track.edition_id == edition.id)
        )
    if track is None:
        raise NotFound(_("There is no such track."))
    return track


# --- Sessions: input --------------------------------------------------------------------


@dataclass
class SessionData:
    """A session as the organizer types it: a day and local clock times.

    An end time earlier on the clock than the start means the session ends
    after midnight (within 12 hours). `capacity` None: the room's.
    """

    title: str = ""
    description: str = ""
    kind: SessionKind | None = None
    room_id: int | None = None
    track_id: int | None = None
    day: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    capacity: int | None = None
    access: SessionAccess | None = None


def session_data(session: ForumSession) -> SessionData:
    """The session's values as the edit form shows them (in the edition's time)."""
    edition = _edition(session.edition_id)
    start = local_time(edition, session.starts_at)
    end = local_time(edition, session.ends_at)
    return SessionData(
        title=session.title, description=session.description, kind=session.kind,
        room_id=session.room_id, track_id=session.track_id, day=start.date(),
        start_time=start.time().replace(tzinfo=None), end_time=end.time().replace(tzinfo=None),
        capacity=session.capacity, access=session.access,
    )  # fmt: skip


@dataclass
class _Values:
    """Validated session values, in UTC."""

    title: str
    description: str
    kind: SessionKind
    room: ForumRoom
    track: Track | None
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    access: SessionAccess


def _enum(enum_class: Any, value: object, field_name: str, message: str) -> Any:
    try:
        return enum_class(value)
    except ValueError:
        raise ForumError(message, field_name) from None


def _local_instant(edition: Edition, day: date, at: time, field_name: str) -> datetime:
    wall = datetime.combine(day, at.replace(tzinfo=None, second=0, microsecond=0))
    moment = to_utc(edition, wall)
    # The hour skipped when summer time starts does not exist on the clock:
    # refuse it rather than silently moving the session by an hour.
    if local_time(edition, moment).replace(tzinfo=None) != wall:
        raise ForumError(
            _(
                "%(time)s does not exist on %(day)s in the edition's time zone (the clocks "
                "go forward that night). Choose another time.",
                time=wall.strftime("%H:%M"), day=format_date(day, "medium"),
            ),
            field_name,
        )  # fmt: skip
    return moment


def _times(edition: Edition, data: SessionData) -> tuple[datetime, datetime]:
    day = data.day
    # A datetime is a date too, but the form's day is a calendar day.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ForumError(_("Choose the day of the session."), "day")
    if not isinstance(data.start_time, time):
        raise ForumError(_("Enter the time the session starts."), "start_time")
    if not isinstance(data.end_time, time):
        raise ForumError(_("Enter the time the session ends."), "end_time")
    start_clock = data.start_time.replace(tzinfo=None, second=0, microsecond=0)
    end_clock = data.end_time.replace(tzinfo=None, second=0, microsecond=0)
    if end_clock == start_clock:
        raise ForumError(_("The session must end after it starts."), "end_time")
    end_day = day if end_clock > start_clock else day + timedelta(days=1)
    starts_at = _local_instant(edition, day, start_clock, "start_time")
    ends_at = _local_instant(edition, end_day, end_clock, "end_time")
    if ends_at - starts_at > MAX_SESSION:
        if end_day != day:
            raise ForumError(_("The end time is before the start time."), "end_time")
        raise ForumError(
            _("A session lasts at most %(hours)d hours.", hours=MAX_SESSION.seconds // 3600),
            "end_time",
        )
    if ends_at <= starts_at:
        # Only when the clocks go back in the night: 02:30-02:15 the same night.
        raise ForumError(_("The end time is before the start time."), "end_time")
    return starts_at, ends_at


def _validate(edition: Edition, data: SessionData, session: ForumSession | None) -> _Values:
    title = _clean_line(data.title)
    if not title:
        raise ForumError(_("Enter the title of the session."), "title")
    if len(title) > MAX_TITLE:
        raise ForumError(_("Write at most %(count)d characters.", count=MAX_TITLE), "title")
    description = _clean_text(data.description)
    if len(description) > MAX_DESCRIPTION:
        raise ForumError(
            _("Write at most %(count)d characters.", count=MAX_DESCRIPTION), "description"
        )
    if data.kind is None or data.kind == "":
        raise ForumError(_("Choose the type of session."), "kind")
    kind = _enum(SessionKind, data.kind, "kind", _("Choose a type of session from the list."))
    access = SessionAccess.FORUM_PASS
    if data.access is not None and data.access != "":
        access = _enum(
            SessionAccess, data.access, "access", _("Choose who may attend from the list.")
        )
    if data.room_id is None:
        raise ForumError(_("Choose the room of the session."), "room_id")
    room = None
    if _is_int(data.room_id):
        room = db.session.scalar(
            select(ForumRoom).where(
                ForumRoom.id == data.room_id, ForumRoom.edition_id == edition.id
            )
        )
    if room is None:
        raise ForumError(_("Choose a room from the list."), "room_id")
    track = None
    if data.track_id is not None:
        if _is_int(data.track_id):
            track = db.session.scalar(
                select(Track).where(Track.id == data.track_id, Track.edition_id == edition.id)
            )
        if track is None:
            raise ForumError(_("Choose a track from the list."), "track_id")
    starts_at, ends_at = _times(edition, data)
    capacity = data.capacity
    if capacity is not None:
        if not _is_int(capacity) or not 1 <= capacity <= MAX_CAPACITY:
            raise ForumError(
                _("The capacity must be between 1 and %(high)d seats.", high=MAX_CAPACITY),
                "capacity",
            )
        if capacity > room.capacity:
            # Seats are physical: selling more than the room holds helps nobody.
            raise ForumError(
                _(
                    "The room %(room)s has only %(num)d seats: choose a larger room or a "
                    "smaller capacity (leave it empty to use the room's).",
                    room=room.name, num=room.capacity,
                ),
                "capacity",
            )  # fmt: skip
    seats = capacity if capacity is not None else room.capacity
    if session is not None and seats < session.seats_taken:
        raise ForumError(
            _(
                "%(num)d seats are already reserved in this session; it cannot have fewer.",
                num=session.seats_taken,
            ),
            "capacity" if capacity is not None else "room_id",
        )
    return _Values(
        title=title, description=description, kind=kind, room=room, track=track,
        starts_at=starts_at, ends_at=ends_at, capacity=capacity, access=access,
    )  # fmt: skip


# --- Conflicts --------------------------------------------------------------------------


@dataclass
class Conflict:
    """One clash of a session with the programme: "room", "speaker" or "outside_days".

    `other_session_id` is the session it clashes with (None for "outside_days").
    """

    kind: str
    message: str
    other_session_id: int | None = None
    speaker_id: int | None = None


class SessionConflictError(ForumError):
    """The session clashes with others; `conflicts` lists how. Saving anyway is allowed."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        message = " ".join(
            [
                ngettext(
                    "This session clashes with the programme:",
                    "This session clashes with the programme in %(num)d ways:",
                    len(conflicts),
                )
            ]
            + [conflict.message for conflict in conflicts]
        )
        super().__init__(message, None)
        self.conflicts = conflicts


def _outside_days(edition: Edition, starts_at: datetime, ends_at: datetime) -> Conflict | None:
    first = edition.day_starts_at(edition.start_date)
    last = edition.day_starts_at(edition.end_date + timedelta(days=1))
    if starts_at >= first and ends_at <= last:
        return None
    return Conflict(
        "outside_days",
        _(
            "The session must take place during the event, between %(first)s and %(last)s "
            "(ending by midnight of the last day).",
            first=format_date(edition.start_date, "medium"),
            last=format_date(edition.end_date, "medium"),
        ),
    )


def _active_speakers(session: ForumSession) -> list[Speaker]:
    return [
        link.speaker for link in session.speakers if link.speaker.status not in INACTIVE_SPEAKERS
    ]


def _conflicts(
    edition: Edition,
    starts_at: datetime,
    ends_at: datetime,
    room: ForumRoom | None,
    speakers: Sequence[Speaker],
    exclude_id: int | None,
) -> list[Conflict]:
    found: list[Conflict] = []
    outside = _outside_days(edition, starts_at, ends_at)
    if outside is not None:
        found.append(outside)
    overlapping = (
        ForumSession.edition_id == edition.id,
        ForumSession.cancelled_at.is_(None),
        # Touching sessions (one ends as the next starts) do not clash.
        ForumSession.starts_at < ends_at,
        ForumSession.ends_at > starts_at,
    )
    if exclude_id is not None:
        overlapping = (*overlapping, ForumSession.id != exclude_id)
    if room is not None:
        for other in db.session.scalars(
            select(ForumSession)
            .where(*overlapping, ForumSession.room_id == room.id)
            .order_by(ForumSession.starts_at, ForumSession.id)
        ):
            found.append(_room_conflict(edition, room, other))
    by_id = {speaker.id: speaker for speaker in speakers if speaker.status not in INACTIVE_SPEAKERS}
    if by_id:
        rows = db.session.execute(
            select(SessionSpeaker.speaker_id, ForumSession)
            .join(ForumSession, ForumSession.id == SessionSpeaker.session_id)
            .where(*overlapping, SessionSpeaker.speaker_id.in_(by_id))
            .order_by(ForumSession.starts_at, ForumSession.id, SessionSpeaker.speaker_id)
        ).all()
        for speaker_id, other in rows:
            found.append(_speaker_conflict(edition, by_id[speaker_id], other))
    return found


def _room_conflict(edition: Edition, room: ForumRoom, other: ForumSession) -> Conflict:
    return Conflict(
        "room",
        _(
            "The room %(room)s is taken by “%(title)s” %(when)s.",
            room=room.name, title=other.title,
            when=_when(edition, other.starts_at, other.ends_at),
        ),
        other.id,
    )  # fmt: skip


def _speaker_conflict(edition: Edition, speaker: Speaker, other: ForumSession) -> Conflict:
    return Conflict(
        "speaker",
        _(
            "%(name)s is also in “%(title)s” %(when)s.",
            name=speaker.full_name, title=other.title,
            when=_when(edition, other.starts_at, other.ends_at),
        ),
        other.id,
        speaker.id,
    )  # fmt: skip


def find_conflicts(
    edition: Edition,
    session_or_data: ForumSession | SessionData,
    *,
    session: ForumSession | None = None,
) -> list[Conflict]:
    """How a session, or typed values, would clash with the rest of the programme.

    For `SessionData`, pass `session` when the values are an edit of that
    session (it is then not compared with itself, and its speakers count).
    A cancelled session clashes with nothing. Invalid values raise ForumError.
    """
    if isinstance(session_or_data, ForumSession):
        target = session_or_data
        if target.cancelled_at is not None:
            return []
        return _conflicts(
            edition, target.starts_at, target.ends_at, target.room,
            _active_speakers(target), target.id,
        )  # fmt: skip
    values = _validate(edition, session_or_data, session)
    if session is not None and session.cancelled_at is not None:
        return []
    speakers = _active_speakers(session) if session is not None else []
    return _conflicts(
        edition, values.starts_at, values.ends_at, values.room, speakers,
        session.id if session is not None else None,
    )  # fmt: skip


def programme_conflicts(edition: Edition) -> dict[int, list[Conflict]]:
    """Every clash in the programme, by session id; both sessions of a clash are listed.

    These are clashes saved on purpose ("save anyway"), or sessions left
    outside the event after its dates changed. Cancelled sessions are ignored.
    """
    sessions = sessions_of(edition)
    found: dict[int, list[Conflict]] = defaultdict(list)
    for session in sessions:
        outside = _outside_days(edition, session.starts_at, session.ends_at)
        if outside is not None:
            found[session.id].append(outside)
    by_room: dict[int, list[ForumSession]] = defaultdict(list)
    by_speaker: dict[int, list[ForumSession]] = defaultdict(list)
    speakers: dict[int, Speaker] = {}
    for session in sessions:
        if session.room_id is not None:
            by_room[session.room_id].append(session)
        for speaker in _active_speakers(session):
            by_speaker[speaker.id].append(session)
            speakers[speaker.id] = speaker
    for group in by_room.values():
        for first, second in _overlapping_pairs(group):
            assert first.room is not None
            found[first.id].append(_room_conflict(edition, first.room, second))
            found[second.id].append(_room_conflict(edition, first.room, first))
    for speaker_id, group in by_speaker.items():
        for first, second in _overlapping_pairs(group):
            found[first.id].append(_speaker_conflict(edition, speakers[speaker_id], second))
            found[second.id].append(_speaker_conflict(edition, speakers[speaker_id], first))
    return dict(found)


def _overlapping_pairs(
    sessions: list[ForumSession],
) -> Iterable[tuple[ForumSession, ForumSession]]:
    # Sorted by start, a session can only overlap those that start before it ends.
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.id))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            yield first, second


# --- Sessions: changes ------------------------------------------------------------------


def _is_published(settings: ForumSettings | None) -> bool:
    return settings is not None and settings.published_at is not None


@dataclass
class _Shown:
    """What the delegates holding a seat knew about a session, for the change notice."""

    starts_at: datetime
    ends_at: datetime
    room: str
    speakers: list[str] = field(default_factory=list)


def _shown(session: ForumSession) -> _Shown:
    return _Shown(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room=session.room.name if session.room is not None else "",
        speakers=[speaker.full_name for speaker in _active_speakers(session)],
    )


def _session_link(edition: Edition, session: ForumSession) -> str | None:
    try:
        return url_for(
            SESSION_PAGE_ENDPOINT, slug=edition.slug, session_id=session.id, _external=True
        )
    except (BuildError, RuntimeError):
        # No public session page (yet), or no server name to build a full address
        # from (a CLI run without SERVER_NAME): the notice reads well without a link.
        return None


def _tell_holders(
    edition: Edition, session: ForumSession, before: _Shown, *, cancelled: bool = False
) -> int:
    """Mail everyone with a seat or a waiting-list place about the change; how many were told."""
    after = _shown(session)
    link = _session_link(edition, session)
    rows = db.session.execute(
        select(Person, User)
        .join(SeatReservation, SeatReservation.person_id == Person.id)
        .outerjoin(User, User.id == Person.user_id)
        .where(
            SeatReservation.session_id == session.id,
            SeatReservation.status.in_(HOLDING),
            Person.erased_at.is_(None),
        )
        .order_by(Person.id)
    ).all()
    for person, user in rows:
        queue_mail(
            # The account's address and language when the person has one (what
            # they keep up to date), else those they registered with.
            user.email if user is not None else person.email,
            _subject(session, cancelled=cancelled),
            "forum_session_changed.txt",
            locale=(user.locale if user is not None else None) or person.locale,
            person=person, edition=edition, session=session, cancelled=cancelled,
            before=before, after=after, link=link,
            time_changed=(before.starts_at, before.ends_at) != (after.starts_at, after.ends_at),
            room_changed=before.room != after.room,
            speakers_changed=before.speakers != after.speakers,
            # Called while the mail renders, so dates come out in the recipient's language.
            span=lambda starts, ends: session_span(edition, starts, ends),
        )  # fmt: skip
    return len(rows)


def _subject(session: ForumSession, *, cancelled: bool) -> Any:
    # Lazy: queue_mail renders it in each recipient's language.
    if cancelled:
        return _l("Session cancelled: %(title)s", title=session.title)
    return _l("Programme change: %(title)s", title=session.title)


def _conflict_key(conflict: Conflict) -> tuple[str, int | None, int | None]:
    return conflict.kind, conflict.other_session_id, conflict.speaker_id


def _refuse_conflicts(
    found: list[Conflict], *, known: Sequence[Conflict] = (), allow_conflicts: bool
) -> None:
    """Raise for a session outside the event (always) or for a new clash (unless allowed).

    Clashes the session already had were saved on purpose earlier: editing,
    say, its description does not ask again (the editor keeps flagging them).
    """
    for conflict in found:
        if conflict.kind == "outside_days":
            raise ForumError(conflict.message, "day")
    seen = {_conflict_key(conflict) for conflict in known}
    new = [conflict for conflict in found if _conflict_key(conflict) not in seen]
    if new and not allow_conflicts:
        raise SessionConflictError(new)


def _check_open(session: ForumSession) -> None:
    if session.cancelled_at is not None:
        raise errors.Conflict(_("This session is cancelled; it can no longer be changed."))


@atomic
def create_session(
    edition: Edition, data: SessionData, *, actor: User | None, allow_conflicts: bool = False
) -> ForumSession:
    """A new session of the programme.

    Refused (ForumError naming the field) for invalid values and always for a
    session outside the event's days; refused with SessionConflictError when
    it clashes with another session, unless `allow_conflicts`.
    """
    actor = require_organizer(actor)
    _lock_programme(edition)
    values = _validate(edition, data, None)
    found = _conflicts(edition, values.starts_at, values.ends_at, values.room, [], None)
    _refuse_conflicts(found, allow_conflicts=allow_conflicts)
    session = ForumSession(
        edition_id=edition.id, title=values.title, description=values.description,
        kind=values.kind, room=values.room, track=values.track, starts_at=values.starts_at,
        ends_at=values.ends_at, capacity=values.capacity, access=values.access, seats_taken=0,
    )  # fmt: skip
    db.session.add(session)
    db.session.flush()
    audit.record(
        "create", session, actor=actor, edition_id=edition.id,
        after=audit.snapshot(session, SESSION_FIELDS),
    )  # fmt: skip
    commit()
    return session


@atomic
def update_session(
    session: ForumSession,
    data: SessionData,
    *,
    actor: User | None,
    allow_conflicts: bool = False,
) -> ForumSession:
    """Change a session; the same checks as `create_session`, for the clashes it would add.

    While the programme is published, a new time or room is mailed to the
    people holding a seat or a waiting-list place. Seats added by a larger
    capacity go to the waiting list (seats.fill_free_seats).
    """
    actor = require_organizer(actor)
    edition = _edition(session.edition_id)
    settings = _lock_programme(edition)
    session = lock_session(session)
    _check_open(session)
    values = _validate(edition, data, session)
    known = find_conflicts(edition, session)
    found = _conflicts(
        edition, values.starts_at, values.ends_at, values.room,
        _active_speakers(session), session.id,
    )  # fmt: skip
    _refuse_conflicts(found, known=known, allow_conflicts=allow_conflicts)
    before = audit.snapshot(session, SESSION_FIELDS)
    shown = _shown(session)
    seats_before = session_capacity(session)
    session.title, session.description = values.title, values.description
    session.kind, session.access, session.capacity = values.kind, values.access, values.capacity
    session.room, session.track = values.room, values.track
    session.starts_at, session.ends_at = values.starts_at, values.ends_at
    db.session.flush()
    after = audit.snapshot(session, SESSION_FIELDS)
    if after != before:
        audit.record(
            "update", session, actor=actor, edition_id=edition.id, before=before, after=after
        )
        if _is_published(settings) and any(before[f] != after[f] for f in NOTIFIED_FIELDS):
            _tell_holders(edition, session, shown)
    if session_capacity(session) > seats_before:
        # New seats (a larger capacity or room) go to the waiting list at once,
        # first come first served, as a freed seat would.
        seats.fill_free_seats(session, actor=actor)
    commit()
    return session


@atomic
def cancel_session(session: ForumSession, *, actor: User | None) -> ForumSession:
    """Cancel a session: it stays on the programme marked cancelled and takes no seats.

    Reservations are kept (people see the session they had chosen was
    cancelled); while the programme is published their holders are told by mail.
    """
    actor = require_organizer(actor)
    edition = _edition(session.edition_id)
    settings = _lock_programme(edition)
    session = lock_session(session)
    if session.cancelled_at is not None:
        raise errors.Conflict(_("This session is already cancelled."))
    before = audit.snapshot(session, SESSION_FIELDS)
    shown = _shown(session)
    session.cancelled_at = utcnow()
    db.session.flush()
    audit.record(
        "cancel", session, actor=actor, edition_id=edition.id,
        before=before, after=audit.snapshot(session, SESSION_FIELDS),
    )  # fmt: skip
    if _is_published(settings):
        _tell_holders(edition, session, shown, cancelled=True)
    commit()
    return session


def get_session(edition: Edition, session_id: object) -> ForumSession:
    """A session of this edition (cancelled ones too), speakers loaded; NotFound otherwise."""
    session = None
    if _is_int(session_id):
        session = db.session.scalar(
            select(ForumSession)
            .where(ForumSession.id == session_id, ForumSession.edition_id == edition.id)
            .options(selectinload(ForumSession.speakers).joinedload(SessionSpeaker.speaker))
        )
    if session is None:
        raise NotFound(_("There is no such session."))
    return session


# --- Speakers on sessions ---------------------------------------------------------------


def _speaker_entries(edition: Edition, entries: object) -> list[tuple[Speaker, SpeakerRole]]:
    if not isinstance(entries, list | tuple):
        raise ForumError(_("Choose the speakers from the list."), "speakers")
    if len(entries) > MAX_SPEAKERS:
        raise ForumError(_("A session has at most %(num)d speakers.", num=MAX_SPEAKERS), "speakers")
    wanted: list[tuple[int, SpeakerRole]] = []
    for entry in entries:
        if not isinstance(entry, list | tuple) or len(entry) != 2 or not _is_int(entry[0]):
            raise ForumError(_("Choose the speakers from the list."), "speakers")
        role = _enum(SpeakerRole, entry[1], "speakers", _("Choose speaker or moderator."))
        wanted.append((entry[0], role))
    ids = [speaker_id for speaker_id, _role in wanted]
    found = {
        speaker.id: speaker
        for speaker in db.session.scalars(
            select(Speaker).where(Speaker.id.in_(ids), Speaker.edition_id == edition.id)
        )
    }
    result: list[tuple[Speaker, SpeakerRole]] = []
    seen: set[int] = set()
    for speaker_id, role in wanted:
        speaker = found.get(speaker_id)
        if speaker is None:
            raise ForumError(_("Choose the speakers from the list."), "speakers")
        if speaker_id in seen:
            raise ForumError(_("%(name)s is listed twice.", name=speaker.full_name), "speakers")
        if speaker.status == SpeakerStatus.DECLINED:
            raise ForumError(
                _("%(name)s declined the invitation to speak.", name=speaker.full_name),
                "speakers",
            )
        if speaker.status == SpeakerStatus.WITHDRAWN:
            raise ForumError(
                _("The invitation of %(name)s was withdrawn.", name=speaker.full_name),
                "speakers",
            )
        seen.add(speaker_id)
        result.append((speaker, role))
    return result


def _speaker_list(session: ForumSession) -> list[dict[str, Any]]:
    return [
        {"speaker_id": link.speaker_id, "role": link.role.value, "name": link.speaker.full_name}
        for link in session.speakers
    ]


@atomic
def set_session_speakers(
    session: ForumSession,
    entries: Sequence[tuple[int, SpeakerRole]],
    *,
    actor: User | None,
    allow_conflicts: bool = False,
) -> ForumSession:
    """Set who speaks and who moderates, in the order given (replacing the previous list).

    Speakers are invited or confirmed speakers of the edition. A speaker who
    would be in two sessions at once is refused unless `allow_conflicts`.
    While the programme is published, a changed line-up is mailed to the
    people holding a seat or a waiting-list place.
    """
    actor = require_organizer(actor)
    edition = _edition(session.edition_id)
    settings = _lock_programme(edition)
    session = lock_session(session)
    _check_open(session)
    chosen = _speaker_entries(edition, entries)
    known = find_conflicts(edition, session)
    found = _conflicts(
        edition, session.starts_at, session.ends_at, None,
        [speaker for speaker, _role in chosen], session.id,
    )  # fmt: skip
    found = [conflict for conflict in found if conflict.kind == "speaker"]
    _refuse_conflicts(found, known=known, allow_conflicts=allow_conflicts)
    before = _speaker_list(session)
    shown = _shown(session)
    # Keep the rows of speakers who stay: re-inserting them would trip the
    # (session, speaker) unique constraint before the old row is deleted.
    existing = {link.speaker_id: link for link in session.speakers}
    links: list[SessionSpeaker] = []
    for position, (speaker, role) in enumerate(chosen):
        link = existing.pop(speaker.id, None) or SessionSpeaker(speaker=speaker)
        link.role, link.position = role, position
        links.append(link)
    session.speakers = links
    db.session.flush()
    after = _speaker_list(session)
    if after != before:
        audit.record(
            "speakers", session, actor=actor, edition_id=edition.id,
            before={"speakers": before}, after={"speakers": after},
        )  # fmt: skip
        if _is_published(settings) and _shown(session).speakers != shown.speakers:
            _tell_holders(edition, session, shown)
    commit()
    return session


# --- Publication ------------------------------------------------------------------------


def _set_published(edition: Edition, published: bool, actor: User | None) -> ForumSettings:
    actor = require_organizer(actor)
    settings = _lock_programme(edition)
    if _is_published(settings) == published:
        # A second click changes nothing.
        commit()
        return settings
    before = audit.snapshot(settings, ("published_at",))
    settings.published_at = utcnow() if published else None
    db.session.flush()
    audit.record(
        "publish" if published else "unpublish", settings, actor=actor, edition_id=edition.id,
        before=before, after=audit.snapshot(settings, ("published_at",)),
    )  # fmt: skip
    commit()
    return settings


@atomic
def publish(edition: Edition, *, actor: User | None) -> ForumSettings:
    """Make the programme public; from now on session changes are mailed to seat holders."""
    return _set_published(edition, True, actor)


@atomic
def unpublish(edition: Edition, *, actor: User | None) -> ForumSettings:
    """Take the programme off the public site (changes are no longer mailed)."""
    return _set_published(edition, False, actor)


def is_published(edition: Edition) -> bool:
    """Whether the programme is public."""
    published_at = db.session.scalar(
        select(ForumSettings.published_at).where(ForumSettings.edition_id == edition.id)
    )
    return published_at is not None


# --- Reading ----------------------------------------------------------------------------


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def sessions_of(
    edition: Edition,
    *,
    day: date | None = None,
    track_id: int | None = None,
    room_id: int | None = None,
    search: str = "",
    include_cancelled: bool = False,
) -> list[ForumSession]:
    """The programme's sessions by start time, then room order, speakers loaded.

    `day` is a day in the edition's time zone (a session belongs to the day it
    starts); `search` matches the title, the description and the names and
    organisations of confirmed speakers, in any case.
    """
    query = (
        select(ForumSession)
        .outerjoin(ForumRoom, ForumRoom.id == ForumSession.room_id)
        .where(ForumSession.edition_id == edition.id)
        .options(selectinload(ForumSession.speakers).joinedload(SessionSpeaker.speaker))
    )
    if not include_cancelled:
        query = query.where(ForumSession.cancelled_at.is_(None))
    if isinstance(day, date) and not isinstance(day, datetime):
        query = query.where(
            ForumSession.starts_at >= edition.day_starts_at(day).astimezone(UTC),
            ForumSession.starts_at < edition.day_starts_at(day + timedelta(days=1)).astimezone(UTC),
        )
    if track_id is not None:
        query = query.where(ForumSession.track_id == track_id)
    if room_id is not None:
        query = query.where(ForumSession.room_id == room_id)
    term = _clean_line(search)[:MAX_SEARCH]
    if term:
        pattern = _like(term)
        speaker_match = exists(
            select(SessionSpeaker.id)
            .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
            .where(
                SessionSpeaker.session_id == ForumSession.id,
                # Only announced speakers: a search must not reveal who is
                # invited but has not confirmed (the public page hides them).
                Speaker.status == SpeakerStatus.CONFIRMED,
                or_(
                    Speaker.full_name.ilike(pattern, escape="\\"),
                    Speaker.organisation.ilike(pattern, escape="\\"),
                ),
            )
        )
        query = query.where(
            or_(
                ForumSession.title.ilike(pattern, escape="\\"),
                ForumSession.description.ilike(pattern, escape="\\"),
                speaker_match,
            )
        )
    query = query.order_by(
        ForumSession.starts_at, ForumRoom.position, ForumRoom.name, ForumSession.id
    )
    return list(db.session.scalars(query).unique())


def programme_days(edition: Edition) -> list[date]:
    """The days of the programme: the event's days, and any other day a session starts on."""
    days = {
        edition.start_date + timedelta(days=offset)
        for offset in range((edition.end_date - edition.start_date).days + 1)
    }
    starts = db.session.scalars(
        select(ForumSession.starts_at).where(
            ForumSession.edition_id == edition.id, ForumSession.cancelled_at.is_(None)
        )
    )
    days.update(edition.local_date(moment) for moment in starts)
    return sorted(days)
