"""Seats under real concurrent transactions (PostgreSQL): capacity is never exceeded,
the counter always equals the confirmed rows, and freed seats go to the waiting list first."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.errors import Conflict
from telecom.extensions import db
from telecom.forum.models import ForumSession, ReservationStatus, SeatReservation
from telecom.forum.services import seats
from tests.concurrency import run_at_once
from tests.forum.support_seats import (
    delegates,
    forum_edition,
    make_room,
    make_session,
    reload_session,
    reservation_of,
    statuses,
)
from tests.helpers import MailSink

R = ReservationStatus


def _reserve(session_id: int, user_id: int, *, waitlist: bool = False) -> Callable[[], object]:
    def call() -> object:
        session = db.session.get(ForumSession, session_id)
        user = db.session.get(User, user_id)
        return seats.reserve(session, actor=user, waitlist=waitlist).status

    return call


def _cancel(session_id: int, user_id: int) -> Callable[[], object]:
    def call() -> object:
        session = db.session.get(ForumSession, session_id)
        user = db.session.get(User, user_id)
        return seats.cancel_reservation(session, actor=user).status

    return call


def _confirmed_rows(session_id: int) -> int:
    db.session.expire_all()
    return int(
        db.session.scalar(
            select(func.count(SeatReservation.id)).where(
                SeatReservation.session_id == session_id, SeatReservation.status == R.CONFIRMED
            )
        )
        or 0
    )


def test_24_delegates_racing_for_5_seats_get_exactly_5(app: Flask, racing_app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=200), capacity=5)
    people = delegates(edition, 24)

    results, errors = run_at_once(racing_app, [_reserve(session.id, p.user.id) for p in people])

    assert results == [R.CONFIRMED] * 5, errors
    assert len(errors) == 19
    assert all(isinstance(e, Conflict) and "full" in e.message for e in errors), errors
    assert reload_session(session.id).seats_taken == 5
    assert statuses(session.id) == {"confirmed": 5, "waiting": 0, "cancelled": 0}


def test_racers_asking_for_the_list_wait_in_a_single_queue(app: Flask, racing_app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=4))
    people = delegates(edition, 20)

    results, errors = run_at_once(
        racing_app, [_reserve(session.id, p.user.id, waitlist=True) for p in people]
    )

    assert not errors, errors
    assert sorted(results) == sorted([R.CONFIRMED] * 4 + [R.WAITING] * 16)
    assert reload_session(session.id).seats_taken == 4
    assert statuses(session.id) == {"confirmed": 4, "waiting": 16, "cancelled": 0}
    positions = sorted(
        seats.waiting_position(r)
        for p in people
        if (r := reservation_of(session.id, p.person.id)).status == R.WAITING
    )
    assert positions == list(range(1, 17))


def test_one_delegate_clicking_ten_times_at_once_holds_one_seat(
    app: Flask, racing_app: Flask
) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=3))
    [dora] = delegates(edition, 1)

    results, errors = run_at_once(racing_app, [_reserve(session.id, dora.user.id)] * 10)

    assert results == [R.CONFIRMED] * 10, errors
    assert reload_session(session.id).seats_taken == 1
    assert statuses(session.id)["confirmed"] == 1


def test_cancellations_racing_reservations_keep_the_counter_exact_and_the_queue_first(
    app: Flask, mail: MailSink, racing_app: Flask
) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=5))
    holders = delegates(edition, 5, "holder")
    queued = delegates(edition, 3, "queued")
    newcomers = delegates(edition, 10, "newcomer")
    for holder in holders:
        seats.reserve(session, actor=holder.user)
    for person in queued:
        seats.join_waiting_list(session, actor=person.user)
    mails_before = len(mail.messages)

    calls = [_cancel(session.id, h.user.id) for h in holders] + [
        _reserve(session.id, n.user.id, waitlist=True) for n in newcomers
    ]
    _results, errors = run_at_once(racing_app, calls)

    assert not errors, errors
    assert reload_session(session.id).seats_taken == _confirmed_rows(session.id) == 5
    assert statuses(session.id) == {"confirmed": 5, "waiting": 8, "cancelled": 5}
    # The people who were already waiting got the first freed seats, whoever ran first.
    for person in queued:
        assert reservation_of(session.id, person.person.id).status == R.CONFIRMED
    # Everyone promoted from the list (and only they) was told by e-mail.
    db.session.expire_all()
    promoted = db.session.scalars(
        select(SeatReservation.person_id).where(
            SeatReservation.session_id == session.id, SeatReservation.promoted_at.is_not(None)
        )
    ).all()
    assert len(promoted) >= 3
    mail.wait_for(mails_before + len(promoted))
    told = sorted(m["To"] for m in mail.messages[mails_before:])
    people = {p.person.id: p.email for p in queued + newcomers}
    assert told == sorted(people[person_id] for person_id in promoted)


def test_reservations_racing_cancellations_without_a_queue_never_overbook(
    app: Flask, racing_app: Flask
) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=3))
    holders = delegates(edition, 3, "holder")
    newcomers = delegates(edition, 12, "newcomer")
    for holder in holders:
        seats.reserve(session, actor=holder.user)

    calls = [_cancel(session.id, h.user.id) for h in holders] + [
        _reserve(session.id, n.user.id) for n in newcomers
    ]
    results, errors = run_at_once(racing_app, calls)

    assert all(isinstance(e, Conflict) and "full" in e.message for e in errors), errors
    confirmed = _confirmed_rows(session.id)
    assert reload_session(session.id).seats_taken == confirmed
    assert confirmed == results.count(R.CONFIRMED) <= 3
    assert results.count(R.CANCELLED) == 3
