"""The booking service: holds, expiry, the state machine, organizer actions, audit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, Forbidden, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import OutboxMessage
from telecom.exhibitors.models import (
    BookingState,
    BoothBooking,
    CoExhibitorStatus,
    PavilionKind,
    RateCategory,
)
from telecom.exhibitors.services import booking
from telecom.exhibitors.services.booking import TRANSITIONS, BoothStatus
from telecom.exhibitors.services.pricing import price_booth
from telecom.exhibitors.services.settings import settings_for
from telecom.extensions import db
from tests.exhibitors.factories import (
    audit_actions,
    confirmed,
    expire,
    hold,
    make_booth,
    make_organisation,
    save_settings,
    state_of,
)
from tests.helpers import make_user


def status_of(code: str, show) -> BoothStatus:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    b = show.booth(code)
    return booking.booth_status(b, booking.live_booking(b), utcnow())


# --- Holds ---------------------------------------------------------------------------


def test_a_hold_keeps_the_booth_for_the_configured_time_at_the_quoted_price(show):
    now = utcnow()
    held = hold(show, "F-101", now=now)

    assert held.state == BookingState.HELD
    assert held.held_until == now + timedelta(minutes=30)
    assert held.price == Decimal("4680.00")  # 9 sqm shell scheme × 520
    assert held.currency == "CHF"
    assert held.created_by_id == show.ada.id
    assert status_of("F-101", show) == BoothStatus.HELD
    assert audit_actions("booth_bookings", held.id) == ["hold"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "hold"))
    assert entry.actor_label == "ada@acme.example"
    assert entry.after["price_breakdown"]["total"] == "4680.00"


def test_the_hold_time_comes_from_the_edition_settings(show):
    save_settings(show.edition, hold_minutes=45)
    now = utcnow()
    assert hold(show, "F-101", now=now).held_until == now + timedelta(minutes=45)


def test_the_hold_price_uses_the_organisations_rate(show):
    show.acme.rate_category = RateCategory.SME
    db.session.commit()
    held = hold(show, "F-201")  # 36 sqm space only, island: 16,200 + 15 % − 20 %
    quote = price_booth(show.booth("F-201"), settings_for(show.edition), "CHF", RateCategory.SME)

    assert held.price == quote.total == Decimal("14904.00")


def test_a_booth_cannot_be_held_twice(show):
    hold(show, "F-101")

    with pytest.raises(Conflict, match="just taken"):
        hold(show, "F-101", show.globex, show.bob)
    assert db.session.scalar(select(func.count(BoothBooking.id))) == 1


def test_an_expired_hold_frees_the_booth_for_the_next_exhibitor(show):
    first = hold(show, "F-101")
    expire(first)

    assert status_of("F-101", show) == BoothStatus.AVAILABLE
    second = hold(show, "F-101", show.globex, show.bob)

    assert state_of(first.id) == BookingState.RELEASED
    assert db.session.get(BoothBooking, first.id).end_reason == "hold expired"
    assert state_of(second.id) == BookingState.HELD


def test_a_blocked_booth_cannot_be_held(show):
    booking.set_blocked(show.booth("F-101"), True, actor=show.organizer, reason="Fire exit")

    with pytest.raises(Conflict, match="not available"):
        hold(show, "F-101")


def test_pavilion_space_is_only_for_its_pavilion(show):
    pavilion = make_organisation(
        show.edition, "Hungary Pavilion", members=(show.bob,), pavilion_kind=PavilionKind.NATIONAL
    )
    reserved = make_booth(show.hall, "F-301", y="20", pavilion=pavilion)
    show.booths["F-301"] = reserved

    with pytest.raises(Conflict, match="reserved for a pavilion"):
        hold(show, "F-301")
    assert hold(show, "F-301", pavilion, show.bob).state == BookingState.HELD


def test_co_exhibitors_do_not_book_space_themselves(show):
    pavilion = make_organisation(show.edition, "Pavilion", pavilion_kind=PavilionKind.THEMATIC)
    co = make_organisation(
        show.edition, "Small Co", members=(show.ada,), pavilion=pavilion,
        co_exhibitor_status=CoExhibitorStatus.APPROVED,
    )  # fmt: skip

    with pytest.raises(ValidationError, match="pavilion books the booth"):
        hold(show, "F-101", co)


def test_only_members_and_organizers_hold_for_an_organisation(show):
    with pytest.raises(NotFound):
        hold(show, "F-101", show.globex, show.ada)
    stranger = make_user("stranger@example.org")
    with pytest.raises(NotFound):
        hold(show, "F-101", show.acme, stranger)
    assert hold(show, "F-101", show.acme, show.organizer).created_by_id == show.organizer.id


def test_a_booth_of_another_edition_cannot_be_held(show):
    from tests.exhibitors.factories import make_hall
    from tests.helpers import make_edition

    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    foreign = make_booth(make_hall(other), "A-1")
    with pytest.raises(NotFound):
        booking.hold_booth(foreign.id, show.acme, actor=show.ada)


# --- The per-organisation limit --------------------------------------------------------


def test_an_exhibitor_holds_at_most_the_configured_number_of_booths(show):
    save_settings(show.edition, max_active_holds=2)
    first = hold(show, "F-101")
    hold(show, "F-102")

    with pytest.raises(ValidationError, match="You already hold 2 booths"):
        hold(show, "F-103")
    assert status_of("F-103", show) == BoothStatus.AVAILABLE

    # Releasing one, or one expiring, makes room again.
    booking.release_hold(db.session.get(BoothBooking, first.id), actor=show.ada)
    assert hold(show, "F-103").state == BookingState.HELD


def test_expired_and_confirmed_bookings_do_not_count_against_the_limit(show):
    save_settings(show.edition, max_active_holds=1)
    expire(hold(show, "F-101"))
    second = hold(show, "F-102")
    booking.confirm_booking(second, actor=show.organizer)

    assert hold(show, "F-103").state == BookingState.HELD


def test_the_limit_is_per_organisation(show):
    save_settings(show.edition, max_active_holds=1)
    hold(show, "F-101")
    assert hold(show, "F-102", show.globex, show.bob).state == BookingState.HELD


# --- Expiry ------------------------------------------------------------------------------


def test_release_expired_releases_exactly_the_holds_whose_time_ran_out(show):
    now = utcnow()
    old = hold(show, "F-101", now=now - timedelta(minutes=31))
    fresh = hold(show, "F-102", now=now)
    booked = confirmed(show, "F-103", show.globex)

    assert booking.release_expired(now=now) == 1
    assert booking.release_expired(now=now) == 0  # nothing twice
    assert state_of(old.id) == BookingState.RELEASED
    assert state_of(fresh.id) == BookingState.HELD
    assert state_of(booked.id) == BookingState.CONFIRMED
    released = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_id == str(old.id), AuditEntry.action == "released"
        )
    )
    assert released.actor_label == "system"
    assert released.before["state"] == "held"
    assert released.after["state"] == "released"


def test_release_expired_can_be_limited_to_one_edition(show):
    from tests.exhibitors.factories import make_hall
    from tests.helpers import make_edition

    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    other_booth = make_booth(make_hall(other), "A-1")
    other_org = make_organisation(other, "Initech", members=(show.bob,))
    now = utcnow()
    here = hold(show, "F-101", now=now - timedelta(hours=1))
    there = booking.hold_booth(
        other_booth.id, other_org, actor=show.bob, now=now - timedelta(hours=1)
    )

    assert booking.release_expired(now=now, edition_id=show.edition.id) == 1
    assert state_of(here.id) == BookingState.RELEASED
    assert state_of(there.id) == BookingState.HELD


# --- The state machine --------------------------------------------------------------------


def in_state(show, state: BookingState, code: str = "F-101") -> BoothBooking:  # type: ignore[no-untyped-def]
    held = hold(show, code)
    if state == BookingState.CONFIRMED:
        booking.confirm_booking(held, actor=show.organizer)
    elif state == BookingState.PAID:
        booking.mark_paid(held, actor=None)
    elif state == BookingState.RELEASED:
        booking.release_hold(held, actor=show.ada)
    elif state == BookingState.CANCELLED:
        booking.cancel_booking(held, actor=show.organizer, reason="test")
    assert state_of(held.id) == state
    return db.session.get(BoothBooking, held.id)


def do(show, item: BoothBooking, target: BookingState) -> None:  # type: ignore[no-untyped-def]
    """Ask the service for a transition the way its callers do."""
    if target == BookingState.CONFIRMED:
        booking.confirm_booking(item, actor=show.organizer)
    elif target == BookingState.PAID:
        booking.mark_paid(item, actor=None)
    elif target == BookingState.RELEASED:
        booking.release_hold(item, actor=show.ada)
    elif target == BookingState.CANCELLED:
        booking.cancel_booking(item, actor=show.organizer, reason="sponsor withdrew")
    else:
        raise AssertionError(target)


ALLOWED = [(source, target) for source, targets in TRANSITIONS.items() for target in targets]
TARGETS = [s for s in BookingState if s != BookingState.HELD]
FORBIDDEN = [
    (source, target)
    for source in BookingState
    for target in TARGETS
    if target not in TRANSITIONS[source] and not (source == target == BookingState.PAID)
]


def test_the_transition_table_is_the_documented_one():
    assert set(ALLOWED) == {
        (BookingState.HELD, BookingState.CONFIRMED),
        (BookingState.HELD, BookingState.PAID),
        (BookingState.HELD, BookingState.RELEASED),
        (BookingState.HELD, BookingState.CANCELLED),
        (BookingState.CONFIRMED, BookingState.PAID),
        (BookingState.CONFIRMED, BookingState.CANCELLED),
        (BookingState.PAID, BookingState.CANCELLED),
        # a late card payment books a released booth again while it is free
        (BookingState.RELEASED, BookingState.PAID),
    }


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=lambda s: s.value)
def test_every_allowed_transition_happens_and_is_audited(show, source, target):
    item = in_state(show, source)
    before = len(audit_actions("booth_bookings", item.id))

    do(show, db.session.get(BoothBooking, item.id), target)

    assert state_of(item.id) == target
    actions = audit_actions("booth_bookings", item.id)
    assert len(actions) == before + 1
    assert actions[-1] == target.value


@pytest.mark.parametrize(("source", "target"), FORBIDDEN, ids=lambda s: s.value)
def test_every_forbidden_transition_is_refused_with_a_clear_message(show, source, target):
    item = in_state(show, source)
    before = audit_actions("booth_bookings", item.id)

    with pytest.raises(Conflict) as refused:
        do(show, db.session.get(BoothBooking, item.id), target)

    assert refused.value.message in {
        f"A booking that is {source.value} cannot become {target.value}.",
        "Only a held booth can be released.",
    }
    assert state_of(item.id) == source
    assert audit_actions("booth_bookings", item.id) == before


def test_a_repeated_payment_changes_nothing(show):
    item = in_state(show, BookingState.PAID)
    before = audit_actions("booth_bookings", item.id)
    booking.mark_paid(item, actor=None)
    assert audit_actions("booth_bookings", item.id) == before


def test_an_expired_hold_cannot_be_confirmed(show):
    held = hold(show, "F-101")
    expire(held)

    with pytest.raises(Conflict, match="This hold has expired"):
        booking.confirm_booking(held, actor=show.organizer)
    assert state_of(held.id) == BookingState.HELD  # released on the next read, not here


# --- Organizer actions ----------------------------------------------------------------------


def test_only_organizers_confirm_cancel_move_and_block(show):
    held = hold(show, "F-101")
    with pytest.raises(Forbidden):
        booking.confirm_booking(held, actor=show.ada)
    with pytest.raises(Forbidden):
        booking.cancel_booking(held, actor=show.ada, reason="no")
    with pytest.raises(Forbidden):
        booking.move_booking(held, show.booth("F-102").id, actor=show.ada)
    with pytest.raises(Forbidden):
        booking.set_blocked(show.booth("F-102"), True, actor=show.ada)
    assert state_of(held.id) == BookingState.HELD


def test_confirming_without_payment_records_the_note(show):
    held = hold(show, "F-101")
    booking.confirm_booking(held, actor=show.organizer, reason="Gold sponsor package")

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "confirmed"))
    assert entry.actor_label == "organizer@example.org"
    assert entry.after["note"] == "Gold sponsor package"
    assert entry.after["held_until"] is None
    assert status_of("F-101", show) == BoothStatus.BOOKED


def test_a_cancellation_needs_a_reason_and_frees_the_booth(show):
    booked = confirmed(show, "F-101")
    with pytest.raises(ValidationError, match="Give a reason"):
        booking.cancel_booking(booked, actor=show.organizer, reason="  ")
    assert state_of(booked.id) == BookingState.CONFIRMED

    booking.cancel_booking(booked, actor=show.organizer, reason="Unpaid invoice")

    assert state_of(booked.id) == BookingState.CANCELLED
    assert db.session.get(BoothBooking, booked.id).end_reason == "Unpaid invoice"
    assert status_of("F-101", show) == BoothStatus.AVAILABLE
    assert hold(show, "F-101", show.globex, show.bob).state == BookingState.HELD


def test_a_move_changes_the_booth_reprices_and_is_audited(show):
    held = hold(show, "F-101")  # 9 sqm → 4,680
    booking.move_booking(held, show.booth("F-103").id, actor=show.organizer)  # 18 sqm

    moved = db.session.get(BoothBooking, held.id)
    assert moved.booth_id == show.booth("F-103").id
    assert moved.price == Decimal("9360.00")
    assert moved.state == BookingState.HELD
    assert status_of("F-101", show) == BoothStatus.AVAILABLE
    assert status_of("F-103", show) == BoothStatus.HELD
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "move"))
    assert (entry.before["booth"], entry.after["booth"]) == ("F-101", "F-103")
    assert (entry.before["price"], entry.after["price"]) == ("4680.00", "9360.00")


def test_a_paid_booking_keeps_its_price_when_moved(show):
    item = in_state(show, BookingState.PAID)
    booking.move_booking(item, show.booth("F-103").id, actor=show.organizer)
    assert db.session.get(BoothBooking, item.id).price == Decimal("4680.00")


def test_a_move_needs_a_free_booth(show):
    held = hold(show, "F-101")
    hold(show, "F-102", show.globex, show.bob)
    booking.set_blocked(show.booth("F-103"), True, actor=show.organizer, reason="Column")

    with pytest.raises(Conflict, match="F-102 is already taken"):
        booking.move_booking(held, show.booth("F-102").id, actor=show.organizer)
    with pytest.raises(Conflict, match="F-103 is not available"):
        booking.move_booking(held, show.booth("F-103").id, actor=show.organizer)
    with pytest.raises(ValidationError, match="already on this booth"):
        booking.move_booking(held, show.booth("F-101").id, actor=show.organizer)
    assert db.session.get(BoothBooking, held.id).booth_id == show.booth("F-101").id


def test_an_ended_booking_cannot_be_moved(show):
    item = in_state(show, BookingState.RELEASED)
    with pytest.raises(Conflict, match="Only an active booking can be moved"):
        booking.move_booking(item, show.booth("F-102").id, actor=show.organizer)


def test_a_move_respects_pavilion_space(show):
    pavilion = make_organisation(show.edition, "Pavilion", pavilion_kind=PavilionKind.NATIONAL)
    reserved = make_booth(show.hall, "F-301", y="20", pavilion=pavilion)
    held = hold(show, "F-101")
    with pytest.raises(Conflict, match="reserved for a pavilion"):
        booking.move_booking(held, reserved.id, actor=show.organizer)


def test_blocking_and_unblocking_a_booth_is_audited(show):
    b = show.booth("F-102")
    booking.set_blocked(b, True, actor=show.organizer, reason="Technical room")
    assert status_of("F-102", show) == BoothStatus.BLOCKED
    booking.set_blocked(b, False, actor=show.organizer)
    assert status_of("F-102", show) == BoothStatus.AVAILABLE

    assert audit_actions("booths", b.id) == ["block", "unblock"]
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "booths").order_by(AuditEntry.id)
    ).all()
    assert entries[0].after == {"blocked": True, "blocked_reason": "Technical room"}
    assert entries[1].after == {"blocked": False, "blocked_reason": ""}


def test_a_held_booth_cannot_be_blocked_but_an_expired_hold_does_not_stop_it(show):
    held = hold(show, "F-101")
    with pytest.raises(Conflict, match="held or booked"):
        booking.set_blocked(show.booth("F-101"), True, actor=show.organizer, reason="x")

    expire(held)
    booking.set_blocked(show.booth("F-101"), True, actor=show.organizer, reason="x")
    assert state_of(held.id) == BookingState.RELEASED
    assert status_of("F-101", show) == BoothStatus.BLOCKED


def test_an_organizer_holds_a_booth_for_an_exhibitor(show):
    held = hold(show, "F-201", show.globex, show.organizer)
    assert held.organisation_id == show.globex.id
    assert held.created_by_id == show.organizer.id


def test_a_refused_action_leaves_nothing_behind(show):
    """An expired hold released under lock is rolled back with the refusal."""
    save_settings(show.edition, max_active_holds=1)
    stale = hold(show, "F-101", show.globex, show.bob, now=utcnow() - timedelta(hours=1))
    hold(show, "F-103", show.acme, show.ada)
    mails = db.session.scalar(select(func.count(OutboxMessage.id)))

    with pytest.raises(ValidationError):
        hold(show, "F-101")  # acme already holds one: refused after releasing `stale`

    assert not db.session.new and not db.session.dirty
    assert state_of(stale.id) == BookingState.HELD  # the release was rolled back too
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == mails
