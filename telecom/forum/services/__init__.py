"""Forum services: programme, speakers, seats, ratings, attendance, calendars.

The views, the API, the CLI and the tests call these functions; each one
checks who is acting, applies the rules and commits one transaction. Times
are stored in UTC and entered and shown in the edition's time zone; the two
helpers below are the only place that conversion happens.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select

from telecom.core.errors import NotFound, ValidationError
from telecom.core.permissions import Role, require_role
from telecom.extensions import db
from telecom.forum.models import ForumSession

if TYPE_CHECKING:
    from telecom.auth.models import User
    from telecom.events.models import Edition


class ForumError(ValidationError):
    """A refused value, with the form field it belongs to (None: the form as a whole).

    Field names are those of the service dataclasses (`SessionData`,
    `SpeakerInvite`, `SpeakerProfile`) or of the forms ("name", "capacity",
    "colour", "speakers", "score", "comment", "photo").
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def require_organizer(actor: User | None) -> User:
    """`actor` when it is an organizer (who runs the forum), else Forbidden."""
    return require_role(actor, Role.ORGANIZER)


def lock_session(session: ForumSession | int) -> ForumSession:
    """The session's row, locked for this transaction and re-read (another may have changed it).

    Seat counts, cancellation and programme edits take this lock first, so
    two actions on one session run one after the other.
    """
    session_id = session if isinstance(session, int) else session.id
    locked = db.session.scalar(
        select(ForumSession)
        .where(ForumSession.id == session_id)
        .with_for_update(of=ForumSession)
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such session."))
    return locked


def session_capacity(session: ForumSession) -> int:
    """Seats in the session: its own capacity, else its room's, else 0 (nowhere to sit)."""
    if session.capacity is not None:
        return session.capacity
    if session.room is not None:
        return session.room.capacity
    return 0


def local_time(edition: Edition, moment: datetime) -> datetime:
    """A UTC timestamp as an aware time in the edition's zone (what people on site read)."""
    if moment.tzinfo is None:
        # Stored values are UTC; a naive one (SQLite round trip) means UTC too.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(edition.tz)


def to_utc(edition: Edition, local: datetime) -> datetime:
    """A wall-clock time in the edition's zone (naive) as UTC.

    In the autumn hour that occurs twice the earlier one is meant (fold=0);
    a spring time that does not exist is moved forward by zoneinfo's rules.
    """
    if local.tzinfo is None:
        local = local.replace(tzinfo=edition.tz)
    return local.astimezone(UTC)
