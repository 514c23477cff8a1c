"""Bilateral meeting rooms: rooms, slots in the edition's local time, bookings and their rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.extensions import db
from telecom.protocol.models import InvitationStatus, MeetingSlot
from telecom.protocol.services import ProtocolError, meetings
from tests.helpers import make_edition, make_organizer
from tests.protocol.support_meetings import (
    accepted_invitation,
    edition_ahead,
    local_hours,
    participant,
    protocol_officer,
    room_with_slots,
    slots_of,
)


def audit_actions(object_type: str, object_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id)
        )
    )


def fresh(slot: MeetingSlot) -> MeetingSlot:
    db.session.expire_all()
    found = db.session.get(MeetingSlot, slot.id)
    assert found is not None
    return found


# --- Rooms --------------------------------------------------------------------------------


def test_protocol_staff_set_up_rooms_with_unique_names(app):
    edition = make_edition()
    officer = protocol_officer()

    room = meetings.create_room(edition, "  Bilateral   Room 1 ", 8, " Hall A ", actor=officer)

    assert (room.name, room.capacity, room.location, room.active) == (
        "Bilateral Room 1", 8, "Hall A", True,
    )  # fmt: skip
    assert audit_actions("meeting_rooms", room.id) == ["create"]
    with pytest.raises(ProtocolError) as duplicate:
        meetings.create_room(edition, "BILATERAL ROOM 1", None, "", actor=officer)
    assert duplicate.value.field == "name"
    assert "already has a room with this name" in duplicate.value.message
    # Another edition may use the same name; an organizer may create rooms too.
    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    meetings.create_room(other, "Bilateral Room 1", None, "", actor=make_organizer())
    second = meetings.create_room(edition, "Salon Liszt", None, "", actor=officer)

    assert [r.name for r in meetings.list_rooms(edition)] == ["Bilateral Room 1", "Salon Liszt"]
    assert meetings.get_room(edition, second.id) == second
    for wrong in (room.id + 1000, "1", None):
        with pytest.raises(NotFound):
            meetings.get_room(edition, wrong)
    with pytest.raises(NotFound):
        meetings.get_room(other, room.id)  # another edition's room


@pytest.mark.parametrize(
    ("name", "capacity", "location", "field", "message"),
    [
        ("", 8, "", "name", "Enter the name of the room"),
        ("   ", 8, "", "name", "Enter the name of the room"),
        ("R" * 101, 8, "", "name", "at most 100 characters"),
        ("Room", 0, "", "capacity", "between 1 and 10000"),
        ("Room", "eight", "", "capacity", "whole number"),
        ("Room", 2.5, "", "capacity", "whole number"),
        ("Room", 8, "L" * 201, "location", "at most 200 characters"),
    ],
)
def test_a_wrong_room_is_refused_with_its_field(app, name, capacity, location, field, message):
    edition = make_edition()

    with pytest.raises(ProtocolError) as refused:
        meetings.create_room(edition, name, capacity, location, actor=protocol_officer())

    assert refused.value.field == field and message in refused.value.message
    assert meetings.list_rooms(edition) == []


def test_only_protocol_staff_and_organizers_manage_rooms_and_slots(app):
    edition = make_edition()
    room = room_with_slots(edition)
    [slot, *_rest] = slots_of(room)

    for actor in (None, participant()):
        with pytest.raises(Forbidden):
            meetings.create_room(edition, "Room X", None, "", actor=actor)
        with pytest.raises(Forbidden):
            meetings.update_room(room, "Renamed", None, "", actor=actor)
        with pytest.raises(Forbidden):
            meetings.generate_slots(room, edition.start_date, time(9), time(12), actor=actor)
        with pytest.raises(Forbidden):
            meetings.delete_slot(slot, actor=actor)
    assert [r.name for r in meetings.list_rooms(edition)] == ["Bilateral Room 1"]
    assert len(slots_of(room)) == 6


def test_a_room_is_renamed_and_closed_and_its_free_slots_are_no_longer_offered(app):
    edition = edition_ahead()
    officer = protocol_officer()
    room = room_with_slots(edition)
    other = room_with_slots(edition, "Bilateral Room 2")
    minister = accepted_invitation(edition)
    assert len(meetings.free_slots(edition)) == 12

    booked = meetings.book_slot(slots_of(room)[0].id, minister, actor=officer)
    with pytest.raises(Conflict) as refused:
        meetings.update_room(room, "Bilateral Room 1", 8, "", active=False, actor=officer)
    assert "1 upcoming meeting" in refused.value.message
    meetings.cancel_booking(booked.id, minister, actor=officer)

    closed = meetings.update_room(room, "Salon Bartók", 12, "Hall B", active=False, actor=officer)

    assert (closed.name, closed.capacity, closed.location, closed.active) == (
        "Salon Bartók", 12, "Hall B", False,
    )  # fmt: skip
    assert {s.room_id for s in meetings.free_slots(edition)} == {other.id}
    assert len(meetings.slots_for(edition)) == 12  # staff still see every slot
    assert meetings.list_rooms(edition, active_only=True) == [other]
    with pytest.raises(Conflict) as closed_room:
        meetings.book_slot(slots_of(room)[1].id, minister)
    assert "This room is closed" in closed_room.value.message
    with pytest.raises(Conflict):
        meetings.generate_slots(room, edition.start_date, time(9), time(12), actor=officer)
    # Renaming to another room's name is refused; reopening (active=True) works.
    with pytest.raises(ProtocolError) as taken:
        meetings.update_room(room, "bilateral room 2", 12, "", actor=officer)
    assert taken.value.field == "name"
    meetings.update_room(room, "Salon Bartók", 12, "Hall B", active=True, actor=officer)
    assert len(meetings.free_slots(edition)) == 12
    assert audit_actions("meeting_rooms", room.id) == [
        "create", "generate_slots", "update", "update",
    ]  # fmt: skip


# --- Slots --------------------------------------------------------------------------------


def test_slots_are_generated_back_to_back_in_local_time_and_stored_in_utc(app):
    edition = make_edition()  # Budapest, 12-15 October 2015: summer time, UTC+2
    officer = protocol_officer()
    room = meetings.create_room(edition, "Bilateral Room 1", 8, "", actor=officer)

    created = meetings.generate_slots(room, date(2015, 10, 13), time(9), time(18), actor=officer)

    slots = slots_of(room)
    assert created == 6 == len(slots)
    assert local_hours(slots, edition) == ["09:00", "10:30", "12:00", "13:30", "15:00", "16:30"]
    assert slots[0].starts_at == datetime(2015, 10, 13, 7, 0, tzinfo=UTC)
    assert slots[-1].ends_at == datetime(2015, 10, 13, 16, 0, tzinfo=UTC)
    assert all(s.day == date(2015, 10, 13) and s.invitation_id is None for s in slots)
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in slots)
    assert meetings.local_moment(edition, date(2015, 10, 13), time(9)) == slots[0].starts_at

    # Again, and from another first time: slots that would overlap are skipped.
    assert meetings.generate_slots(room, date(2015, 10, 13), time(9), time(18), actor=officer) == 0
    assert meetings.generate_slots(room, date(2015, 10, 13), time(9, 45), time(20, 15),
                                   actor=officer) == 1  # fmt: skip
    assert local_hours(slots_of(room), edition)[-1] == "18:45"
    assert [s.day for s in meetings.slots_for(edition, day=date(2015, 10, 14))] == []
    assert len(meetings.slots_for(edition, day=date(2015, 10, 13))) == 7


def test_the_local_day_and_time_follow_the_edition_s_time_zone(app):
    bangkok = make_edition(
        "telecom-world-2013", name="ITU TELECOM World 2013", timezone="Asia/Bangkok",
        start_date=date(2013, 11, 19), end_date=date(2013, 11, 22),
    )  # fmt: skip
    officer = protocol_officer()
    room = meetings.create_room(bangkok, "Chao Phraya Room", None, "", actor=officer)

    meetings.generate_slots(room, date(2013, 11, 20), time(6), time(9), actor=officer)

    slots = slots_of(room)
    # 06:00 in Bangkok (UTC+7) is 23:00 UTC on the day before; the slot's day is the local one.
    assert slots[0].starts_at == datetime(2013, 11, 19, 23, 0, tzinfo=UTC)
    assert [s.day for s in slots] == [date(2013, 11, 20)] * 2
    assert meetings.local_moment(bangkok, date(2013, 11, 20), time(6)) == slots[0].starts_at


def test_slots_keep_their_length_through_the_night_summer_time_ends(app):
    # Budapest left summer time at 03:00 on 25 October 2015 (clocks went back to 02:00).
    edition = make_edition(start_date=date(2015, 10, 24), end_date=date(2015, 10, 26))
    officer = protocol_officer()
    assert meetings.local_moment(edition, date(2015, 10, 24), time(9)) == datetime(
        2015, 10, 24, 7, 0, tzinfo=UTC
    )
    assert meetings.local_moment(edition, date(2015, 10, 25), time(9)) == datetime(
        2015, 10, 25, 8, 0, tzinfo=UTC
    )
    room = meetings.create_room(edition, "Night Room", None, "", actor=officer)

    # From midnight to 06:00 local is seven real hours that night: four slots of 90 minutes.
    assert meetings.generate_slots(room, date(2015, 10, 25), time(0), time(6), actor=officer) == 4

    slots = slots_of(room)
    assert [s.starts_at.strftime("%d %H:%M") for s in slots] == [
        "24 22:00", "24 23:30", "25 01:00", "25 02:30",
    ]  # fmt: skip
    assert local_hours(slots, edition) == ["00:00", "01:30", "02:00", "03:30"]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in slots)
    assert all(s.day == date(2015, 10, 25) for s in slots)
    # A normal working day after the change: 09:00 local is 08:00 UTC now.
    meetings.generate_slots(room, date(2015, 10, 26), time(9), time(12), actor=officer)
    assert slots_of(room)[4].starts_at == datetime(2015, 10, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "first", "last", "field", "message"),
    [
        (date(2015, 10, 11), time(9), time(18), "day", "Choose a day of the event"),
        (date(2015, 10, 16), time(9), time(18), "day", "Choose a day of the event"),
        (datetime(2015, 10, 13, 9, tzinfo=UTC), time(9), time(18), "day", "Choose a day"),
        ("2015-10-13", time(9), time(18), "day", "Choose a day"),
        (date(2015, 10, 13), "09:00", time(18), "first_start", "first meeting starts"),
        (date(2015, 10, 13), time(9), None, "last_end", "last meeting must end"),
        (date(2015, 10, 13), time(18), time(9), "last_end", "must end after the first one"),
        (date(2015, 10, 13), time(9), time(9), "last_end", "must end after the first one"),
        (date(2015, 10, 13), time(9), time(10), "last_end", "No meeting of 90 minutes fits"),
    ],
)
def test_slot_generation_refuses_what_makes_no_sense(app, day, first, last, field, message):
    edition = make_edition()
    officer = protocol_officer()
    room = meetings.create_room(edition, "Bilateral Room 1", 8, "", actor=officer)

    with pytest.raises(ProtocolError) as refused:
        meetings.generate_slots(room, day, first, last, actor=officer)

    assert refused.value.field == field and message in refused.value.message
    assert slots_of(room) == []


def test_only_a_free_slot_can_be_deleted(app):
    edition = edition_ahead()
    officer = protocol_officer()
    room = room_with_slots(edition)
    first, second, *_rest = slots_of(room)
    minister = accepted_invitation(edition)
    meetings.book_slot(second.id, minister, actor=officer)

    meetings.delete_slot(first, actor=officer)
    with pytest.raises(Conflict) as refused:
        meetings.delete_slot(second.id, actor=officer)

    assert "cancel the booking before deleting" in refused.value.message
    assert slots_of(room)[0].id == second.id
    assert fresh(second).invitation_id == minister.id
    with pytest.raises(NotFound):
        meetings.delete_slot(first.id, actor=officer)
    assert audit_actions("meeting_slots", first.id) == ["delete"]
    with pytest.raises(NotFound):
        meetings.get_slot(edition, first.id)
    assert meetings.get_slot(edition, str(second.id)).id == second.id


# --- Bookings -----------------------------------------------------------------------------


def test_a_delegation_books_a_slot_and_gives_it_back_for_another_delegation(app):
    edition = edition_ahead()
    room = room_with_slots(edition)
    slot = slots_of(room)[1]
    minister = accepted_invitation(edition, "Amina Diallo")
    regulator = accepted_invitation(edition, "Lars Berg", country="SE")

    # The minister's delegation books through its RSVP page (no account, no actor).
    booked = meetings.book_slot(slot.id, minister, counterpart="  Minister of ICT,  Hungary ")

    assert booked.invitation_id == minister.id
    assert booked.counterpart == "Minister of ICT, Hungary"
    assert booked.booked_at is not None and booked.booked_by_id is None
    assert [s.id for s in meetings.bookings_of(minister)] == [slot.id]
    assert slot.id not in {s.id for s in meetings.free_slots(edition)}
    with pytest.raises(Conflict) as taken:
        meetings.book_slot(slot.id, regulator)
    assert "just booked by another delegation" in taken.value.message
    with pytest.raises(NotFound):
        meetings.cancel_booking(slot.id, regulator)  # not theirs to give back

    # Submitted twice: nothing more is taken, the counterpart may change.
    again = meetings.book_slot(slot.id, minister, counterpart="Deputy Prime Minister, Hungary")
    assert again.id == slot.id and again.counterpart == "Deputy Prime Minister, Hungary"
    assert len(meetings.bookings_of(minister)) == 1

    freed = meetings.cancel_booking(slot.id, minister)

    assert freed.invitation_id is None and freed.counterpart == "" and freed.booked_at is None
    assert meetings.bookings_of(minister) == []
    assert slot.id in {s.id for s in meetings.free_slots(edition)}
    officer = protocol_officer()
    taken_by_staff = meetings.book_slot(slot.id, regulator, counterpart="PTS", actor=officer)
    assert taken_by_staff.invitation_id == regulator.id
    assert taken_by_staff.booked_by_id == officer.id
    assert audit_actions("meeting_slots", slot.id) == [
        "book", "update_booking", "cancel_booking", "book",
    ]  # fmt: skip
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "meeting_slots", AuditEntry.action == "book")
        .order_by(AuditEntry.id)
    ).first()
    assert entry.actor_id is None and entry.after["invitation_id"] == minister.id
    assert entry.after["room"] == "Bilateral Room 1"


def test_at_most_two_meetings_per_delegation_and_local_day(app):
    edition = edition_ahead()
    second_day = edition.start_date + timedelta(days=1)
    room = room_with_slots(edition, day=second_day)
    room_with_slots(edition, "Bilateral Room 2", day=edition.start_date + timedelta(days=2))
    minister = accepted_invitation(edition)
    day_one = meetings.slots_for(edition, day=second_day)
    day_two = meetings.slots_for(edition, day=edition.start_date + timedelta(days=2))

    meetings.book_slot(day_one[0].id, minister)
    meetings.book_slot(day_one[2].id, minister)
    with pytest.raises(ProtocolError) as refused:
        meetings.book_slot(day_one[4].id, minister)

    assert "already has 2 meetings on" in refused.value.message
    assert "Cancel one of them or choose another day" in refused.value.message
    assert fresh(day_one[4]).invitation_id is None
    # Another day has its own two.
    meetings.book_slot(day_two[0].id, minister)
    meetings.book_slot(day_two[1].id, minister)
    # Giving one back makes room for another that day.
    meetings.cancel_booking(day_one[0].id, minister)
    meetings.book_slot(day_one[4].id, minister)
    assert [s.id for s in meetings.bookings_of(minister)] == [
        day_one[2].id, day_one[4].id, day_two[0].id, day_two[1].id,
    ]  # fmt: skip
    assert room.id == day_one[0].room_id


def test_the_daily_limit_counts_the_local_day_not_the_utc_date(app):
    # Bangkok is UTC+7: an early meeting there is on the previous UTC date.
    edition = edition_ahead(timezone="Asia/Bangkok")
    officer = protocol_officer()
    day = edition.start_date + timedelta(days=1)
    room = meetings.create_room(edition, "Chao Phraya Room", None, "", actor=officer)
    meetings.generate_slots(room, day, time(6), time(12), actor=officer)
    meetings.generate_slots(room, day + timedelta(days=1), time(6), time(9), actor=officer)
    early, mid, late, *_ = meetings.slots_for(edition, day=day)
    [next_early, _second] = meetings.slots_for(edition, day=day + timedelta(days=1))
    assert early.starts_at.date() == day - timedelta(days=1)  # the UTC date
    assert next_early.starts_at.date() == day  # the UTC date is `day`, the local day is not
    minister = accepted_invitation(edition)

    meetings.book_slot(early.id, minister)
    meetings.book_slot(late.id, minister)
    with pytest.raises(ProtocolError):
        meetings.book_slot(mid.id, minister)

    # The next local day is free, although its first slot falls on `day` in UTC.
    assert meetings.book_slot(next_early.id, minister).invitation_id == minister.id


def test_a_delegation_cannot_be_in_two_rooms_at_once(app):
    edition = edition_ahead()
    room_with_slots(edition, "Bilateral Room 1")
    room_with_slots(edition, "Bilateral Room 2")
    minister = accepted_invitation(edition)
    at_nine = [s for s in meetings.slots_for(edition) if s.starts_at == meetings.slots_for(
        edition)[0].starts_at]  # fmt: skip
    assert len(at_nine) == 2

    meetings.book_slot(at_nine[0].id, minister)
    with pytest.raises(ProtocolError) as refused:
        meetings.book_slot(at_nine[1].id, minister)

    assert "already has a meeting at that time" in refused.value.message
    assert "Bilateral Room 1" in refused.value.message
    assert fresh(at_nine[1]).invitation_id is None


@pytest.mark.parametrize(
    "status", [InvitationStatus.DRAFT, InvitationStatus.INVITED, InvitationStatus.DECLINED,
               InvitationStatus.REVOKED],
)  # fmt: skip
def test_only_an_accepted_invitation_books_meetings(app, status):
    edition = edition_ahead()
    slot = slots_of(room_with_slots(edition))[0]
    invitation = accepted_invitation(edition, status=status)

    with pytest.raises(Conflict) as refused:
        meetings.book_slot(slot.id, invitation, actor=protocol_officer())

    assert "once the invitation has been accepted" in refused.value.message
    assert fresh(slot).invitation_id is None


def test_bookings_are_refused_for_wrong_slots_started_slots_and_non_staff(app):
    edition = edition_ahead()
    other = edition_ahead("telecom-world-other", days_ahead=100)
    officer = protocol_officer()
    slot = slots_of(room_with_slots(edition))[0]
    foreign = slots_of(room_with_slots(other))[0]
    minister = accepted_invitation(edition)

    for wrong in (foreign.id, slot.id + 10_000, "abc", None):
        with pytest.raises(NotFound):
            meetings.book_slot(wrong, minister)
    with pytest.raises(Forbidden):
        meetings.book_slot(slot.id, minister, actor=participant())
    with pytest.raises(ProtocolError) as long_text:
        meetings.book_slot(slot.id, minister, counterpart="x" * 301)
    assert long_text.value.field == "counterpart"
    assert fresh(slot).invitation_id is None

    # A slot that has already started (an edition running today).
    today = datetime.now(UTC).date()
    running = make_edition(
        "telecom-world-today", name="ITU TELECOM World Today", timezone="UTC",
        start_date=today, end_date=today + timedelta(days=1),
    )  # fmt: skip
    room = meetings.create_room(running, "Room T", None, "", actor=officer)
    meetings.generate_slots(room, today, time(0), time(1, 30), actor=officer)
    [started] = slots_of(room)
    delegate = accepted_invitation(running, "Ivan Petrov", country="RU")
    assert started not in meetings.free_slots(running)
    with pytest.raises(Conflict) as late:
        meetings.book_slot(started.id, delegate, actor=officer)
    assert "already started" in late.value.message


def test_release_all_frees_every_slot_of_the_delegation_in_the_caller_s_transaction(app):
    edition = edition_ahead()
    officer = protocol_officer()
    first = slots_of(room_with_slots(edition))
    second = slots_of(room_with_slots(edition, "Bilateral Room 2"))
    minister = accepted_invitation(edition)
    regulator = accepted_invitation(edition, "Lars Berg", country="SE")
    meetings.book_slot(first[0].id, minister, counterpart="ITU Secretary-General")
    meetings.book_slot(second[2].id, minister, actor=officer)
    meetings.book_slot(first[1].id, regulator)

    released = meetings.release_all(minister, actor=officer)
    db.session.rollback()  # the caller had not committed: nothing happened
    assert released == 2 and len(meetings.bookings_of(minister)) == 2

    assert meetings.release_all(minister, actor=officer) == 2
    db.session.commit()

    assert meetings.bookings_of(minister) == []
    assert [s.id for s in meetings.bookings_of(regulator)] == [first[1].id]
    assert fresh(first[0]).counterpart == "" and fresh(second[2]).booked_by_id is None
    assert {first[0].id, second[2].id} <= {s.id for s in meetings.free_slots(edition)}
    assert audit_actions("meeting_slots", second[2].id) == ["book", "release_booking"]
    assert meetings.release_all(minister, actor=None) == 0
