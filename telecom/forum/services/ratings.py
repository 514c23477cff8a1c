"""Session ratings: a delegate who attended rates a session once, after it ended.

"Attended" means checked in at the session's door (a CheckIn at point
"session" whose point_ref is the session id), the same record the KPIs count.
The organizer's report is computed by SQL aggregates; means are exact
Decimals (sum / count), rounded half up to two places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, Forbidden
from telecom.core.models import utcnow
from telecom.core.templating import format_timestamp
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import ForumSession, SessionRating, Track
from telecom.forum.services import ForumError, require_organizer
from telecom.participants.models import CheckIn, CheckInPoint
from telecom.participants.services.people import person_for_user

__all__ = [
    "MAX_COMMENT_LENGTH",
    "RatingSummary",
    "RatingsReport",
    "SessionRatings",
    "TrackRatings",
    "has_attended",
    "mean_of",
    "my_rating",
    "rate",
    "rating_comments",
    "ratings_report",
]

MAX_COMMENT_LENGTH = 2000
SCORES = range(1, 6)
TWO_PLACES = Decimal("0.01")


def mean_of(total: Any, count: Any) -> Decimal | None:
    """sum / count as a Decimal rounded half up to 2 places; None when nothing was rated.

    The sum comes from SQL as an integer, so the division is exact (an AVG
    would come back as a float on SQLite and could round 4.005 down).
    """
    count = int(count or 0)
    if count == 0:
        return None
    return (Decimal(int(total or 0)) / Decimal(count)).quantize(TWO_PLACES, ROUND_HALF_UP)


def has_attended(session: ForumSession, person_id: int) -> bool:
    """Was the person checked in at this session's door?"""
    found = db.session.scalar(
        select(CheckIn.id)
        .where(
            CheckIn.edition_id == session.edition_id,
            CheckIn.person_id == person_id,
            CheckIn.point == CheckInPoint.SESSION,
            CheckIn.point_ref == str(session.id),
        )
        .limit(1)
    )
    return found is not None


def my_rating(session: ForumSession, user: User | None) -> SessionRating | None:
    """The user's rating of the session, if they gave one (to show instead of the form)."""
    person = person_for_user(user)
    if person is None:
        return None
    return db.session.scalar(
        select(SessionRating).where(
            SessionRating.session_id == session.id, SessionRating.person_id == person.id
        )
    )


def _score(value: object) -> int:
    message = _("Choose a score from 1 to 5.")
    if isinstance(value, bool):
        raise ForumError(message, "score")
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():  # also refuses "", "-1", "4.5"
            raise ForumError(message, "score")
        value = int(value)
    if not isinstance(value, int) or value not in SCORES:
        raise ForumError(message, "score")
    return value


def _comment(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ForumError(_("Write the comment as text."), "comment")
    text = value.strip()
    if len(text) > MAX_COMMENT_LENGTH:
        raise ForumError(
            _("Write at most %(count)d characters.", count=MAX_COMMENT_LENGTH), "comment"
        )
    return text


@atomic
def rate(
    session: ForumSession,
    score: int | str,
    comment: str = "",
    *,
    actor: User | None,
    now: datetime | None = None,
) -> SessionRating:
    """The actor's rating of a session they attended, once, after it ended.

    Refused: not logged in; a cancelled session or one not over yet; no
    check-in at the session (Forbidden); a second rating (Conflict); a score
    outside 1..5 (ForumError "score") or a comment too long ("comment").
    """
    now = now or utcnow()
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Log in to rate a session."))
    person = person_for_user(actor)
    if session.cancelled_at is not None:
        raise Conflict(_("This session was cancelled, so it cannot be rated."))
    if now < session.ends_at:
        edition = db.session.get(Edition, session.edition_id)
        assert edition is not None
        raise Conflict(
            _(
                "You can rate this session once it has ended (%(time)s).",
                time=format_timestamp(session.ends_at, edition.timezone),
            )
        )
    if person is None or not has_attended(session, person.id):
        raise Forbidden(
            _("Only delegates whose badge was scanned at the session's door can rate it.")
        )
    already = _("You have already rated this session; a session is rated once.")
    if my_rating(session, actor) is not None:
        raise Conflict(already)
    rating = SessionRating(
        session_id=session.id,
        person_id=person.id,
        score=_score(score),
        comment=_comment(comment),
        created_at=now,
    )
    db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError:
        # The same person rating from two tabs at once: the UNIQUE constraint decides.
        db.session.rollback()
        raise Conflict(already) from None
    audit.record(
        "rate_session", rating, actor=actor, edition_id=session.edition_id,
        after=audit.snapshot(rating, ("session_id", "score", "comment")),
    )  # fmt: skip
    commit()
    return rating


# --- The organizer's report ---------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    count: int
    mean: Decimal | None
    # How many ratings gave each score 1..5.
    distribution: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionRatings:
    session: ForumSession
    count: int
    mean: Decimal | None


@dataclass(frozen=True)
class TrackRatings:
    track: Track | None  # None: sessions without a track
    count: int
    mean: Decimal | None

    @property
    def name(self) -> str:
        return self.track.name if self.track is not None else _("No track")


@dataclass(frozen=True)
class RatingsReport:
    sessions: list[SessionRatings]
    tracks: list[TrackRatings]
    edition: RatingSummary


def _count_and_mean(aggregate: tuple[Any, Any] | None) -> tuple[int, Decimal | None]:
    count, total = aggregate or (0, 0)
    return int(count or 0), mean_of(total, count)


def ratings_report(edition: Edition, *, actor: User | None) -> RatingsReport:
    """Ratings per session (every session of the edition, by start), per track, and overall.

    A track's mean is the mean of all its ratings (not of its sessions' means).
    Organizers only.
    """
    require_organizer(actor)
    in_edition = ForumSession.edition_id == edition.id
    per_session = {
        row.session_id: (row.count, row.total)
        for row in db.session.execute(
            select(
                SessionRating.session_id,
                func.count(SessionRating.id).label("count"),
                func.sum(SessionRating.score).label("total"),
            )
            .join(ForumSession, ForumSession.id == SessionRating.session_id)
            .where(in_edition)
            .group_by(SessionRating.session_id)
        )
    }
    sessions = db.session.scalars(
        select(ForumSession).where(in_edition).order_by(ForumSession.starts_at, ForumSession.id)
    ).all()
    session_rows = [
        SessionRatings(s, *_count_and_mean(per_session.get(s.id)))
        for s in sessions
        # A cancelled session is listed only if it was rated before being cancelled.
        if s.cancelled_at is None or s.id in per_session
    ]

    per_track = {
        row.track_id: (row.count, row.total)
        for row in db.session.execute(
            select(
                ForumSession.track_id,
                func.count(SessionRating.id).label("count"),
                func.sum(SessionRating.score).label("total"),
            )
            .join(ForumSession, ForumSession.id == SessionRating.session_id)
            .where(in_edition)
            .group_by(ForumSession.track_id)
        )
    }
    tracks = db.session.scalars(
        select(Track).where(Track.edition_id == edition.id).order_by(Track.name, Track.id)
    ).all()
    track_rows = [TrackRatings(t, *_count_and_mean(per_track.get(t.id))) for t in tracks]
    if None in per_track:
        track_rows.append(TrackRatings(None, *_count_and_mean(per_track[None])))

    distribution = dict.fromkeys(SCORES, 0)
    for row in db.session.execute(
        select(SessionRating.score, func.count(SessionRating.id).label("count"))
        .join(ForumSession, ForumSession.id == SessionRating.session_id)
        .where(in_edition)
        .group_by(SessionRating.score)
    ):
        distribution[int(row.score)] = int(row.count)
    count = sum(distribution.values())
    total = sum(score * n for score, n in distribution.items())
    summary = RatingSummary(count, mean_of(total, count), distribution)
    return RatingsReport(session_rows, track_rows, summary)


def rating_comments(session: ForumSession, *, actor: User | None) -> list[SessionRating]:
    """The session's ratings that carry a comment, newest first; organizers only."""
    require_organizer(actor)
    return list(
        db.session.scalars(
            select(SessionRating)
            .where(SessionRating.session_id == session.id, SessionRating.comment != "")
            .order_by(SessionRating.created_at.desc(), SessionRating.id.desc())
        )
    )
