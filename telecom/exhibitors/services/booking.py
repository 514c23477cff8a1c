"""Booth bookings: holds, expiry, confirmation, payment, moves and cancellation.

The state machine lives in TRANSITIONS and `_transition()`; every change goes
through it and leaves an audit entry. Taking a booth locks the booth row
(SELECT ... FOR UPDATE) so that concurrent requests queue; the partial unique
index "one active booking per booth" backs the lock up, so two organisations
can never hold or book the same booth.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    ACTIVE_BOOKING_STATES,
    BookingState,
    Booth,
    BoothBooking,
    Hall,
    Organisation,
)
from telecom.exhibitors.services.access import recipients, require_manage
from telecom.exhibitors.services.pricing import BoothPrice, price_booth
from telecom.exhibitors.services.settings import settings_for
from telecom.extensions import db
from telecom.payments import services as orders

TRANSITIONS: dict[BookingState, frozenset[BookingState]] = {
    BookingState.HELD: frozenset(
        {BookingState.CONFIRMED, BookingState.PAID, BookingState.RELEASED, BookingState.CANCELLED}
    ),
    BookingState.CONFIRMED: frozenset({BookingState.PAID, BookingState.CANCELLED}),
    BookingState.PAID: frozenset({BookingState.CANCELLED}),
    # A card payment that completes after its hold ran out books the booth
    # again when nobody took it meanwhile (secure_for_payment).
    BookingState.RELEASED: frozenset({BookingState.PAID}),
    BookingState.CANCELLED: frozenset(),
}

BOOKING_AUDIT_FIELDS = ("state", "booth_id", "organisation_id", "held_until", "price", "end_reason")

F = TypeVar("F", bound=Callable[..., Any])


class BoothStatus(enum.StrEnum):
    """What a visitor of the floor plan sees."""

    AVAILABLE = "available"
    HELD = "held"
    BOOKED = "booked"
    BLOCKED = "blocked"

    @property
    def label(self) -> str:
        return str(BOOTH_STATUS_LABELS[self])


BOOTH_STATUS_LABELS = {
    BoothStatus.AVAILABLE: _l("Available"),
    BoothStatus.HELD: _l("Held"),
    BoothStatus.BOOKED: _l("Booked"),
    BoothStatus.BLOCKED: _l("Blocked"),
}


def _is_live(booking: BoothBooking, now: datetime) -> bool:
    """Active, and not a hold whose time ran out (those count as free at once)."""
    if booking.state not in ACTIVE_BOOKING_STATES:
        return False
    return not (
        booking.state == BookingState.HELD
        and booking.held_until is not None
        and booking.held_until <= now
    )


def booth_status(booth: Booth, booking: BoothBooking | None, now: datetime) -> BoothStatus:
    """The status of a booth given its active booking (None if it has none)."""
    if booking is not None and _is_live(booking, now):
        return BoothStatus.HELD if booking.state == BookingState.HELD else BoothStatus.BOOKED
    if booth.blocked:
        return BoothStatus.BLOCKED
    return BoothStatus.AVAILABLE


def active_bookings_by_booth(edition_id: int, now: datetime) -> dict[int, BoothBooking]:
    """Every live booking of an edition, keyed by booth id, in one query."""
    rows = db.session.scalars(
        select(BoothBooking).where(
            BoothBooking.edition_id == edition_id,
            BoothBooking.state.in_(ACTIVE_BOOKING_STATES),
        )
    )
    return {b.booth_id: b for b in rows if _is_live(b, now)}


def _transition(
    booking: BoothBooking,
    new_state: BookingState,
    *,
    actor: User | None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    if new_state not in TRANSITIONS[booking.state]:
        raise Conflict(
            _(
                "A booking that is %(state)s cannot become %(new)s.",
                state=booking.state.label.lower(),
                new=new_state.label.lower(),
            )
        )
    now = now or utcnow()
    before = audit.snapshot(booking, BOOKING_AUDIT_FIELDS)
    booking.state = new_state
    note = ""
    if new_state == BookingState.CONFIRMED:
        booking.confirmed_at = now
        booking.held_until = None
        note = reason.strip()
    elif new_state == BookingState.PAID:
        booking.paid_at = now
        booking.confirmed_at = booking.confirmed_at or now
        booking.held_until = None
        booking.ended_at = None
        booking.end_reason = ""
        note = reason.strip()
    else:
        booking.ended_at = now
        booking.end_reason = reason[:200]
        orders.end_booth_line(booking, actor=actor)
    after = audit.snapshot(booking, BOOKING_AUDIT_FIELDS)
    if note:  # e.g. the organizer's note on a confirmation without payment
        after["note"] = note
    audit.record(
        new_state.value,
        booking,
        actor=actor,
        edition_id=booking.edition_id,
        before=before,
        after=after,
    )


def lock_booth(booth_id: int) -> Booth:
    booth = db.session.scalar(
        select(Booth)
        .where(Booth.id == booth_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if booth is None:
        raise NotFound(_("There is no such booth."))
    return booth


def _active_booking_locked(booth: Booth) -> BoothBooking | None:
    return db.session.scalar(
        select(BoothBooking)
        .where(BoothBooking.booth_id == booth.id, BoothBooking.state.in_(ACTIVE_BOOKING_STATES))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _release_if_expired(booking: BoothBooking | None, now: datetime) -> BoothBooking | None:
    """Release an expired hold found under lock; return the booking if still live."""
    if booking is None:
        return None
    if booking.state == BookingState.HELD and booking.held_until and booking.held_until <= now:
        _transition(booking, BookingState.RELEASED, actor=None, reason="hold expired", now=now)
        db.session.flush()  # the index must see the slot free before a new hold
        return None
    return booking


def _notify(
    booking: BoothBooking, edition: Edition, subject: object, template: str, **extra: object
) -> None:
    """Mail everyone who follows the booking's organisation, each in their language."""
    organisation = booking.organisation
    context = {
        "organisation": organisation,
        "booking": booking,
        "booth": booking.booth,
        "edition": edition,
        "bookings_url": bookings_url(edition, organisation.id),
        **extra,
    }
    for email, locale in recipients(organisation):
        queue_mail(email, subject, template, locale=locale, **context)


def bookings_url(edition: Edition, organisation_id: int) -> str | None:
    """The organisation's bookings page as an absolute link, when one can be built.

    The CLI (reminders) runs without a request; without SERVER_NAME there is no
    host to put in a link, and the mail then simply goes without it.
    """
    try:
        return url_for(
            "exhibitors.my_bookings", slug=edition.slug, organisation_id=organisation_id,
            _external=True,
        )  # fmt: skip
    except RuntimeError:
        return None


def _lock_organisation(organisation_id: int) -> None:
    """Serialise the check-then-write rules counted per organisation (holds, staff)."""
    db.session.execute(
        select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    )


def _just_taken() -> Conflict:
    return Conflict(
        _("Sorry, this booth was just taken by another exhibitor. Please choose another.")
    )


@atomic
def hold_booth(
    booth_id: int,
    organisation: Organisation,
    *,
    actor: User,
    now: datetime | None = None,
) -> BoothBooking:
    """Place a hold on an available booth for an organisation (member or organizer)."""
    require_manage(actor, organisation)
    now = now or utcnow()
    if organisation.pavilion_id is not None:
        raise ValidationError(
            _("Co-exhibitors exhibit on their pavilion's space; the pavilion books the booth.")
        )
    booth = lock_booth(booth_id)
    if booth.edition_id != organisation.edition_id:
        raise NotFound(_("There is no such booth."))
    edition = db.session.get(Edition, booth.edition_id)
    assert edition is not None
    if booth.blocked:
        raise Conflict(_("Booth %(code)s is not available.", code=booth.code))
    if booth.pavilion_id is not None and booth.pavilion_id != organisation.id:
        raise Conflict(_("Booth %(code)s is reserved for a pavilion.", code=booth.code))
    if _release_if_expired(_active_booking_locked(booth), now) is not None:
        raise _just_taken()

    settings = settings_for(edition)
    # Two holds placed at once by the same organisation (on different booths)
    # queue here, so they cannot both pass the limit. Lock order: booth, then
    # organisation, everywhere.
    _lock_organisation(organisation.id)
    live_holds = db.session.scalar(
        select(func.count(BoothBooking.id)).where(
            BoothBooking.organisation_id == organisation.id,
            BoothBooking.state == BookingState.HELD,
            BoothBooking.held_until > now,
        )
    )
    if (live_holds or 0) >= settings.max_active_holds:
        raise ValidationError(
            _(
                "You already hold %(n)d booths, the most allowed at once. Complete or release "
                "a hold first.",
                n=settings.max_active_holds,
            )
        )

    quote = price_booth(booth, settings, edition.currency, organisation.rate_category)
    booking = BoothBooking(
        edition_id=booth.edition_id,
        booth_id=booth.id,
        organisation_id=organisation.id,
        state=BookingState.HELD,
        held_until=now + timedelta(minutes=settings.hold_minutes),
        price=quote.total,
        currency=edition.currency,
        created_by_id=actor.id,
    )
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        # Only reachable without row locks (SQLite) or if the lock was bypassed:
        # the unique index caught a second active booking for the booth.
        db.session.rollback()
        raise _just_taken() from None
    audit.record(
        "hold",
        booking,
        actor=actor,
        edition_id=booking.edition_id,
        after=audit.snapshot(booking, BOOKING_AUDIT_FIELDS) | {"price_breakdown": quote.as_dict()},
    )
    orders.add_booth_line(booking, actor=actor)
    _notify(
        booking,
        edition,
        _l("Booth %(code)s is held for you", code=booth.code),
        "hold_placed.txt",
        quote=quote,
        hold_minutes=settings.hold_minutes,
    )
    try:
        commit()
    except IntegrityError:
        raise _just_taken() from None
    return booking


def get_booking(booking_id: int, *, actor: User) -> BoothBooking:
    booking = db.session.get(BoothBooking, booking_id)
    if booking is None:
        raise NotFound(_("There is no such booking."))
    require_manage(actor, booking.organisation)
    return booking


@atomic
def release_hold(booking: BoothBooking, *, actor: User) -> None:
    """The exhibitor lets a hold go before it expires."""
    require_manage(actor, booking.organisation)
    lock_booth(booking.booth_id)
    db.session.refresh(booking)
    if booking.state != BookingState.HELD:
        raise Conflict(_("Only a held booth can be released."))
    _transition(booking, BookingState.RELEASED, actor=actor, reason="released by exhibitor")
    commit()


@atomic
def confirm_booking(booking: BoothBooking, *, actor: User, reason: str = "") -> None:
    """An organizer confirms a hold without payment (sponsor deals, invoices to follow)."""
    require_role(actor, Role.ORGANIZER)
    lock_booth(booking.booth_id)
    db.session.refresh(booking)
    now = utcnow()
    if booking.state == BookingState.HELD and booking.held_until and booking.held_until <= now:
        raise Conflict(_("This hold has expired; the booth is available again."))
    _transition(booking, BookingState.CONFIRMED, actor=actor, reason=reason, now=now)
    _notify_confirmed(booking)
    commit()


@atomic
def mark_paid(booking: BoothBooking, *, actor: User | None) -> None:
    """Record that the booking is paid (called by the payments domain)."""
    lock_booth(booking.booth_id)
    db.session.refresh(booking)
    if booking.state == BookingState.PAID:
        return  # a repeated payment notification changes nothing
    _transition(booking, BookingState.PAID, actor=actor)
    _notify_confirmed(booking)
    commit()


def secure_for_payment(
    booking: BoothBooking, *, actor: User | None, now: datetime | None = None
) -> bool:
    """Make a booking paid in the caller's transaction; False if the booth is gone.

    A hold that ran out, or was released, while its buyer was paying is booked
    again when its booth is still free; when another exhibitor booked the booth
    meanwhile, or an organizer cancelled the booking or blocked the booth, the
    payment for it must be refunded (the caller does that). No mail: the
    payments domain sends one receipt for the whole order.
    """
    booth = lock_booth(booking.booth_id)
    db.session.refresh(booking)
    now = now or utcnow()
    if booking.state == BookingState.PAID:
        return True
    if booking.state in (BookingState.HELD, BookingState.CONFIRMED):
        # Still the booth's active booking (the unique index allows no other),
        # even when the hold's time ran out: the payment came first.
        _transition(booking, BookingState.PAID, actor=actor, reason="paid", now=now)
        return True
    if booking.state != BookingState.RELEASED or booth.blocked:
        return False
    if _release_if_expired(_active_booking_locked(booth), now) is not None:
        return False
    _transition(
        booking, BookingState.PAID, actor=actor, reason="paid after the hold ended", now=now
    )
    db.session.flush()
    return True


def extend_hold(booking: BoothBooking, until: datetime, *, actor: User | None) -> None:
    """Keep a live hold until `until` (a bank transfer's deadline), in the caller's transaction."""
    lock_booth(booking.booth_id)
    db.session.refresh(booking)
    if booking.state != BookingState.HELD:
        return
    before = audit.snapshot(booking, BOOKING_AUDIT_FIELDS)
    booking.held_until = until
    booking.reminder_sent_at = None
    audit.record(
        "extend_hold", booking, actor=actor, edition_id=booking.edition_id,
        before=before, after=audit.snapshot(booking, BOOKING_AUDIT_FIELDS),
    )  # fmt: skip


def _notify_confirmed(booking: BoothBooking) -> None:
    edition = db.session.get(Edition, booking.edition_id)
    assert edition is not None
    _notify(booking, edition, _l("Booth %(code)s is booked", code=booking.booth.code),
            "booking_confirmed.txt")  # fmt: skip


@atomic
def cancel_booking(booking: BoothBooking, *, actor: User, reason: str) -> None:
    """An organizer cancels a booking; the booth becomes available."""
    require_role(actor, Role.ORGANIZER)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for the cancellation."))
    lock_booth(booking.booth_id)
    db.session.refresh(booking)
    _transition(booking, BookingState.CANCELLED, actor=actor, reason=reason)
    edition = db.session.get(Edition, booking.edition_id)
    assert edition is not None
    _notify(
        booking,
        edition,
        _l("Your booking of booth %(code)s is cancelled", code=booking.booth.code),
        "booking_cancelled.txt",
        reason=reason,
    )
    commit()


@atomic
def move_booking(booking: BoothBooking, target_booth_id: int, *, actor: User) -> None:
    """An organizer moves an active booking to another available booth of the edition."""
    require_role(actor, Role.ORGANIZER)
    if target_booth_id == booking.booth_id:
        raise ValidationError(_("The booking is already on this booth."))
    # Lock both booths in id order so that two opposite moves cannot deadlock.
    locked = {b: lock_booth(b) for b in sorted((booking.booth_id, target_booth_id))}
    target = locked[target_booth_id]
    db.session.refresh(booking)
    if not booking.is_active:
        raise Conflict(_("Only an active booking can be moved."))
    if target.edition_id != booking.edition_id:
        raise NotFound(_("There is no such booth."))
    if target.blocked:
        raise Conflict(_("Booth %(code)s is not available.", code=target.code))
    if target.pavilion_id is not None and target.pavilion_id != booking.organisation_id:
        raise Conflict(_("Booth %(code)s is reserved for a pavilion.", code=target.code))
    now = utcnow()
    if _release_if_expired(_active_booking_locked(target), now) is not None:
        raise Conflict(_("Booth %(code)s is already taken.", code=target.code))
    before = audit.snapshot(booking, BOOKING_AUDIT_FIELDS)
    old_code = booking.booth.code
    booking.booth_id = target.id
    booking.booth = target
    extra: dict[str, object] = {"booth": target.code}
    if booking.state != BookingState.PAID:
        # Not paid yet: the price follows the booth (a paid amount stays as paid;
        # any difference is settled by the payments side).
        quote = _quote(booking, target)
        booking.price = quote.total
        extra["price_breakdown"] = quote.as_dict()
    audit.record(
        "move",
        booking,
        actor=actor,
        edition_id=booking.edition_id,
        before=before | {"booth": old_code},
        after=audit.snapshot(booking, BOOKING_AUDIT_FIELDS) | extra,
    )
    orders.sync_booth_line(booking, actor=actor)
    commit()


def _quote(booking: BoothBooking, booth: Booth) -> BoothPrice:
    edition = db.session.get(Edition, booking.edition_id)
    assert edition is not None
    return price_booth(
        booth, settings_for(edition), edition.currency, booking.organisation.rate_category
    )


@atomic
def set_blocked(booth: Booth, blocked: bool, *, actor: User, reason: str = "") -> None:
    """Block a booth (kept off sale) or unblock it. A taken booth cannot be blocked."""
    require_role(actor, Role.ORGANIZER)
    booth = lock_booth(booth.id)
    if blocked and _release_if_expired(_active_booking_locked(booth), utcnow()) is not None:
        raise Conflict(
            _("Booth %(code)s is held or booked; cancel the booking first.", code=booth.code)
        )
    before = {"blocked": booth.blocked, "blocked_reason": booth.blocked_reason}
    booth.blocked = blocked
    booth.blocked_reason = reason.strip()[:200] if blocked else ""
    after = {"blocked": booth.blocked, "blocked_reason": booth.blocked_reason}
    if before != after:
        audit.record(
            "block" if blocked else "unblock", booth, actor=actor, edition_id=booth.edition_id,
            before=before, after=after,
        )  # fmt: skip
    commit()


def release_expired(now: datetime | None = None, edition_id: int | None = None) -> int:
    """Release every hold whose time ran out; returns how many. For the scheduler."""
    now = now or utcnow()
    query = select(BoothBooking.id, BoothBooking.booth_id).where(
        BoothBooking.state == BookingState.HELD, BoothBooking.held_until <= now
    )
    if edition_id is not None:
        query = query.where(BoothBooking.edition_id == edition_id)
    released = 0
    for booking_id, booth_id in db.session.execute(query).all():
        booth = lock_booth(booth_id)
        active = _active_booking_locked(booth)
        # Count only what this call released: another worker may have released
        # the hold (and someone else taken the booth) since the query above.
        mine = active is not None and active.id == booking_id
        if mine and _release_if_expired(active, now) is None:
            released += 1
        commit()
    return released


def send_hold_reminders(now: datetime | None = None) -> int:
    """Mail every hold about to expire once; returns how many were mailed."""
    now = now or utcnow()
    sent = 0
    holds = db.session.scalars(
        select(BoothBooking).where(
            BoothBooking.state == BookingState.HELD,
            BoothBooking.held_until > now,
            BoothBooking.reminder_sent_at.is_(None),
        )
    ).all()
    due = []
    for booking in holds:
        edition = db.session.get(Edition, booking.edition_id)
        assert edition is not None
        settings = settings_for(edition)
        assert booking.held_until is not None
        if booking.held_until - now <= timedelta(minutes=settings.hold_reminder_minutes):
            due.append((booking.id, edition))
    db.session.rollback()  # end the read; each reminder is its own transaction
    for booking_id, edition in due:
        # Claim the reminder with a conditional UPDATE: of two schedulers running
        # at once (or a retry), exactly one sees rowcount 1 and mails.
        claimed = db.session.execute(
            update(BoothBooking)
            .where(
                BoothBooking.id == booking_id,
                BoothBooking.state == BookingState.HELD,
                BoothBooking.held_until > now,
                BoothBooking.reminder_sent_at.is_(None),
            )
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            db.session.rollback()
            continue
        booking = db.session.get(BoothBooking, booking_id, populate_existing=True)
        assert booking is not None and booking.held_until is not None
        minutes_left = max(1, int((booking.held_until - now).total_seconds() // 60))
        _notify(
            booking,
            edition,
            _l("Your hold on booth %(code)s expires soon", code=booking.booth.code),
            "hold_expiring.txt",
            minutes_left=minutes_left,
        )
        commit()
        sent += 1
    return sent


# --- Reading: what the booking pages show ---------------------------------------


def live_booking(booth: Booth, now: datetime | None = None) -> BoothBooking | None:
    """The booth's live booking, if any (a hold whose time ran out counts as none)."""
    booking = db.session.scalar(
        select(BoothBooking).where(
            BoothBooking.booth_id == booth.id, BoothBooking.state.in_(ACTIVE_BOOKING_STATES)
        )
    )
    if booking is None or not _is_live(booking, now or utcnow()):
        return None
    return booking


def get_booth(edition: Edition, booth_id: int) -> Booth:
    booth = db.session.get(Booth, booth_id)
    if booth is None or booth.edition_id != edition.id:
        raise NotFound(_("There is no such booth."))
    return booth


def find_booth(edition: Edition, code: str) -> Booth:
    """A booth of the edition by its code (as typed: spaces and case do not matter)."""
    code = code.strip()
    booth = db.session.scalar(
        select(Booth).where(Booth.edition_id == edition.id, func.upper(Booth.code) == code.upper())
    )
    if booth is None:
        raise ValidationError(_("There is no booth %(code)s in this edition.", code=code))
    return booth


def available_booth_codes(edition: Edition, now: datetime | None = None) -> list[str]:
    """Codes of the booths that can be held now (for the organizer's pickers)."""
    taken = active_bookings_by_booth(edition.id, now or utcnow())
    rows = db.session.execute(
        select(Booth.id, Booth.code)
        .where(Booth.edition_id == edition.id, Booth.blocked.is_(False))
        .order_by(Booth.code)
    ).all()
    return [row.code for row in rows if row.id not in taken]


def blocked_booths(edition: Edition) -> list[Booth]:
    return list(
        db.session.scalars(
            select(Booth)
            .where(Booth.edition_id == edition.id, Booth.blocked.is_(True))
            .order_by(Booth.code)
        )
    )


def get_edition_booking(edition: Edition, booking_id: int, *, actor: User) -> BoothBooking:
    """A booking of this edition that `actor` may see (NotFound otherwise)."""
    booking = get_booking(booking_id, actor=actor)
    if booking.edition_id != edition.id:
        raise NotFound(_("There is no such booking."))
    return booking


def organisation_bookings(organisation: Organisation, *, actor: User) -> list[BoothBooking]:
    """An organisation's bookings, newest first (members and organizers)."""
    require_manage(actor, organisation)
    return list(
        db.session.scalars(
            select(BoothBooking)
            .where(BoothBooking.organisation_id == organisation.id)
            .order_by(BoothBooking.created_at.desc(), BoothBooking.id.desc())
        )
    )


def bookings_query(
    edition: Edition,
    *,
    actor: User,
    state: BookingState | None = None,
    organisation_id: int | None = None,
    hall_id: int | None = None,
) -> Select[tuple[BoothBooking]]:
    """The organizer's bookings list, filtered, newest first (to paginate)."""
    require_role(actor, Role.ORGANIZER)
    query = (
        select(BoothBooking)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(BoothBooking.edition_id == edition.id)
        .order_by(BoothBooking.created_at.desc(), BoothBooking.id.desc())
    )
    if state is not None:
        query = query.where(BoothBooking.state == state)
    if organisation_id is not None:
        query = query.where(BoothBooking.organisation_id == organisation_id)
    if hall_id is not None:
        query = query.where(Booth.hall_id == hall_id)
    return query


def edition_organisations(edition: Edition) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.edition_id == edition.id)
            .order_by(Organisation.display_name)
        )
    )


def edition_halls(edition: Edition) -> list[Hall]:
    return list(
        db.session.scalars(select(Hall).where(Hall.edition_id == edition.id).order_by(Hall.code))
    )


# --- Called by the payments domain inside its own transaction ------------------------


def confirm_for_transfer(booking: BoothBooking, *, actor: User | None) -> bool:
    """Money arrived by bank transfer for a held booth: keep it (confirmed), no commit.

    A confirmed booking is not released by the deadline sweep, so a buyer who
    paid part of an order keeps its booths while the rest is on its way. True
    when the booking is (now) confirmed or paid.
    """
    lock_booth(booking.booth_id)
    db.session.refresh(booking)
    if booking.state == BookingState.HELD:
        _transition(booking, BookingState.CONFIRMED, actor=actor, reason="bank transfer received")
    return booking.state in (BookingState.CONFIRMED, BookingState.PAID)


def cancel_for_order(booking: BoothBooking, *, actor: User | None, reason: str) -> None:
    """Cancel an active booking because its order is cancelled, in the caller's transaction.

    No mail: the payments domain tells the buyer about the order as a whole.
    """
    lock_booth(booking.booth_id)
    db.session.refresh(booking)
    if booking.state in ACTIVE_BOOKING_STATES:
        _transition(booking, BookingState.CANCELLED, actor=actor, reason=reason)
