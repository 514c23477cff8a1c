"""Exhibitors racing for booths at the same instant (PostgreSQL, real transactions).

Every thread has its own app context, session and connection; each loads what
it needs first (which opens its transaction), then all of them call the
booking service together at a barrier. The guarantees: one booth, one winner,
and the losers are told the booth was just taken; an exhibitor never ends up
with more holds than allowed; an organizer's move never puts a second
booking on a booth.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core.errors import Conflict, ValidationError
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    ACTIVE_BOOKING_STATES,
    BookingState,
    BoothBooking,
    Organisation,
)
from telecom.exhibitors.services import booking as booking_service
from telecom.extensions import db
from tests.concurrency import Job, Outcome, race
from tests.exhibitors.factories import (
    make_booth,
    make_hall,
    make_organisation,
    save_settings,
)
from tests.helpers import make_edition, make_organizer, make_user

pytestmark = pytest.mark.postgres_only

RACERS = 20


def hold_job(booth_id: int, organisation_id: int, user_id: int) -> Job:
    def prepare() -> Callable[[], object]:
        organisation = db.session.get(Organisation, organisation_id)
        actor = db.session.get(User, user_id)
        assert organisation is not None and actor is not None
        return lambda: booking_service.hold_booth(booth_id, organisation, actor=actor).id

    return prepare


def move_job(booking_id: int, target_booth_id: int, organizer_id: int) -> Job:
    def prepare() -> Callable[[], object]:
        booking = db.session.get(BoothBooking, booking_id)
        actor = db.session.get(User, organizer_id)
        assert booking is not None and actor is not None

        def move() -> int:
            booking_service.move_booking(booking, target_booth_id, actor=actor)
            return booking_id

        return move

    return prepare


def active_on(booth_id: int) -> list[BoothBooking]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(BoothBooking).where(
                BoothBooking.booth_id == booth_id, BoothBooking.state.in_(ACTIVE_BOOKING_STATES)
            )
        )
    )


def unexpected(outcomes: list[Outcome], *allowed: type[BaseException]) -> list[BaseException]:
    return [o.error for o in outcomes if o.error is not None and not isinstance(o.error, allowed)]


def exhibitors(edition: Edition, count: int, prefix: str) -> list[tuple[Organisation, User]]:
    pairs = []
    for i in range(count):
        user = make_user(f"{prefix.lower()}{i}@racers.example", full_name=f"{prefix} {i}")
        pairs.append((make_organisation(edition, f"{prefix} Racer {i:02d}", members=(user,)), user))
    return pairs


def test_twenty_exhibitors_racing_for_one_booth_leave_exactly_one_winner(
    app: Flask, racing_app: Flask
) -> None:
    edition = make_edition()
    booth = make_booth(make_hall(edition), "F-101")
    racers = exhibitors(edition, RACERS, "Hold")

    outcomes = race(racing_app, [hold_job(booth.id, org.id, user.id) for org, user in racers])

    assert unexpected(outcomes, Conflict) == []
    winners = [o for o in outcomes if o.error is None]
    assert len(winners) == 1
    losers = [o.error for o in outcomes if isinstance(o.error, Conflict)]
    assert len(losers) == RACERS - 1
    assert all("just taken" in error.message for error in losers), {e.message for e in losers}
    [active] = active_on(booth.id)
    assert active.id == winners[0].result
    assert active.state == BookingState.HELD
    assert db.session.scalars(select(BoothBooking)).all() == [active]  # losers left no rows


def test_one_exhibitor_racing_for_many_booths_gets_no_more_than_its_hold_limit(
    app: Flask, racing_app: Flask
) -> None:
    edition = make_edition()
    save_settings(edition, max_active_holds=3)
    hall = make_hall(edition)
    booths = [make_booth(hall, f"F-1{i:02d}", x=str(3 * i)) for i in range(RACERS)]
    user = make_user("greedy@racers.example")
    organisation = make_organisation(edition, "Greedy Telecom", members=(user,))

    outcomes = race(racing_app, [hold_job(b.id, organisation.id, user.id) for b in booths])

    assert unexpected(outcomes, ValidationError) == []
    assert sum(o.error is None for o in outcomes) == 3
    refusals = [o.error for o in outcomes if isinstance(o.error, ValidationError)]
    assert len(refusals) == RACERS - 3
    assert all("most allowed" in error.message for error in refusals)
    db.session.expire_all()
    holds = db.session.scalars(
        select(BoothBooking).where(BoothBooking.organisation_id == organisation.id)
    ).all()
    assert len(holds) == 3
    assert {h.state for h in holds} == {BookingState.HELD}


def test_moves_and_holds_racing_for_the_same_booths_leave_one_booking_on_each(
    app: Flask, racing_app: Flask
) -> None:
    """Ten pairs: an organizer moves A's booking onto a booth that B is holding right then."""
    edition = make_edition()
    hall = make_hall(edition)
    organizer = make_organizer()
    pairs = RACERS // 2
    movers = exhibitors(edition, pairs, "Move")
    holders = exhibitors(edition, pairs, "Hold")
    sources, targets, bookings = [], [], []
    for i in range(pairs):
        # Half the targets sort before their source booth: both lock orders are exercised.
        first = make_booth(hall, f"F-2{i:02d}", x=str(6 * i))
        second = make_booth(hall, f"F-3{i:02d}", x=str(6 * i), y="10")
        source, target = (first, second) if i % 2 else (second, first)
        held = booking_service.hold_booth(source.id, movers[i][0], actor=organizer)
        booking_service.confirm_booking(held, actor=organizer)
        sources.append(source)
        targets.append(target)
        bookings.append(held.id)

    jobs: list[Job] = []
    for i in range(pairs):
        jobs.append(move_job(bookings[i], targets[i].id, organizer.id))
        jobs.append(hold_job(targets[i].id, holders[i][0].id, holders[i][1].id))
    outcomes = race(racing_app, jobs)

    assert unexpected(outcomes, Conflict) == []
    for i in range(pairs):
        move, hold = outcomes[2 * i], outcomes[2 * i + 1]
        assert (move.error is None) != (hold.error is None), f"pair {i}: exactly one must win"
        [on_target] = active_on(targets[i].id)
        on_source = active_on(sources[i].id)
        if move.error is None:
            assert on_target.id == bookings[i]
            assert on_source == []
            assert "just taken" in hold.error.message  # type: ignore[union-attr]
        else:
            assert on_target.organisation_id == holders[i][0].id
            assert on_target.state == BookingState.HELD
            assert [b.id for b in on_source] == [bookings[i]]
            assert "already taken" in move.error.message  # type: ignore[union-attr]


def test_twenty_moves_onto_one_booth_leave_exactly_one_there(app: Flask, racing_app: Flask) -> None:
    """Organizers moving twenty different bookings onto the same free booth at once."""
    edition = make_edition()
    hall = make_hall(edition)
    organizer = make_organizer()
    racers = exhibitors(edition, RACERS, "Move")
    # Source booths made before and after the target: both lock orders occur.
    sources = [make_booth(hall, f"F-2{i:02d}", x=str(3 * i)) for i in range(RACERS // 2)]
    target = make_booth(hall, "F-300", y="10")
    sources += [make_booth(hall, f"F-2{i:02d}", x=str(3 * i)) for i in range(RACERS // 2, RACERS)]
    bookings = []
    for (organisation, _user), source in zip(racers, sources, strict=True):
        held = booking_service.hold_booth(source.id, organisation, actor=organizer)
        booking_service.confirm_booking(held, actor=organizer)
        bookings.append((held.id, source.id))

    outcomes = race(racing_app, [move_job(b, target.id, organizer.id) for b, _s in bookings])

    assert unexpected(outcomes, Conflict) == []
    assert sum(o.error is None for o in outcomes) == 1
    assert all("already taken" in o.error.message for o in outcomes if o.error)  # type: ignore[union-attr]
    [on_target] = active_on(target.id)
    for (booking_id, source_id), outcome in zip(bookings, outcomes, strict=True):
        if outcome.error is None:
            assert on_target.id == booking_id
            assert active_on(source_id) == []
        else:
            assert [b.id for b in active_on(source_id)] == [booking_id]


def test_opposite_moves_between_two_booths_never_deadlock(app: Flask, racing_app: Flask) -> None:
    """Ten pairs of booked booths, each booking moved onto the other's booth at once.

    Each move finds its target taken, so both are refused; what is tested is that the
    two transactions, each locking both booths, queue instead of deadlocking.
    """
    edition = make_edition()
    hall = make_hall(edition)
    organizer = make_organizer()
    racers = exhibitors(edition, RACERS, "Swap")
    jobs: list[Job] = []
    pairs = []
    for i in range(RACERS // 2):
        left = make_booth(hall, f"F-4{i:02d}", x=str(6 * i), y="20")
        right = make_booth(hall, f"F-5{i:02d}", x=str(6 * i), y="30")
        on_left = booking_service.hold_booth(left.id, racers[2 * i][0], actor=organizer)
        on_right = booking_service.hold_booth(right.id, racers[2 * i + 1][0], actor=organizer)
        booking_service.confirm_booking(on_left, actor=organizer)
        booking_service.confirm_booking(on_right, actor=organizer)
        jobs += [move_job(on_left.id, right.id, organizer.id),
                 move_job(on_right.id, left.id, organizer.id)]  # fmt: skip
        pairs.append((left.id, right.id, on_left.id, on_right.id))

    outcomes = race(racing_app, jobs)

    # A deadlock would surface as a database error in one of the two, not a Conflict.
    assert unexpected(outcomes, Conflict) == []
    for i, (left, right, on_left, on_right) in enumerate(pairs):
        # Both booths stay occupied by their original bookings: each move found its target taken.
        assert outcomes[2 * i].error is not None and outcomes[2 * i + 1].error is not None
        assert [b.id for b in active_on(left)] == [on_left]
        assert [b.id for b in active_on(right)] == [on_right]
