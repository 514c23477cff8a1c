"""Helpers for the organizer's forum page tests.

The pages are driven through the test client as an organizer would use them;
the rows they start from (rooms, sessions, speakers in a given status, a
delegate's seat, a rating) are written with the models, as the other forum
flows (tested on their own) would leave them.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, datetime, time

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from telecom.core.db import commit
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import (
    ForumRoom,
    ForumSession,
    ReservationStatus,
    SeatReservation,
    SessionAccess,
    SessionKind,
    SessionRating,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
    Track,
)
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from tests.core import form_values
from tests.helpers import log_in, make_edition, make_organizer

__test__ = False  # helpers only

SLUG = "telecom-world-2015"
BASE = f"/organizer/editions/{SLUG}/forum"
# make_edition's default: Budapest, 12-15 October 2015 (summer time, UTC+2).
FIRST_DAY = date(2015, 10, 12)
SECOND_DAY = date(2015, 10, 13)


def organizer_logged_in(client: FlaskClient) -> Edition:
    """The 2015 edition, and `client` logged in as its organizer."""
    edition = make_edition(SLUG)
    make_organizer()
    log_in(client, "organizer@example.org")
    return edition


def make_room(edition: Edition, name: str = "Room 1", capacity: int = 100) -> ForumRoom:
    position = len(db.session.scalars(select(ForumRoom.id)).all()) + 1
    room = ForumRoom(edition_id=edition.id, name=name, capacity=capacity, position=position)
    db.session.add(room)
    commit()
    return room


def make_track(edition: Edition, name: str = "Digital inclusion", colour: str = "#0a7d32") -> Track:
    track = Track(edition_id=edition.id, name=name, colour=colour)
    db.session.add(track)
    commit()
    return track


def local(edition: Edition, day: date, clock: str) -> datetime:
    """A wall-clock time in the edition's zone, as an aware datetime."""
    return datetime.combine(day, time.fromisoformat(clock), edition.tz)


def make_session(
    edition: Edition,
    title: str,
    room: ForumRoom,
    *,
    day: date = FIRST_DAY,
    start: str = "10:00",
    end: str = "11:00",
    track: Track | None = None,
    speakers: list[tuple[Speaker, SpeakerRole]] = (),  # type: ignore[assignment]
    access: SessionAccess = SessionAccess.FORUM_PASS,
    kind: SessionKind = SessionKind.PANEL,
) -> ForumSession:
    session = ForumSession(
        edition_id=edition.id, title=title, kind=kind, room_id=room.id,
        track_id=track.id if track else None, access=access,
        starts_at=local(edition, day, start), ends_at=local(edition, day, end),
    )  # fmt: skip
    db.session.add(session)
    db.session.flush()
    for position, (speaker, role) in enumerate(speakers):
        db.session.add(
            SessionSpeaker(session_id=session.id, speaker_id=speaker.id, role=role,
                           position=position)
        )  # fmt: skip
    commit()
    return session


def make_speaker(
    edition: Edition,
    full_name: str,
    email: str,
    status: SpeakerStatus = SpeakerStatus.CONFIRMED,
    organisation: str = "",
) -> Speaker:
    speaker = Speaker(
        edition_id=edition.id, email=email, full_name=full_name, status=status,
        organisation=organisation, invited_at=utcnow(),
    )  # fmt: skip
    db.session.add(speaker)
    commit()
    return speaker


def registered_person(edition: Edition, email: str, full_name: str) -> Person:
    """A person with a confirmed forum-delegate registration of the edition."""
    person = Person(email=email, full_name=full_name)
    db.session.add(person)
    db.session.flush()
    db.session.add(
        Registration(
            person_id=person.id, edition_id=edition.id,
            category=RegistrationCategory.FORUM_DELEGATE, status=RegistrationStatus.CONFIRMED,
            forum_access=True,
        )
    )  # fmt: skip
    commit()
    return person


def give_seat(session: ForumSession, person: Person) -> SeatReservation:
    """A confirmed seat, as a reservation leaves it (the session's counter included)."""
    reservation = SeatReservation(
        session_id=session.id, person_id=person.id, status=ReservationStatus.CONFIRMED,
        confirmed_at=utcnow(),
    )  # fmt: skip
    session.seats_taken += 1
    db.session.add(reservation)
    commit()
    return reservation


def rate(session: ForumSession, person: Person, score: int, comment: str = "") -> None:
    db.session.add(
        SessionRating(
            session_id=session.id, person_id=person.id, score=score, comment=comment,
            created_at=utcnow(),
        )
    )  # fmt: skip
    commit()


def session_url(session: ForumSession | int) -> str:
    session_id = session if isinstance(session, int) else session.id
    return f"{BASE}/sessions/{session_id}"


def session_form(
    room: ForumRoom,
    title: str = "Financing broadband",
    *,
    day: date = FIRST_DAY,
    start: str = "14:00",
    end: str = "15:30",
    **extra: str,
) -> dict[str, str]:
    """What an organizer types into the new-session form."""
    values = {
        "title": title,
        "description": "Who pays for the last mile?",
        "kind": "panel",
        "access": "forum_pass",
        "room_id": str(room.id),
        "day": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "capacity": "",
        "track_id": "",
    }
    values.update(extra)
    return values


def post_form(
    client: FlaskClient, url: str, typed: dict[str, str], *, page: str | None = None
) -> TestResponse:
    """Open the page, keep what its main form shows (token, defaults), overwrite, post."""
    opened = client.get(page or url)
    assert opened.status_code == 200, f"GET {page or url} answered {opened.status_code}"
    values = form_values(opened)
    assert "csrf_token" in values, "the form has no CSRF token"
    values.update(typed)
    return client.post(url, data=values)


def action_of(response: TestResponse, button: str, within: str = "") -> tuple[str, dict[str, str]]:
    """The action and hidden fields (token, `next`) of the small form holding `button`,
    whose action contains `within`, on the page."""
    text = response.get_data(as_text=True)
    for match in re.finditer(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', text, re.S):
        if f">{button}</button>" in match.group(2) and within in match.group(1):
            hidden = dict(
                re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', match.group(2))
            )
            assert "csrf_token" in hidden, "the button's form has no token"
            return html_lib.unescape(match.group(1)), {
                name: html_lib.unescape(value) for name, value in hidden.items()
            }
    raise AssertionError(f"no button {button!r} on the page")


def press(client: FlaskClient, page_url: str, button: str, within: str = "") -> TestResponse:
    """Press a button (publish, cancel, resend...) as a user would, from its page."""
    action, data = action_of(client.get(page_url), button, within)
    return client.post(action, data=data)
