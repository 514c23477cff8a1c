"""iCalendar files: one per session, and a delegate's personal agenda.

Built with the `icalendar` package. Times are written in UTC ("Z"), which
every calendar shows in its owner's zone, so no VTIMEZONE block is needed and
nothing depends on the server's zone. A session's UID never changes (it
names the session, not the file), so importing the file again, or after the
session moved, updates the event instead of adding a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select
from werkzeug.routing import BuildError

from telecom.auth.models import User
from telecom.core.errors import Forbidden
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import (
    ForumSession,
    ReservationStatus,
    SeatReservation,
    SpeakerRole,
    SpeakerStatus,
)
from telecom.participants.services.people import person_for_user

__all__ = ["agenda_ics", "session_ics", "session_uid", "session_url"]

PRODID = "-//ITU TELECOM World//Forum programme//EN"
# The public session page's endpoint (telecom/forum/views/public.py).
SESSION_ENDPOINT = "forum.session"


def session_url(session: ForumSession, edition: Edition | None = None) -> str | None:
    """The public page of the session, absolute; None when it cannot be built here
    (no server name configured, as in some CLI runs)."""
    edition = edition or db.session.get(Edition, session.edition_id)
    assert edition is not None
    try:
        return url_for(SESSION_ENDPOINT, slug=edition.slug, session_id=session.id, _external=True)
    except (BuildError, RuntimeError):
        return None


def session_uid(session: ForumSession, edition: Edition) -> str:
    """Stable for the session's whole life, unique across editions and installations' sessions."""
    return f"forum-session-{session.id}.{edition.slug}@telecom-world.itu"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _location(session: ForumSession, edition: Edition) -> str:
    parts = []
    if session.room is not None:
        parts.append(session.room.name)
        if session.room.location:
            parts.append(session.room.location)
    parts.append(edition.venue)
    parts.append(edition.city)
    return ", ".join(part for part in parts if part)


def _description(session: ForumSession) -> str:
    lines = [session.kind.label]
    if session.track is not None:
        lines.append(_("Track: %(track)s", track=session.track.name))
    speakers = [link for link in session.speakers if link.speaker.status == SpeakerStatus.CONFIRMED]
    for role, heading in (
        (SpeakerRole.MODERATOR, _("Moderator")),
        (SpeakerRole.SPEAKER, _("Speakers")),
    ):
        names = []
        for link in speakers:
            if link.role != role:
                continue
            speaker = link.speaker
            detail = ", ".join(p for p in (speaker.job_title, speaker.organisation) if p)
            names.append(f"{speaker.full_name} ({detail})" if detail else speaker.full_name)
        if names:
            lines.append(f"{heading}: " + "; ".join(names))
    if session.description.strip():
        lines.append("")
        lines.append(session.description.strip())
    return "\n".join(lines)


def _event(session: ForumSession, edition: Edition, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", session_uid(session, edition))
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("summary", session.title)
    event.add("location", _location(session, edition))
    event.add("description", _description(session))
    if session.updated_at is not None:
        # Calendars keep the newest version of a UID: a session changed after
        # publication replaces the imported event because this moves.
        event.add("last-modified", _utc(session.updated_at))
    event.add("status", "CANCELLED" if session.cancelled_at is not None else "CONFIRMED")
    url = session_url(session, edition)
    if url:
        event.add("url", url)
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def session_ics(session: ForumSession) -> bytes:
    """One session as an iCalendar file (a cancelled session says so: STATUS:CANCELLED)."""
    edition = db.session.get(Edition, session.edition_id)
    assert edition is not None
    calendar = _calendar(f"{edition.name}: {session.title}")
    calendar.add_component(_event(session, edition, utcnow()))
    return bytes(calendar.to_ical())


def agenda_ics(user: User | None, edition: Edition) -> bytes:
    """The user's confirmed seats in the edition's sessions that still take place.

    Waiting places and cancelled reservations or sessions are not in it: the
    agenda says where the person has a seat.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Log in to download your agenda."))
    calendar = _calendar(_("%(edition)s: my forum agenda", edition=edition.name))
    person = person_for_user(user)
    if person is not None:
        sessions = db.session.scalars(
            select(ForumSession)
            .join(SeatReservation, SeatReservation.session_id == ForumSession.id)
            .where(
                SeatReservation.person_id == person.id,
                SeatReservation.status == ReservationStatus.CONFIRMED,
                ForumSession.edition_id == edition.id,
                ForumSession.cancelled_at.is_(None),
            )
            .order_by(ForumSession.starts_at, ForumSession.id)
        ).all()
        stamp = utcnow()
        for session in sessions:
            calendar.add_component(_event(session, edition, stamp))
    return bytes(calendar.to_ical())
