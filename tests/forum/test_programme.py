"""The programme editor: rooms, tracks, sessions in the edition's local time, speakers, reading."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.extensions import db
from telecom.forum.models import SessionAccess, SessionKind, SpeakerRole, SpeakerStatus
from telecom.forum.services import ForumError, local_time, programme, session_capacity
from telecom.forum.services.programme import SessionData
from tests.forum.support_programme import (
    FIRST_DAY,
    SECOND_DAY,
    add_session,
    audit_entries,
    budapest_edition,
    dst_edition,
    fresh,
    local_clock,
    move,
    organizer,
    participant,
    room,
    session_data,
    speaker,
)
from tests.helpers import make_edition

# --- Rooms and tracks ---------------------------------------------------------------------


def test_organizers_set_up_rooms_in_grid_order_with_unique_names(app):
    edition = budapest_edition()
    hall = programme.create_room(edition, "  Hall   A ", 1200, " Pavilion A ", actor=organizer())
    small = programme.create_room(edition, "Room 2", 80, actor=organizer())

    assert (hall.name, hall.capacity, hall.location) == ("Hall A", 1200, "Pavilion A")
    assert [r.name for r in programme.list_rooms(edition)] == ["Hall A", "Room 2"]
    assert [e.action for e in audit_entries(hall)] == ["create"]
    with pytest.raises(ForumError) as duplicate:
        programme.create_room(edition, "HALL A", 10, actor=organizer())
    assert duplicate.value.field == "name"
    assert "already has a room with this name" in duplicate.value.message

    programme.update_room(small, "Room 2", 80, "Level 2", position=0, actor=organizer())
    assert [r.name for r in programme.list_rooms(edition)] == ["Room 2", "Hall A"]
    [update] = audit_entries(small, "update")
    assert update.before["location"] == "" and update.after["location"] == "Level 2"


@pytest.mark.parametrize("capacity", [0, -5, 100_001, "lots", None, 2.5, True])
def test_a_room_needs_a_sensible_number_of_seats(app, capacity):
    edition = budapest_edition()
    with pytest.raises(ForumError) as refused:
        programme.create_room(edition, "Room 1", capacity, actor=organizer())  # type: ignore[arg-type]
    assert refused.value.field == "capacity"
    assert programme.list_rooms(edition) == []


def test_a_room_cannot_shrink_below_the_seats_its_sessions_need(app):
    edition = budapest_edition()
    hall = room(edition, "Hall A", 500)
    session = add_session(edition, hall, capacity=300)

    with pytest.raises(ForumError) as refused:
        programme.update_room(hall, "Hall A", 200, actor=organizer())
    assert refused.value.field == "capacity"
    assert "Connecting the unconnected" in refused.value.message and "300" in refused.value.message

    # A session using the room's own capacity holds the seats already reserved.
    move(session, capacity=None)
    session = fresh(session)
    session.seats_taken = 250
    db.session.commit()
    with pytest.raises(ForumError) as full:
        programme.update_room(hall, "Hall A", 200, actor=organizer())
    assert "250 seats are already reserved" in full.value.message
    programme.update_room(hall, "Hall A", 260, actor=organizer())
    assert session_capacity(fresh(session)) == 260


def test_tracks_have_a_name_a_description_and_a_colour(app):
    edition = budapest_edition()
    track = programme.create_track(
        edition, "Digital inclusion", "Bridging the divide.", "#A0C4FF", actor=organizer()
    )
    assert (track.name, track.colour) == ("Digital inclusion", "#a0c4ff")
    plain = programme.create_track(edition, "Investment", actor=organizer())
    assert plain.colour == "#1d4ed8"
    assert [t.name for t in programme.list_tracks(edition)] == ["Digital inclusion", "Investment"]

    with pytest.raises(ForumError) as colour:
        programme.update_track(track, "Digital inclusion", "", "red; x", actor=organizer())
    assert colour.value.field == "colour"
    with pytest.raises(ForumError) as duplicate:
        programme.update_track(plain, "digital INCLUSION", actor=organizer())
    assert duplicate.value.field == "name"
    programme.update_track(plain, "Investment & finance", "Money.", actor=organizer())
    assert audit_entries(plain, "update")[0].after["name"] == "Investment & finance"


def test_only_organizers_edit_the_programme(app):
    edition = budapest_edition()
    hall = room(edition)
    session = add_session(edition, hall)
    delegate = participant()

    with pytest.raises(Forbidden):
        programme.create_room(edition, "Room 9", 10, actor=delegate)
    with pytest.raises(Forbidden):
        programme.create_track(edition, "Track", actor=None)
    with pytest.raises(Forbidden):
        programme.create_session(edition, session_data(hall), actor=delegate)
    with pytest.raises(Forbidden):
        programme.update_session(session, session_data(hall, "Hijacked"), actor=delegate)
    with pytest.raises(Forbidden):
        programme.cancel_session(session, actor=delegate)
    with pytest.raises(Forbidden):
        programme.set_session_speakers(session, [], actor=delegate)
    assert fresh(session).title == "Connecting the unconnected"


# --- Sessions ----------------------------------------------------------------------------


def test_a_session_is_saved_with_its_details_and_the_rooms_capacity_by_default(app):
    edition = budapest_edition()
    hall = room(edition, "Hall A", 1200)
    track = programme.create_track(edition, "Leadership", actor=organizer())

    session = programme.create_session(
        edition,
        SessionData(
            title=" Leaders'   Summit ", description="  Heads of state and CEOs.\r\n ",
            kind=SessionKind.LEADERS_SUMMIT, room_id=hall.id, track_id=track.id,
            day=FIRST_DAY, start_time=time(9, 0), end_time=time(12, 0), capacity=None,
            access=SessionAccess.VIP,
        ),
        actor=organizer(),
    )  # fmt: skip

    stored = fresh(session)
    assert stored.title == "Leaders' Summit"
    assert stored.description == "Heads of state and CEOs."
    assert (stored.kind, stored.access, stored.room.name, stored.track.name) == (
        SessionKind.LEADERS_SUMMIT, SessionAccess.VIP, "Hall A", "Leadership",
    )  # fmt: skip
    assert stored.capacity is None and session_capacity(stored) == 1200
    [created] = audit_entries(stored, "create")
    assert created.after["title"] == "Leaders' Summit"
    # A session with its own, smaller capacity keeps it.
    workshop = add_session(edition, hall, "Workshop", start="14:00", end="15:00", capacity=40)
    assert session_capacity(fresh(workshop)) == 40


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"title": "   "}, "title", "Enter the title"),
        ({"title": "x" * 301}, "title", "at most 300"),
        ({"kind": None}, "kind", "type of session"),
        ({"kind": "karaoke"}, "kind", "from the list"),
        ({"access": "everyone"}, "access", "who may attend"),
        ({"room_id": None}, "room_id", "Choose the room"),
        ({"room_id": 999_999}, "room_id", "from the list"),
        ({"track_id": 999_999}, "track_id", "from the list"),
        ({"day": None}, "day", "Choose the day"),
        ({"day": datetime(2015, 10, 12, 9, 0)}, "day", "Choose the day"),
        ({"start_time": None}, "start_time", "starts"),
        ({"end_time": None}, "end_time", "ends"),
        ({"end_time": time(9, 0)}, "end_time", "must end after it starts"),
        ({"end_time": time(8, 0)}, "end_time", "before the start time"),
        ({"start_time": time(7, 0), "end_time": time(20, 0)}, "end_time", "at most 12 hours"),
        ({"capacity": 0}, "capacity", "between 1 and 100000"),
        ({"capacity": 100_001}, "capacity", "between 1 and 100000"),
        ({"capacity": "many"}, "capacity", "between 1 and 100000"),
        ({"capacity": 150}, "capacity", "has only 100 seats"),
    ],
)
def test_invalid_session_values_are_refused_with_the_field_named(app, change, field, words):
    edition = budapest_edition()
    hall = room(edition, "Room 1", 100)
    data = session_data(hall)
    for name, value in change.items():
        setattr(data, name, value)

    with pytest.raises(ForumError) as refused:
        programme.create_session(edition, data, actor=organizer())

    assert refused.value.field == field
    assert words in refused.value.message
    assert programme.sessions_of(edition, include_cancelled=True) == []


def test_another_editions_room_or_track_cannot_be_used(app):
    edition = budapest_edition()
    other = make_edition("telecom-world-2013", start_date=date(2013, 11, 19),
                         end_date=date(2013, 11, 22), timezone="Asia/Bangkok")  # fmt: skip
    foreign_room = room(other, "Impact Hall")
    foreign_track = programme.create_track(other, "Bangkok track", actor=organizer())
    hall = room(edition)

    with pytest.raises(ForumError) as wrong_room:
        programme.create_session(edition, session_data(foreign_room), actor=organizer())
    assert wrong_room.value.field == "room_id"
    with pytest.raises(ForumError) as wrong_track:
        programme.create_session(
            edition, session_data(hall, track_id=foreign_track.id), actor=organizer()
        )
    assert wrong_track.value.field == "track_id"
    session = add_session(other, foreign_room, day=date(2013, 11, 20))
    with pytest.raises(NotFound):
        programme.get_session(edition, session.id)
    with pytest.raises(NotFound):
        programme.get_session(edition, "1")


def test_capacity_cannot_drop_below_the_seats_already_reserved(app):
    edition = budapest_edition()
    hall = room(edition, "Room 1", 100)
    session = add_session(edition, hall, capacity=80)
    session.seats_taken = 60
    db.session.commit()

    with pytest.raises(ForumError) as refused:
        move(session, capacity=50)
    assert refused.value.field == "capacity"
    assert "60 seats are already reserved" in refused.value.message
    move(session, capacity=60)
    assert fresh(session).capacity == 60


def test_an_edit_is_audited_with_before_and_after(app):
    edition = budapest_edition()
    hall = room(edition, "Hall A")
    other = room(edition, "Room 2")
    session = add_session(edition, hall)

    move(session, title="Connecting everyone", room_id=other.id, start="11:00", end="12:00")

    [update] = audit_entries(session, "update")
    assert update.actor_label == "organizer@example.org"
    assert update.before["title"] == "Connecting the unconnected"
    assert update.after["title"] == "Connecting everyone"
    assert (update.before["room_id"], update.after["room_id"]) == (hall.id, other.id)
    assert update.before["starts_at"] == "2015-10-12T07:00:00+00:00"
    assert update.after["starts_at"] == "2015-10-12T09:00:00+00:00"
    # Saving the same values again changes nothing and logs nothing.
    move(session)
    assert len(audit_entries(session, "update")) == 1


def test_a_cancelled_session_stays_listed_as_cancelled_and_is_frozen(app):
    edition = budapest_edition()
    hall = room(edition)
    session = add_session(edition, hall)

    programme.cancel_session(session, actor=organizer())

    stored = fresh(session)
    assert stored.cancelled_at is not None
    assert programme.sessions_of(edition) == []
    assert programme.sessions_of(edition, include_cancelled=True) == [stored]
    [cancel] = audit_entries(stored, "cancel")
    assert cancel.before["cancelled_at"] is None and cancel.after["cancelled_at"]
    with pytest.raises(Conflict, match="already cancelled"):
        programme.cancel_session(stored, actor=organizer())
    with pytest.raises(Conflict, match="cancelled"):
        move(stored, title="Revived")
    with pytest.raises(Conflict, match="cancelled"):
        programme.set_session_speakers(stored, [], actor=organizer())


# --- Time zones -------------------------------------------------------------------------


def test_a_session_entered_at_nine_in_budapest_is_stored_at_seven_utc_and_shown_at_nine(app):
    edition = budapest_edition()
    session = add_session(edition, room(edition), start="09:00", end="10:30")

    stored = fresh(session)
    # October 12 is summer time in Budapest (CEST, UTC+2).
    assert stored.starts_at == datetime(2015, 10, 12, 7, 0, tzinfo=UTC)
    assert stored.ends_at == datetime(2015, 10, 12, 8, 30, tzinfo=UTC)
    assert local_time(edition, stored.starts_at).strftime("%H:%M") == "09:00"
    data = programme.session_data(stored)
    assert (data.day, data.start_time, data.end_time) == (FIRST_DAY, time(9, 0), time(10, 30))
    assert programme.session_span(edition, stored.starts_at, stored.ends_at) == (
        "Monday, October 12, 2015, 09:00–10:30"
    )


def test_an_edition_crossing_the_end_of_summer_time_keeps_local_times_on_both_sides(app):
    edition = dst_edition()
    hall = room(edition)
    before = add_session(edition, hall, "Saturday keynote", day=date(2015, 10, 24))
    after = add_session(edition, hall, "Monday keynote", day=date(2015, 10, 26))
    # 01:30 CEST to 03:30 CET: the clocks go back at 03:00, so it lasts three hours.
    night = add_session(edition, hall, "Night hackathon", day=date(2015, 10, 25),
                        start="01:30", end="03:30")  # fmt: skip

    before, after, night = fresh(before), fresh(after), fresh(night)
    assert before.starts_at == datetime(2015, 10, 24, 7, 0, tzinfo=UTC)  # UTC+2
    assert after.starts_at == datetime(2015, 10, 26, 8, 0, tzinfo=UTC)  # UTC+1
    assert local_clock(edition, before.starts_at) == "2015-10-24 09:00"
    assert local_clock(edition, after.starts_at) == "2015-10-26 09:00"
    assert night.ends_at - night.starts_at == timedelta(hours=3)
    assert programme.session_data(night).end_time == time(3, 30)
    assert [s.title for s in programme.sessions_of(edition, day=date(2015, 10, 26))] == [
        "Monday keynote"
    ]
    assert programme.programme_days(edition) == [date(2015, 10, d) for d in range(23, 28)]


def test_a_time_skipped_when_summer_time_starts_is_refused(app):
    edition = make_edition("telecom-world-spring", start_date=date(2015, 3, 27),
                           end_date=date(2015, 3, 30))  # fmt: skip
    hall = room(edition)
    with pytest.raises(ForumError) as refused:
        add_session(edition, hall, day=date(2015, 3, 29), start="02:30", end="04:00")
    assert refused.value.field == "start_time"
    assert "does not exist" in refused.value.message
    session = add_session(edition, hall, day=date(2015, 3, 29), start="01:30", end="04:00")
    # 01:30 CET to 04:00 CEST: one and a half hours.
    assert fresh(session).ends_at - fresh(session).starts_at == timedelta(hours=1, minutes=30)


def test_a_session_running_past_local_midnight_belongs_to_the_day_it_starts(app):
    edition = budapest_edition()
    session = add_session(edition, room(edition), "Gala networking", day=SECOND_DAY,
                          kind=SessionKind.NETWORKING, start="22:00", end="01:00")  # fmt: skip

    stored = fresh(session)
    assert local_clock(edition, stored.starts_at) == "2015-10-13 22:00"
    assert local_clock(edition, stored.ends_at) == "2015-10-14 01:00"
    assert stored.ends_at - stored.starts_at == timedelta(hours=3)
    assert programme.sessions_of(edition, day=SECOND_DAY) == [stored]
    assert programme.sessions_of(edition, day=date(2015, 10, 14)) == []
    data = programme.session_data(stored)
    assert (data.day, data.start_time, data.end_time) == (SECOND_DAY, time(22), time(1))
    assert programme.session_span(edition, stored.starts_at, stored.ends_at) == (
        "Tuesday, October 13, 2015, 22:00–Wednesday, October 14, 2015, 01:00"
    )


# --- Speakers on sessions ---------------------------------------------------------------


def test_speakers_and_a_moderator_are_set_in_order_and_audited(app):
    edition = budapest_edition()
    session = add_session(edition, room(edition))
    zhao = speaker(edition, "Houlin Zhao")
    invited = speaker(edition, "Doreen Bogdan", status=SpeakerStatus.INVITED)
    moderator = speaker(edition, "Anna Moderator")

    programme.set_session_speakers(
        session,
        [(moderator.id, SpeakerRole.MODERATOR), (zhao.id, SpeakerRole.SPEAKER),
         (invited.id, "speaker")],
        actor=organizer(),
    )  # fmt: skip

    stored = programme.get_session(edition, fresh(session).id)
    assert [(s.speaker.full_name, s.role) for s in stored.speakers] == [
        ("Anna Moderator", SpeakerRole.MODERATOR),
        ("Houlin Zhao", SpeakerRole.SPEAKER),
        ("Doreen Bogdan", SpeakerRole.SPEAKER),
    ]
    # Replacing the list keeps those who stay and drops the others.
    programme.set_session_speakers(stored, [(zhao.id, SpeakerRole.MODERATOR)], actor=organizer())
    stored = programme.get_session(edition, fresh(session).id)
    assert [(s.speaker.full_name, s.role) for s in stored.speakers] == [
        ("Houlin Zhao", SpeakerRole.MODERATOR)
    ]
    first, second = audit_entries(stored, "speakers")
    assert [s["name"] for s in first.after["speakers"]] == [
        "Anna Moderator", "Houlin Zhao", "Doreen Bogdan",
    ]  # fmt: skip
    assert second.after["speakers"] == [
        {"speaker_id": zhao.id, "role": "moderator", "name": "Houlin Zhao"}
    ]


def test_speakers_who_cannot_speak_are_refused_by_name(app):
    edition = budapest_edition()
    session = add_session(edition, room(edition))
    declined = speaker(edition, "Busy Person", status=SpeakerStatus.DECLINED)
    withdrawn = speaker(edition, "Former Guest", status=SpeakerStatus.WITHDRAWN)
    zhao = speaker(edition, "Houlin Zhao")
    other = make_edition("telecom-world-2013", start_date=date(2013, 11, 19),
                         end_date=date(2013, 11, 22))  # fmt: skip
    stranger = speaker(other, "Other Edition")

    cases = [
        ([(declined.id, SpeakerRole.SPEAKER)], "Busy Person declined"),
        ([(withdrawn.id, SpeakerRole.SPEAKER)], "invitation of Former Guest was withdrawn"),
        ([(stranger.id, SpeakerRole.SPEAKER)], "from the list"),
        ([(zhao.id, "keynoter")], "speaker or moderator"),
        ([(zhao.id, SpeakerRole.SPEAKER), (zhao.id, SpeakerRole.MODERATOR)], "listed twice"),
        ("Houlin Zhao", "from the list"),
    ]
    for entries, words in cases:
        with pytest.raises(ForumError) as refused:
            programme.set_session_speakers(session, entries, actor=organizer())
        assert refused.value.field == "speakers"
        assert words in refused.value.message
    assert fresh(session).speakers == []


# --- Reading the programme --------------------------------------------------------------


def test_the_programme_reads_by_start_then_room_with_filters_and_search(app):
    edition = budapest_edition()
    hall = room(edition, "Hall A", 1000)
    second = room(edition, "Room 2", 80)
    inclusion = programme.create_track(edition, "Inclusion", actor=organizer())
    late = add_session(edition, hall, "Closing plenary", start="16:00", end="17:00")
    workshop = add_session(
        edition, second, "5G workshop: 100% hands-on", start="09:00", end="10:00",
        kind=SessionKind.WORKSHOP, track_id=inclusion.id,
    )  # fmt: skip
    opening = add_session(edition, hall, "Opening ceremony", start="09:00", end="10:00")
    tomorrow = add_session(edition, hall, "Day two keynote", day=SECOND_DAY)
    zhao = speaker(edition, "Houlin Zhao", organisation="International Telecommunication Union")
    invited = speaker(edition, "Not Yet Announced", status=SpeakerStatus.INVITED)
    programme.set_session_speakers(
        late, [(zhao.id, SpeakerRole.SPEAKER), (invited.id, SpeakerRole.SPEAKER)],
        actor=organizer(),
    )  # fmt: skip

    def titles(**filters: object) -> list[str]:
        return [s.title for s in programme.sessions_of(edition, **filters)]  # type: ignore[arg-type]

    assert titles() == [
        "Opening ceremony", "5G workshop: 100% hands-on", "Closing plenary", "Day two keynote",
    ]  # fmt: skip
    assert titles(day=FIRST_DAY) == [
        "Opening ceremony", "5G workshop: 100% hands-on", "Closing plenary",
    ]  # fmt: skip
    assert titles(day=SECOND_DAY) == ["Day two keynote"]
    assert titles(track_id=inclusion.id) == ["5G workshop: 100% hands-on"]
    assert titles(room_id=second.id) == ["5G workshop: 100% hands-on"]
    assert titles(search="  HOULIN ") == ["Closing plenary"]
    assert titles(search="telecommunication union") == ["Closing plenary"]
    assert titles(search="100%") == ["5G workshop: 100% hands-on"]
    assert titles(search="%") == ["5G workshop: 100% hands-on"]
    assert titles(search="broadband for the NEXT") == titles()  # in every description
    assert titles(search="nothing like this") == []
    # Who is invited but has not confirmed is not revealed by a search.
    assert titles(search="not yet announced") == []
    # Speakers come with the sessions, in their order.
    [closing] = programme.sessions_of(edition, search="closing")
    assert [s.speaker.full_name for s in closing.speakers] == ["Houlin Zhao", "Not Yet Announced"]
    assert {s.id for s in programme.sessions_of(edition)} == {
        late.id, workshop.id, opening.id, tomorrow.id,
    }  # fmt: skip


def test_programme_days_are_the_event_days(app):
    edition = budapest_edition()
    assert programme.programme_days(edition) == [date(2015, 10, d) for d in range(12, 16)]
