"""Programme conflicts: a room or a speaker twice at once, sessions outside the event days."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import ForumSession, SpeakerRole, SpeakerStatus
from telecom.forum.services import ForumError, programme
from telecom.forum.services.programme import SessionConflictError
from tests.concurrency import run_at_once
from tests.forum.support_programme import (
    FIRST_DAY,
    LAST_DAY,
    SECOND_DAY,
    add_session,
    budapest_edition,
    fresh,
    move,
    organizer,
    room,
    session_data,
    speaker,
)


def kinds(error: SessionConflictError) -> list[tuple[str, int | None]]:
    return [(c.kind, c.other_session_id) for c in error.conflicts]


def test_two_sessions_in_one_room_at_once_are_refused_with_the_clash_explained(app):
    edition = budapest_edition()
    hall = room(edition, "Hall A")
    opening = add_session(edition, hall, "Opening ceremony", start="09:00", end="10:30")

    with pytest.raises(SessionConflictError) as refused:
        add_session(edition, hall, "Ministerial roundtable", start="10:00", end="11:00")

    assert kinds(refused.value) == [("room", opening.id)]
    assert refused.value.message == (
        "This session clashes with the programme: The room Hall A is taken by “Opening "
        "ceremony” from 09:00 to 10:30 on Oct 12, 2015."
    )
    # A session inside another, or around it, clashes too.
    for start, end in [("09:15", "09:45"), ("08:00", "12:00"), ("08:30", "09:01")]:
        with pytest.raises(SessionConflictError):
            add_session(edition, hall, "Squeezed in", start=start, end=end)
    assert [s.title for s in programme.sessions_of(edition)] == ["Opening ceremony"]


def test_sessions_that_only_touch_or_use_other_rooms_do_not_clash(app):
    edition = budapest_edition()
    hall, other = room(edition, "Hall A"), room(edition, "Room 2")
    add_session(edition, hall, "Opening ceremony", start="09:00", end="10:30")

    add_session(edition, hall, "Right after", start="10:30", end="11:30")
    add_session(edition, hall, "Right before", start="08:00", end="09:00")
    add_session(edition, other, "In parallel", start="09:00", end="10:30")
    add_session(edition, hall, "Next day, same time", day=SECOND_DAY)

    assert len(programme.sessions_of(edition)) == 5
    assert programme.programme_conflicts(edition) == {}


@pytest.mark.parametrize("role", [SpeakerRole.SPEAKER, SpeakerRole.MODERATOR])
def test_a_speaker_or_moderator_cannot_be_in_two_sessions_at_once(app, role):
    edition = budapest_edition()
    hall, other = room(edition, "Hall A"), room(edition, "Room 2")
    zhao = speaker(edition, "Houlin Zhao")
    keynote = add_session(edition, hall, "Keynote", start="09:00", end="10:00")
    panel = add_session(edition, other, "Panel", start="09:30", end="11:00")
    programme.set_session_speakers(keynote, [(zhao.id, SpeakerRole.SPEAKER)], actor=organizer())

    with pytest.raises(SessionConflictError) as refused:
        programme.set_session_speakers(panel, [(zhao.id, role)], actor=organizer())

    assert kinds(refused.value) == [("speaker", keynote.id)]
    assert refused.value.conflicts[0].speaker_id == zhao.id
    assert "Houlin Zhao is also in “Keynote” from 09:00 to 10:00" in refused.value.message
    assert fresh(panel).speakers == []


def test_speakers_who_said_no_never_clash(app):
    edition = budapest_edition()
    hall, other = room(edition, "Hall A"), room(edition, "Room 2")
    zhao = speaker(edition, "Houlin Zhao")
    keynote = add_session(edition, hall, "Keynote", start="09:00", end="10:00")
    panel = add_session(edition, other, "Panel", start="09:00", end="10:00")
    programme.set_session_speakers(keynote, [(zhao.id, SpeakerRole.SPEAKER)], actor=organizer())
    zhao.status = SpeakerStatus.DECLINED
    db.session.commit()
    assert programme.find_conflicts(edition, fresh(panel)) == []
    assert programme.programme_conflicts(edition) == {}


def test_moving_a_session_into_a_busy_room_or_onto_a_busy_speaker_is_refused(app):
    edition = budapest_edition()
    hall, other = room(edition, "Hall A"), room(edition, "Room 2")
    zhao = speaker(edition, "Houlin Zhao")
    keynote = add_session(edition, hall, "Keynote", start="09:00", end="10:00")
    programme.set_session_speakers(keynote, [(zhao.id, SpeakerRole.SPEAKER)], actor=organizer())
    panel = add_session(edition, other, "Panel", start="11:00", end="12:00")
    programme.set_session_speakers(panel, [(zhao.id, SpeakerRole.MODERATOR)], actor=organizer())
    workshop = add_session(edition, other, "Workshop", start="09:00", end="10:00")

    with pytest.raises(SessionConflictError) as onto_speaker:
        move(panel, start="09:30", end="10:30")
    # The panel moved to 09:30 would also overlap the workshop in its own room.
    assert sorted(kinds(onto_speaker.value)) == [("room", workshop.id), ("speaker", keynote.id)]
    with pytest.raises(SessionConflictError) as into_room:
        move(workshop, room_id=hall.id)
    assert kinds(into_room.value) == [("room", keynote.id)]
    # Nothing moved.
    assert programme.session_data(fresh(panel)).start_time.hour == 11
    assert fresh(workshop).room_id == other.id
    # Moving within its own slot is no clash with itself.
    move(workshop, start="09:15", end="10:00")


def test_saving_anyway_keeps_the_clash_flagged_on_both_sessions(app):
    edition = budapest_edition()
    hall = room(edition, "Hall A")
    opening = add_session(edition, hall, "Opening ceremony", start="09:00", end="10:30")

    clash = add_session(edition, hall, "Overbooked", start="10:00", end="11:00",
                        allow_conflicts=True)  # fmt: skip

    flagged = programme.programme_conflicts(edition)
    assert set(flagged) == {opening.id, clash.id}
    assert [(c.kind, c.other_session_id) for c in flagged[opening.id]] == [("room", clash.id)]
    assert [(c.kind, c.other_session_id) for c in flagged[clash.id]] == [("room", opening.id)]
    assert "Overbooked" in flagged[opening.id][0].message
    # Editing something else of a flagged session does not ask again...
    move(clash, title="Overbooked but known")
    assert fresh(clash).title == "Overbooked but known"
    # ...but a new clash does.
    other = room(edition, "Room 2")
    add_session(edition, other, "Side event", start="11:30", end="12:30")
    with pytest.raises(SessionConflictError) as refused:
        move(clash, room_id=other.id, start="10:00", end="12:00")
    assert [c.kind for c in refused.value.conflicts] == ["room"]
    # Resolving it clears the flag.
    move(clash, start="10:30", end="11:30")
    assert programme.programme_conflicts(edition) == {}


def test_speaker_clashes_saved_anyway_are_flagged_on_both_sessions(app):
    edition = budapest_edition()
    hall, other = room(edition, "Hall A"), room(edition, "Room 2")
    zhao = speaker(edition, "Houlin Zhao")
    keynote = add_session(edition, hall, "Keynote", start="09:00", end="10:00")
    panel = add_session(edition, other, "Panel", start="09:30", end="11:00")
    programme.set_session_speakers(keynote, [(zhao.id, SpeakerRole.SPEAKER)], actor=organizer())

    programme.set_session_speakers(
        panel, [(zhao.id, SpeakerRole.MODERATOR)], actor=organizer(), allow_conflicts=True
    )

    flagged = programme.programme_conflicts(edition)
    assert [(c.kind, c.other_session_id, c.speaker_id) for c in flagged[keynote.id]] == [
        ("speaker", panel.id, zhao.id)
    ]
    assert [(c.kind, c.other_session_id) for c in flagged[panel.id]] == [("speaker", keynote.id)]


def test_a_session_outside_the_event_days_is_always_refused(app):
    edition = budapest_edition()
    hall = room(edition)

    for day in (date(2015, 10, 11), date(2015, 10, 16)):
        with pytest.raises(ForumError) as refused:
            add_session(edition, hall, "Too early or too late", day=day, allow_conflicts=True)
        assert refused.value.field == "day"
        assert "during the event, between Oct 12, 2015 and Oct 15, 2015" in refused.value.message
    # The last evening may run until midnight, not past it.
    add_session(edition, hall, "Farewell", day=LAST_DAY, start="22:00", end="00:00")
    with pytest.raises(ForumError) as past_midnight:
        add_session(edition, room(edition, "Bar"), "After party", day=LAST_DAY,
                    start="23:00", end="01:00", allow_conflicts=True)  # fmt: skip
    assert past_midnight.value.field == "day"
    # An edit cannot move a session out either.
    session = add_session(edition, hall, "Opening", day=FIRST_DAY)
    with pytest.raises(ForumError):
        move(session, day=date(2015, 10, 20), allow_conflicts=True)
    assert programme.session_data(fresh(session)).day == FIRST_DAY


def test_sessions_left_outside_after_the_dates_change_are_flagged(app):
    edition = budapest_edition()
    session = add_session(edition, room(edition), day=LAST_DAY)

    edition.end_date = date(2015, 10, 14)
    db.session.commit()

    [flag] = programme.programme_conflicts(edition)[session.id]
    assert (flag.kind, flag.other_session_id) == ("outside_days", None)
    assert programme.programme_days(edition)[-1] == LAST_DAY


def test_cancelled_sessions_never_clash(app):
    edition = budapest_edition()
    hall = room(edition, "Hall A")
    zhao = speaker(edition, "Houlin Zhao")
    first = add_session(edition, hall, "First idea", start="09:00", end="10:00")
    programme.set_session_speakers(first, [(zhao.id, SpeakerRole.SPEAKER)], actor=organizer())
    programme.cancel_session(first, actor=organizer())

    second = add_session(edition, hall, "Second idea", start="09:00", end="10:00")
    programme.set_session_speakers(second, [(zhao.id, SpeakerRole.SPEAKER)], actor=organizer())

    assert programme.find_conflicts(edition, fresh(first)) == []
    assert programme.find_conflicts(edition, fresh(second)) == []
    assert programme.programme_conflicts(edition) == {}


def test_conflicts_can_be_previewed_before_saving(app):
    edition = budapest_edition()
    hall = room(edition, "Hall A")
    opening = add_session(edition, hall, "Opening", start="09:00", end="10:00")
    later = add_session(edition, hall, "Later", start="11:00", end="12:00")

    preview = programme.find_conflicts(edition, session_data(hall, start="09:30", end="11:30"))
    assert [(c.kind, c.other_session_id) for c in preview] == [
        ("room", opening.id), ("room", later.id),
    ]  # fmt: skip
    # As an edit of "Later", it is not compared with itself.
    edit = session_data(hall, start="10:00", end="11:30")
    assert programme.find_conflicts(edition, edit, session=later) == []
    outside = programme.find_conflicts(edition, session_data(hall, day=date(2015, 11, 1)))
    assert [c.kind for c in outside] == ["outside_days"]


def test_two_organizers_filling_one_room_at_once_cannot_both_succeed(app, racing_app):
    edition = budapest_edition()
    hall = room(edition, "Hall A")
    organizer()
    edition_id, room_id = edition.id, hall.id

    def create(title: str):  # type: ignore[no-untyped-def]
        def call() -> ForumSession:
            mine = db.session.get(Edition, edition_id)
            assert mine is not None
            data = programme.SessionData(
                title=title, kind="panel", room_id=room_id, day=FIRST_DAY,  # type: ignore[arg-type]
                start_time=session_data(hall).start_time, end_time=session_data(hall).end_time,
            )  # fmt: skip
            return programme.create_session(mine, data, actor=organizer())

        return call

    results, errors = run_at_once(racing_app, [create(f"Panel {n}") for n in range(6)])

    assert len(results) == 1, [getattr(e, "message", repr(e)) for e in errors]
    assert all(isinstance(e, SessionConflictError) for e in errors), errors
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ForumSession.id))) == 1
