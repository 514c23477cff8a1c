"""iCalendar files, parsed back with the `icalendar` package: a session's file and the agenda."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from icalendar import Calendar

from telecom.core.errors import Forbidden
from telecom.extensions import db
from telecom.forum.models import (
    ForumSession,
    SessionAccess,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
)
from telecom.forum.services import ical, seats
from tests.forum.support_seats import (
    delegate,
    forum_edition,
    make_room,
    make_session,
    make_track,
    reload_session,
)
from tests.helpers import make_edition, make_user


def _events(data: bytes) -> list:  # type: ignore[type-arg]
    assert isinstance(data, bytes)
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and calendar.get("PRODID")
    return list(calendar.walk("VEVENT"))


def _instant(event, name: str) -> datetime:  # type: ignore[no-untyped-def]
    value = event.decoded(name)
    assert isinstance(value, datetime) and value.tzinfo is not None, "a floating time"
    return value


def _add_speaker(
    session: ForumSession, name: str, role: SpeakerRole, status: SpeakerStatus, **kw
) -> None:  # type: ignore[no-untyped-def]
    speaker = Speaker(
        edition_id=session.edition_id, email=f"{name.split()[0].lower()}@speaker.example",
        full_name=name, status=status, **kw,
    )  # fmt: skip
    db.session.add(speaker)
    db.session.flush()
    db.session.add(
        SessionSpeaker(session_id=session.id, speaker_id=speaker.id, role=role, position=0)
    )
    db.session.commit()


def test_a_session_file_names_the_session_its_room_and_its_speakers(app: Flask) -> None:
    edition = make_edition()  # Budapest, 12-15 October 2015
    room = make_room(edition, "Room Bartók", 300, location="Pavilion G, first floor")
    session = make_session(
        edition, "Connecting the next billion", room=room, track=make_track(edition, "Policy"),
        starts="14:00", ends="15:30", description="How to bring 4G to rural areas.",
    )  # fmt: skip
    _add_speaker(session, "Mia Moderator", SpeakerRole.MODERATOR, SpeakerStatus.CONFIRMED)
    _add_speaker(
        session, "Sam Speaker", SpeakerRole.SPEAKER, SpeakerStatus.CONFIRMED,
        job_title="CTO", organisation="Telco Ltd",
    )  # fmt: skip
    _add_speaker(session, "Ivan Invited", SpeakerRole.SPEAKER, SpeakerStatus.INVITED)
    session = reload_session(session.id)

    [event] = _events(ical.session_ics(session))

    assert str(event["SUMMARY"]) == "Connecting the next billion"
    location = str(event["LOCATION"])
    assert "Room Bartók" in location and "Pavilion G" in location and "HUNGEXPO" in location
    # 14:00 in Budapest in October 2015 (summer time, UTC+2) is 12:00 UTC.
    assert _instant(event, "DTSTART") == datetime(2015, 10, 12, 12, 0, tzinfo=UTC)
    assert _instant(event, "DTEND") == datetime(2015, 10, 12, 13, 30, tzinfo=UTC)
    assert _instant(event, "DTSTART") == session.starts_at
    assert _instant(event, "DTEND") == session.ends_at
    description = str(event["DESCRIPTION"])
    assert "Mia Moderator" in description and "Sam Speaker (CTO, Telco Ltd)" in description
    assert "Ivan Invited" not in description  # not confirmed: not announced
    assert "Policy" in description and "rural areas" in description
    assert str(event["STATUS"]) == "CONFIRMED"
    link = ical.session_url(session)
    if link is not None:
        assert str(event["URL"]) == link


def test_the_uid_stays_when_the_session_moves_and_differs_between_sessions(app: Flask) -> None:
    edition = make_edition()
    room = make_room(edition)
    session = make_session(edition, room=room)
    other = make_session(edition, "Another", room=room, starts="12:00", ends="13:00")
    [before] = _events(ical.session_ics(session))
    [again] = _events(ical.session_ics(session))

    session.starts_at += timedelta(hours=2)
    session.ends_at += timedelta(hours=2)
    db.session.commit()
    [moved] = _events(ical.session_ics(reload_session(session.id)))
    [another] = _events(ical.session_ics(other))

    assert str(before["UID"]) == str(again["UID"]) == str(moved["UID"])
    assert str(another["UID"]) != str(before["UID"])
    assert _instant(moved, "DTSTART") == _instant(before, "DTSTART") + timedelta(hours=2)


def test_times_are_right_on_both_sides_of_the_clock_change(app: Flask) -> None:
    # Budapest left summer time at 03:00 on Sunday 25 October 2015.
    edition = make_edition(
        "telecom-world-dst", start_date=date(2015, 10, 24), end_date=date(2015, 10, 26)
    )
    room = make_room(edition)
    saturday = make_session(edition, "Saturday", room=room, day=0, starts="10:00", ends="11:00")
    monday = make_session(edition, "Monday", room=room, day=2, starts="10:00", ends="11:00")
    # Across the change: 01:30 summer time to 04:00 winter time is three and a half hours.
    night = make_session(edition, "Night", room=room, day=1, starts="01:30", ends="04:00")

    [sat] = _events(ical.session_ics(saturday))
    [mon] = _events(ical.session_ics(monday))
    [nig] = _events(ical.session_ics(night))

    assert _instant(sat, "DTSTART") == datetime(2015, 10, 24, 8, 0, tzinfo=UTC)
    assert _instant(mon, "DTSTART") == datetime(2015, 10, 26, 9, 0, tzinfo=UTC)
    assert _instant(nig, "DTEND") - _instant(nig, "DTSTART") == timedelta(hours=3, minutes=30)
    # Read back in the venue's zone, the wall clock is what the organizer typed.
    assert _instant(mon, "DTSTART").astimezone(edition.tz).strftime("%H:%M") == "10:00"


def test_a_cancelled_session_says_so(app: Flask) -> None:
    edition = make_edition()
    session = make_session(edition, room=make_room(edition))
    session.cancelled_at = datetime(2015, 10, 1, tzinfo=UTC)
    db.session.commit()

    [event] = _events(ical.session_ics(session))

    assert str(event["STATUS"]) == "CANCELLED"


def test_the_agenda_holds_exactly_the_confirmed_seats(app: Flask) -> None:
    edition = forum_edition()
    room_a, room_b = make_room(edition, "Room A", 1), make_room(edition, "Room B")
    kept = make_session(edition, "Kept", room=room_b, starts="09:00", ends="10:00")
    full = make_session(edition, "Full", room=room_a, starts="10:00", ends="11:00")
    left = make_session(edition, "Left", room=room_b, starts="11:00", ends="12:00")
    dropped = make_session(edition, "Dropped", room=room_b, starts="13:00", ends="14:00")
    # A session she may not attend and never reserved is not in it either.
    make_session(
        edition, "VIP lunch", room=room_b, starts="12:00", ends="13:00", access=SessionAccess.VIP
    )
    second_day = make_session(edition, "Second day", room=room_b, day=1)
    dora, holder = delegate(edition), delegate(edition, "holder@x.example")
    seats.reserve(full, actor=holder.user)
    seats.reserve(kept, actor=dora.user)
    seats.join_waiting_list(full, actor=dora.user)  # waiting: not in the agenda
    seats.reserve(left, actor=dora.user)
    seats.cancel_reservation(left, actor=dora.user)  # cancelled: not in the agenda
    seats.reserve(dropped, actor=dora.user)
    dropped.cancelled_at = dropped.starts_at - timedelta(days=1)  # session cancelled
    db.session.commit()
    seats.reserve(second_day, actor=dora.user)
    # Another edition's seat stays in that edition's agenda.
    other_edition = forum_edition("telecom-world-other", starts_in=400)
    other_registration = delegate(other_edition, "dora2@x.example")
    elsewhere = make_session(other_edition, room=make_room(other_edition))
    seats.reserve(elsewhere, actor=other_registration.user)

    events = _events(ical.agenda_ics(dora.user, edition))

    assert [str(e["SUMMARY"]) for e in events] == ["Kept", "Second day"]
    by_title = {str(e["SUMMARY"]): e for e in events}
    [single] = _events(ical.session_ics(reload_session(kept.id)))
    assert str(by_title["Kept"]["UID"]) == str(single["UID"])
    assert _instant(by_title["Kept"], "DTSTART") == reload_session(kept.id).starts_at
    assert "Room B" in str(by_title["Kept"]["LOCATION"])

    # Promoted from the waiting list, the seat appears.
    seats.cancel_reservation(full, actor=holder.user)
    titles = [str(e["SUMMARY"]) for e in _events(ical.agenda_ics(dora.user, edition))]
    assert titles == ["Kept", "Full", "Second day"]
    assert _events(ical.agenda_ics(holder.user, edition)) == []


def test_the_agenda_needs_a_login_and_is_empty_for_an_account_without_seats(app: Flask) -> None:
    edition = forum_edition()

    with pytest.raises(Forbidden):
        ical.agenda_ics(None, edition)
    assert _events(ical.agenda_ics(make_user("nobody@x.example"), edition)) == []
