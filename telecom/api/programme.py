"""The published forum programme as JSON: GET /api/v1/editions/<slug>/programme.

Public, like the programme pages: no token is needed, and nothing is shown
before the organizers publish the programme (404 until then). Every time is
given twice: in the edition's time zone with its offset (what the printed
programme says, "2015-10-12T09:30:00+02:00") and in UTC ("2015-10-12T07:30:00Z"),
so a client never has to know the zone's rules.

    {"edition": {...}, "published_at": "...Z", "timezone": "Europe/Budapest",
     "days": [{"date": "2015-10-12", "session_ids": [...]}],
     "rooms": [...], "tracks": [...], "speakers": [...], "sessions": [...]}

Cancelled sessions stay listed with "cancelled": true, so a client that
showed them before can say they are off.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import jsonify, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from telecom.api.views import bp
from telecom.core.errors import NotFound
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.extensions import db
from telecom.forum.models import (
    ForumRoom,
    ForumSession,
    ForumSettings,
    Speaker,
    SpeakerStatus,
    Track,
)
from telecom.forum.services import local_time, programme, session_capacity
from telecom.forum.services import speakers as forum_speakers


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with a "Z", the form every JSON client parses."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _room_json(room: ForumRoom) -> dict[str, Any]:
    return {
        "id": room.id,
        "name": room.name,
        "capacity": room.capacity,
        "location": room.location,
    }


def _track_json(track: Track) -> dict[str, Any]:
    return {
        "id": track.id,
        "name": track.name,
        "description": track.description,
        "colour": track.colour,
    }


def _speaker_json(edition: Edition, speaker: Speaker) -> dict[str, Any]:
    photo = None
    if speaker.photo_file:
        photo = url_for(
            "forum.speaker_photo", slug=edition.slug, speaker_id=speaker.id, _external=True
        )
    return {
        "id": speaker.id,
        "name": speaker.full_name,
        "job_title": speaker.job_title,
        "organisation": speaker.organisation,
        "country": speaker.country,
        "bio": speaker.bio,
        "photo_url": photo,
    }


def _session_json(edition: Edition, session: ForumSession) -> dict[str, Any]:
    starts = local_time(edition, session.starts_at)
    ends = local_time(edition, session.ends_at)
    capacity = session_capacity(session)
    return {
        "id": session.id,
        "title": session.title,
        "description": session.description,
        "kind": session.kind.value,
        "kind_label": session.kind.label,
        "access": session.access.value,
        "access_label": session.access.label,
        "day": starts.date().isoformat(),
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "starts_at_utc": utc_text(session.starts_at),
        "ends_at_utc": utc_text(session.ends_at),
        "room_id": session.room_id,
        "track_id": session.track_id,
        "capacity": capacity,
        "seats_left": max(capacity - session.seats_taken, 0),
        "cancelled": session.cancelled_at is not None,
        "speakers": [
            {"id": link.speaker_id, "name": link.speaker.full_name, "role": link.role.value}
            for link in session.speakers
            if link.speaker.status == SpeakerStatus.CONFIRMED
        ],
        "url": url_for("forum.session", slug=edition.slug, session_id=session.id, _external=True),
        "ical_url": url_for(
            "forum.session_ics", slug=edition.slug, session_id=session.id, _external=True
        ),
    }


def _published_at(edition: Edition) -> datetime | None:
    return db.session.scalar(
        select(ForumSettings.published_at).where(ForumSettings.edition_id == edition.id)
    )


def programme_json(edition: Edition) -> dict[str, Any]:
    """The whole published programme of `edition` as a JSON-ready dict."""
    sessions = programme.sessions_of(edition, include_cancelled=True)
    days: dict[str, list[int]] = {day.isoformat(): [] for day in programme.programme_days(edition)}
    for session in sessions:
        day = local_time(edition, session.starts_at).date().isoformat()
        days.setdefault(day, []).append(session.id)
    published_at = _published_at(edition)
    return {
        "edition": {
            "slug": edition.slug,
            "name": edition.name,
            "start_date": edition.start_date.isoformat(),
            "end_date": edition.end_date.isoformat(),
        },
        "timezone": edition.timezone,
        "published_at": utc_text(published_at) if published_at else None,
        "days": [{"date": day, "session_ids": ids} for day, ids in sorted(days.items())],
        "rooms": [_room_json(room) for room in programme.list_rooms(edition)],
        "tracks": [_track_json(track) for track in programme.list_tracks(edition)],
        "speakers": [
            _speaker_json(edition, speaker) for speaker in forum_speakers.public_speakers(edition)
        ],
        "sessions": [_session_json(edition, session) for session in sessions],
    }


@bp.route("/editions/<slug>/programme")
def edition_programme(slug: str) -> ResponseReturnValue:
    edition = get_edition(slug)
    if not programme.is_published(edition):
        # The app's error handler answers JSON under /api/.
        raise NotFound(
            _("The forum programme of %(edition)s is not published yet.", edition=edition.name)
        )
    response = jsonify(programme_json(edition))
    # Public data that changes rarely; a minute keeps a busy day's clients cheap.
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
