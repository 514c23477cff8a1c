"""Forum attendance figures for the KPI engine, counted by the database.

A forum participant is a person checked in at the door of one session or
more (CheckIn point "session", point_ref = the session id): a person at two
sessions counts once, a double scan is one CheckIn row already, and gate
check-ins never count. Only check-ins naming a session of this edition
count, so a scanner typo ("point": "12x") adds nobody, and only check-ins
on a registration that is still live (a badge cancelled since counts
nowhere, as in every KPI). `until` (an aware datetime, the KPI engine's
as-of cut-off) leaves out later scans and ratings. Every figure is one SQL
aggregate; no rows are loaded to be counted in Python. The KPI engine reads
the forum KPI from here, so the forum's pages and the KPIs cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, String, and_, cast, func, select, true
from sqlalchemy.sql import Select

from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import ForumSession, SessionRating
from telecom.forum.services.ratings import mean_of
from telecom.participants.models import CheckIn, CheckInPoint
from telecom.participants.queries import on_live_registration

__all__ = ["forum_participants", "forum_satisfaction", "session_attendance"]


def _session_refs(edition: Edition) -> Select[tuple[str]]:
    """The edition's session ids as the text check-ins store them in point_ref."""
    return select(cast(ForumSession.id, String)).where(ForumSession.edition_id == edition.id)


def _session_door_checkins(edition: Edition, until: datetime | None) -> ColumnElement[bool]:
    """CheckIn rows that are forum attendance."""
    return and_(
        CheckIn.edition_id == edition.id,
        CheckIn.point == CheckInPoint.SESSION,
        CheckIn.point_ref.in_(_session_refs(edition)),
        on_live_registration(edition.id),
        true() if until is None else CheckIn.scanned_at <= until,
    )


def forum_participants(edition: Edition, until: datetime | None = None) -> int:
    """Unique people checked in at one session or more of the edition (by `until`)."""
    count = db.session.scalar(
        select(func.count(CheckIn.person_id.distinct())).where(
            _session_door_checkins(edition, until)
        )
    )
    return int(count or 0)


def forum_satisfaction(
    edition: Edition, until: datetime | None = None
) -> tuple[int, Decimal | None]:
    """(number of ratings, mean rating rounded to 2 places, None without ratings)."""
    row = db.session.execute(
        select(func.count(SessionRating.id), func.sum(SessionRating.score))
        .join(ForumSession, ForumSession.id == SessionRating.session_id)
        .where(
            ForumSession.edition_id == edition.id,
            true() if until is None else SessionRating.created_at <= until,
        )
    ).one()
    count, total = row
    return int(count or 0), mean_of(total, count)


def session_attendance(edition: Edition) -> dict[int, int]:
    """Unique people checked in per session id; every session of the edition, 0 when nobody."""
    counts = dict.fromkeys(
        db.session.scalars(
            select(ForumSession.id)
            .where(ForumSession.edition_id == edition.id)
            .order_by(ForumSession.starts_at, ForumSession.id)
        ),
        0,
    )
    rows = db.session.execute(
        select(CheckIn.point_ref, func.count(CheckIn.person_id.distinct()))
        .where(_session_door_checkins(edition, until=None))
        .group_by(CheckIn.point_ref)
    )
    for point_ref, count in rows:
        counts[int(point_ref)] = int(count)
    return counts
