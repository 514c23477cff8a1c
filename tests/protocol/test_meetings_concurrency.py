"""Bookings racing on PostgreSQL: a slot is never double-booked, the daily limit always holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.audit import AuditEntry
from telecom.extensions import db
from telecom.protocol.models import MeetingSlot, VipInvitation
from telecom.protocol.services import meetings
from tests.concurrency import run_at_once
from tests.protocol.support_meetings import (
    delegations,
    edition_ahead,
    protocol_officer,
    room_with_slots,
    slots_of,
)


def _book(slot_id: int, invitation_id: int) -> Callable[[], MeetingSlot]:
    """A racer: loads its delegation's invitation in its own session, then books."""

    def job() -> MeetingSlot:
        invitation = db.session.get(VipInvitation, invitation_id)
        assert invitation is not None
        return meetings.book_slot(slot_id, invitation, counterpart=f"Partner of {invitation_id}")

    return job


def _messages(errors: list[BaseException]) -> list[str]:
    return [getattr(error, "message", repr(error)) for error in errors]


def test_twenty_delegations_racing_for_one_slot_leave_exactly_one_booking(app, racing_app):
    edition = edition_ahead()
    slot = slots_of(room_with_slots(edition))[2]
    invitations = delegations(edition, 20)

    results, errors = run_at_once(racing_app, [_book(slot.id, i.id) for i in invitations])

    assert len(results) == 1, _messages(errors)
    assert len(errors) == 19
    # Every loser is told what happened, in words; none got a database error.
    assert all(
        m == "This slot was just booked by another delegation. Please choose another slot."
        for m in _messages(errors)
    ), _messages(errors)
    db.session.expire_all()
    booked = db.session.get(MeetingSlot, slot.id)
    assert booked.invitation_id in {i.id for i in invitations}
    assert booked.counterpart == f"Partner of {booked.invitation_id}"
    assert sum(len(meetings.bookings_of(i)) for i in invitations) == 1
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(
            AuditEntry.object_type == "meeting_slots", AuditEntry.action == "book"
        )
    ) == 1  # fmt: skip


def test_one_delegation_racing_for_six_slots_of_one_day_gets_exactly_two(app, racing_app):
    edition = edition_ahead()
    slots = slots_of(room_with_slots(edition))
    assert len(slots) == 6 and len({s.day for s in slots}) == 1
    [minister] = delegations(edition, 1)

    results, errors = run_at_once(racing_app, [_book(s.id, minister.id) for s in slots])

    assert len(results) == 2, _messages(errors)
    assert all("already has 2 meetings on" in m for m in _messages(errors)), _messages(errors)
    db.session.expire_all()
    assert len(meetings.bookings_of(minister)) == 2
    assert len(meetings.free_slots(edition)) == 4


def test_many_delegations_racing_for_a_morning_each_get_at_most_two_and_no_slot_twice(
    app, racing_app
):
    edition = edition_ahead()
    day = edition.start_date + timedelta(days=1)
    for number in range(1, 4):
        room_with_slots(edition, f"Bilateral Room {number}", day=day)
    slots = meetings.slots_for(edition, day=day)  # 18 slots, 6 per room
    invitations = delegations(edition, 6)
    # Every delegation tries six slots in a different order: 36 racers for 18 slots.
    jobs = []
    for n, invitation in enumerate(invitations):
        for slot in slots[n::6][:3] + slots[(n + 1) % 6 :: 6][:3]:
            jobs.append(_book(slot.id, invitation.id))

    results, errors = run_at_once(racing_app, jobs)

    db.session.expire_all()
    held = db.session.scalars(
        select(MeetingSlot).where(MeetingSlot.invitation_id.is_not(None))
    ).all()
    assert len(results) == len(held)  # every success is a booking, and no slot twice
    assert len({s.id for s in held}) == len(held)
    per_delegation = {i.id: [s for s in held if s.invitation_id == i.id] for i in invitations}
    assert results and all(len(mine) <= 2 for mine in per_delegation.values()), per_delegation
    for mine in per_delegation.values():
        # Never in two rooms at once.
        assert len({s.starts_at for s in mine}) == len(mine)
    assert all(isinstance(getattr(e, "message", None), str) for e in errors), errors


def test_deleting_a_slot_while_a_delegation_books_it_never_leaves_both(app, racing_app):
    edition = edition_ahead()
    officer = protocol_officer()
    slot = slots_of(room_with_slots(edition))[0]
    invitations = delegations(edition, 5)

    officer_id, slot_id = officer.id, slot.id  # racers use their own sessions, not these rows

    def delete() -> None:
        return meetings.delete_slot(slot_id, actor=db.session.get(User, officer_id))

    results, errors = run_at_once(
        racing_app, [delete, *[_book(slot_id, i.id) for i in invitations]]
    )

    db.session.expire_all()
    remaining = db.session.get(MeetingSlot, slot_id)
    if remaining is None:
        # Deleted first: no booking can have succeeded.
        assert results == [None], _messages(errors)
    else:
        # Booked first: one delegation holds it and the deletion was refused.
        assert remaining.invitation_id is not None
        assert len(results) == 1 and isinstance(results[0], MeetingSlot)
        assert any("cancel the booking before deleting" in m for m in _messages(errors))
    assert len(errors) == 5
