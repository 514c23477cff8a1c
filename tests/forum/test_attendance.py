"""Forum attendance for the KPI engine: unique people checked in at sessions, and satisfaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import event

from telecom.extensions import db
from telecom.forum.services import attendance, ratings
from telecom.participants.models import CheckIn, CheckInPoint, RegistrationStatus
from tests.forum.support_seats import (
    Delegate,
    delegates,
    forum_edition,
    gate_check_in,
    make_room,
    make_session,
    session_check_in,
)


def _figures(edition):  # type: ignore[no-untyped-def]
    return (
        attendance.forum_participants(edition),
        attendance.forum_satisfaction(edition),
        attendance.session_attendance(edition),
    )


def test_an_edition_without_forum_attendance_counts_zero(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition))
    [visitor] = delegates(edition, 1)
    gate_check_in(visitor, edition.start_date)

    assert _figures(edition) == (0, (0, None), {session.id: 0})


def test_people_are_counted_once_however_many_sessions_they_attend(app: Flask) -> None:
    edition = forum_edition()
    room = make_room(edition)
    keynote = make_session(edition, "Keynote", room=room, starts="09:00", ends="10:00")
    panel = make_session(edition, "Panel", room=room, starts="10:30", ends="11:30")
    workshop = make_session(edition, "Workshop", room=room, day=1)
    empty = make_session(edition, "Empty", room=room, day=2)
    ana, ben, cleo, dan = delegates(edition, 4)
    for holder in (ana, ben, cleo):
        session_check_in(holder, keynote)
    session_check_in(ana, panel)
    session_check_in(ana, workshop)
    session_check_in(ben, workshop)
    # Gate check-ins are not forum attendance.
    for holder in (ana, ben, cleo, dan):
        gate_check_in(holder, edition.start_date)

    assert attendance.forum_participants(edition) == 3
    assert attendance.session_attendance(edition) == {
        keynote.id: 3, panel.id: 1, workshop.id: 2, empty.id: 0,
    }  # fmt: skip


def test_check_ins_naming_no_session_of_the_edition_do_not_count(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition))
    other_edition = forum_edition("telecom-world-other", starts_in=400)
    foreign = make_session(other_edition, room=make_room(other_edition))
    [ana] = delegates(edition, 1)
    session_check_in(ana, session)
    assert ana.registration is not None
    # A scanner typo and a session of another edition, recorded against this edition.
    for ref in ("12x", str(foreign.id)):
        db.session.add(
            CheckIn(
                edition_id=edition.id, person_id=ana.person.id, registration_id=ana.registration.id,
                category=ana.registration.category, day=edition.start_date,
                point=CheckInPoint.SESSION, point_ref=ref,
                scanned_at=datetime.combine(edition.start_date, datetime.min.time(), UTC),
            )
        )  # fmt: skip
    db.session.commit()
    [ben] = delegates(edition, 1, "ben")
    session_check_in(ben, session)

    assert attendance.forum_participants(edition) == 2
    assert attendance.session_attendance(edition) == {session.id: 2}
    assert attendance.forum_participants(other_edition) == 0


def _rate(holder: Delegate, session, score: int) -> None:  # type: ignore[no-untyped-def]
    ratings.rate(session, score, "", actor=holder.user, now=session.ends_at + timedelta(hours=1))


def test_satisfaction_is_the_number_and_mean_of_ratings(app: Flask) -> None:
    edition = forum_edition()
    room = make_room(edition)
    first = make_session(edition, "First", room=room, starts="09:00", ends="10:00")
    second = make_session(edition, "Second", room=room, starts="11:00", ends="12:00")
    ana, ben, cleo = delegates(edition, 3)
    for holder, session, score in (
        (ana, first, 5), (ana, second, 4), (ben, first, 4), (cleo, second, 2),
    ):  # fmt: skip
        session_check_in(holder, session)
        _rate(holder, session, score)

    assert attendance.forum_satisfaction(edition) == (4, Decimal("3.75"))
    assert attendance.forum_participants(edition) == 3


def test_the_figures_are_sql_aggregates_not_rows_loaded_into_python(app: Flask) -> None:
    edition = forum_edition()
    room = make_room(edition)
    sessions = [
        make_session(edition, f"S{n}", room=room, starts=f"{9 + n}:00", ends=f"{9 + n}:45")
        for n in range(3)
    ]
    people = delegates(edition, 6)
    for n, holder in enumerate(people):
        session_check_in(holder, sessions[n % 3])
        _rate(holder, sessions[n % 3], 1 + n % 5)
    assert edition.slug  # loaded now, so only the figures' own statements are counted
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        participants, satisfaction, per_session = _figures(edition)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    assert participants == 6 and satisfaction[0] == 6
    assert sum(per_session.values()) == 6
    # One statement per figure (two for the per-session map: the sessions and the counts),
    # each an aggregate; no query selects check-in or rating rows.
    assert len(statements) == 4
    for statement in statements:
        lowered = " ".join(statement.lower().split())
        assert "check_ins.id," not in lowered and "session_ratings.comment" not in lowered
    assert sum("count(distinct check_ins.person_id)" in s.lower() for s in statements) == 2


def test_a_badge_cancelled_since_and_later_scans_do_not_count(app: Flask) -> None:
    edition = forum_edition()
    room = make_room(edition)
    keynote = make_session(edition, "Keynote", room=room, starts="09:00", ends="10:00")
    workshop = make_session(edition, "Workshop", room=room, day=1)
    ana, ben = delegates(edition, 2)
    session_check_in(ana, keynote)
    session_check_in(ben, keynote)
    session_check_in(ben, workshop)
    assert ben.registration is not None
    ben.registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    first_day_ends = edition.day_ends_at(edition.start_date)

    assert attendance.forum_participants(edition) == 1
    assert attendance.session_attendance(edition) == {keynote.id: 1, workshop.id: 0}
    # Cleo came only to the workshop on the second day: not a participant as of the first.
    [cleo] = delegates(edition, 1, "cleo")
    session_check_in(cleo, workshop)
    assert attendance.forum_participants(edition) == 2
    assert attendance.forum_participants(edition, first_day_ends) == 1
