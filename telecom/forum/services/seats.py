"""Seats in forum sessions: who may attend, reservations, the waiting list, promotion.

Every change runs under the session's row lock (`lock_session`), and the
session's `seats_taken` counter moves only there, so capacity is never
exceeded however many delegates click at once; the UNIQUE (session, person)
constraint backs it up. Freeing a seat promotes the first eligible person on
the waiting list (by `waiting_since`) in the same transaction, and their mail
leaves through the outbox after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import (
    ForumSession,
    ForumSettings,
    ReservationStatus,
    SeatReservation,
    SessionAccess,
    SessionInvitee,
    SessionSpeaker,
    Speaker,
    SpeakerStatus,
)
from telecom.forum.services import (
    local_time,
    lock_session,
    require_organizer,
    session_capacity,
)
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.participants.services.people import person_for_user

__all__ = [
    "Eligibility",
    "MyReservation",
    "ReservationOutcome",
    "SessionSeats",
    "cancel_reservation",
    "fill_free_seats",
    "join_waiting_list",
    "may_attend",
    "my_reservations",
    "overlapping_sessions",
    "reserve",
    "session_seats",
    "waiting_position",
]

R = ReservationStatus
AUDIT_FIELDS = ("status", "waiting_since", "confirmed_at", "promoted_at", "cancelled_at")
# Holding a seat, or queueing for one: what counts when warning about overlaps.
ACTIVE_STATUSES = (R.CONFIRMED, R.WAITING)
VIP_CATEGORIES = (RegistrationCategory.VIP, RegistrationCategory.DELEGATION)

# --- Who may attend ----------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """Whether a person may reserve a seat in a session, and if not, why (a message to show).

    True or false like a bool, and unpacks as `(allowed, reason)`, so both
    `if may_attend(...)` and `allowed, reason = may_attend(...)` read naturally.
    `registration_id` is the registration that gives the right (None when an
    invitation alone does).
    """

    allowed: bool
    reason: str = ""
    registration_id: int | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield self.allowed
        yield self.reason


def _person_of(person_or_user: Person | User | None) -> Person | None:
    if isinstance(person_or_user, Person):
        return person_or_user
    return person_for_user(person_or_user)


def _edition_of(session: ForumSession) -> Edition:
    edition = db.session.get(Edition, session.edition_id)
    assert edition is not None
    return edition


def _is_invited(session: ForumSession, person: Person) -> bool:
    invited = db.session.scalar(
        select(SessionInvitee.id).where(
            SessionInvitee.session_id == session.id, SessionInvitee.person_id == person.id
        )
    )
    if invited is not None:
        return True
    # The session's own confirmed speakers and moderators need no invitation.
    speaking = db.session.scalar(
        select(SessionSpeaker.id)
        .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
        .where(
            SessionSpeaker.session_id == session.id,
            Speaker.person_id == person.id,
            Speaker.status == SpeakerStatus.CONFIRMED,
        )
    )
    return speaking is not None


def _eligibility(session: ForumSession, person: Person | None, edition: Edition) -> Eligibility:
    if person is None or person.erased_at is not None:
        return Eligibility(
            False,
            _(
                "Seats are for registered participants: register for %(edition)s with a pass "
                "that includes the forum, then log in with the same e-mail address.",
                edition=edition.name,
            ),
        )
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.person_id == person.id, Registration.edition_id == edition.id)
        .order_by(Registration.id)
    ).all()
    # Cancelled (and not yet confirmed) registrations never give a right.
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    if session.access == SessionAccess.FORUM_PASS:
        holding = next((r for r in confirmed if r.forum_access), None)
        if holding is not None:
            return Eligibility(True, "", holding.id)
        if any(r.forum_access and r.status == RegistrationStatus.PENDING for r in registrations):
            return Eligibility(
                False,
                _(
                    "Your pass with forum access is not confirmed yet: confirm your e-mail "
                    "address (or complete the payment), then reserve your seat."
                ),
            )
        return Eligibility(
            False,
            _(
                "This session is open to holders of a pass with forum access for %(edition)s. "
                "Your registration does not include the forum: register for a forum pass.",
                edition=edition.name,
            ),
        )
    if session.access == SessionAccess.VIP:
        holding = next((r for r in confirmed if r.category in VIP_CATEGORIES), None)
        if holding is not None:
            return Eligibility(True, "", holding.id)
        return Eligibility(
            False,
            _(
                "This session is reserved for VIPs and members of official delegations: it "
                "needs a confirmed VIP or delegation registration for %(edition)s.",
                edition=edition.name,
            ),
        )
    # Invitation only: the invitation is the right, and the badge must open forum
    # doors (the session's door scanner admits badges with forum access only).
    if _is_invited(session, person):
        holding = next((r for r in confirmed if r.forum_access), None)
        if holding is not None:
            return Eligibility(True, "", holding.id)
        return Eligibility(
            False,
            _(
                "You are invited to this session, but the doors of forum sessions open with a "
                "badge that includes the forum: register for %(edition)s with a forum pass, "
                "or ask the organizers.",
                edition=edition.name,
            ),
        )
    return Eligibility(
        False,
        _(
            "This session is by invitation only and you are not on its invitation list. "
            "Ask the organizers if you expected an invitation."
        ),
    )


def may_attend(person_or_user: Person | User | None, session: ForumSession) -> Eligibility:
    """May this person (or the person behind this account) reserve a seat in `session`?

    Any forum pass: a confirmed registration with forum access in the edition.
    Invitation only: on the session's invitee list, or one of its confirmed
    speakers, with a badge that includes the forum. VIP only: a confirmed VIP
    or delegation registration.
    """
    return _eligibility(session, _person_of(person_or_user), _edition_of(session))


# --- Reading -----------------------------------------------------------------------------


def overlapping_sessions(
    person: Person,
    session: ForumSession,
    *,
    statuses: tuple[ReservationStatus, ...] = ACTIVE_STATUSES,
) -> list[ForumSession]:
    """Other sessions (not cancelled) of the same edition, overlapping `session` in time,
    where the person holds a seat or waits for one."""
    return list(
        db.session.scalars(
            select(ForumSession)
            .join(SeatReservation, SeatReservation.session_id == ForumSession.id)
            .where(
                SeatReservation.person_id == person.id,
                SeatReservation.status.in_(statuses),
                ForumSession.edition_id == session.edition_id,
                ForumSession.id != session.id,
                ForumSession.cancelled_at.is_(None),
                ForumSession.starts_at < session.ends_at,
                ForumSession.ends_at > session.starts_at,
            )
            .order_by(ForumSession.starts_at, ForumSession.id)
        ).unique()
    )


def waiting_position(reservation: SeatReservation) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if reservation.status != R.WAITING or reservation.waiting_since is None:
        return None
    ahead = db.session.scalar(
        select(func.count(SeatReservation.id)).where(
            SeatReservation.session_id == reservation.session_id,
            SeatReservation.status == R.WAITING,
            or_(
                SeatReservation.waiting_since < reservation.waiting_since,
                and_(
                    SeatReservation.waiting_since == reservation.waiting_since,
                    SeatReservation.id < reservation.id,
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


@dataclass
class MyReservation:
    """One line of a delegate's agenda: the seat (or waiting place) and what it overlaps."""

    reservation: SeatReservation
    session: ForumSession
    overlaps: list[ForumSession] = field(default_factory=list)
    waiting_position: int | None = None

    @property
    def status(self) -> ReservationStatus:
        return self.reservation.status


def my_reservations(user: User | None, edition: Edition) -> list[MyReservation]:
    """The user's seats and waiting places in the edition, by session start.

    Overlaps between them are reported here too (a person promoted from a
    waiting list may now hold two seats at once: a warning, not a refusal).
    Reservations in cancelled sessions stay listed so the delegate sees the
    cancellation, but never count as overlaps.
    """
    person = person_for_user(user)
    if person is None:
        return []
    rows = db.session.execute(
        select(SeatReservation, ForumSession)
        .join(ForumSession, ForumSession.id == SeatReservation.session_id)
        .where(
            SeatReservation.person_id == person.id,
            SeatReservation.status.in_(ACTIVE_STATUSES),
            ForumSession.edition_id == edition.id,
        )
        .order_by(ForumSession.starts_at, ForumSession.id)
    ).all()
    live = [session for _reservation, session in rows if session.cancelled_at is None]
    result = []
    for reservation, session in rows:
        overlaps = []
        if session.cancelled_at is None:
            overlaps = [
                other
                for other in live
                if other.id != session.id
                and other.starts_at < session.ends_at
                and other.ends_at > session.starts_at
            ]
        result.append(MyReservation(reservation, session, overlaps, waiting_position(reservation)))
    return result


@dataclass
class SessionSeats:
    """The organizer's view of a session's seats: holders and the waiting list, in order."""

    session: ForumSession
    capacity: int
    confirmed: list[tuple[SeatReservation, Person]]
    waiting: list[tuple[SeatReservation, Person]]

    @property
    def free(self) -> int:
        return max(self.capacity - self.session.seats_taken, 0)


def session_seats(session: ForumSession, *, actor: User | None) -> SessionSeats:
    """Who holds a seat and who waits (in promotion order); organizers only."""
    require_organizer(actor)
    rows = db.session.execute(
        select(SeatReservation, Person)
        .join(Person, Person.id == SeatReservation.person_id)
        .where(
            SeatReservation.session_id == session.id,
            SeatReservation.status.in_(ACTIVE_STATUSES),
        )
        .order_by(SeatReservation.waiting_since, SeatReservation.confirmed_at, SeatReservation.id)
    ).all()
    confirmed = [(r, p) for r, p in rows if r.status == R.CONFIRMED]
    confirmed.sort(key=lambda pair: (pair[1].full_name.casefold(), pair[0].id))
    waiting = [(r, p) for r, p in rows if r.status == R.WAITING]
    return SessionSeats(session, session_capacity(session), confirmed, waiting)


# --- Changing ----------------------------------------------------------------------------


@dataclass
class ReservationOutcome:
    """What `reserve` did: the row, its status, and the person's overlapping sessions (a warning).

    `unchanged` is True when the person already held this seat or waiting place
    (a repeated click): nothing was written.
    """

    reservation: SeatReservation
    status: ReservationStatus
    overlaps: list[ForumSession] = field(default_factory=list)
    unchanged: bool = False
    waiting_position: int | None = None


def _require_person(actor: User | None, session: ForumSession, edition: Edition) -> Person:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Log in to reserve a seat."))
    person = person_for_user(actor)
    if person is None:
        raise Forbidden(_eligibility(session, None, edition).reason)
    return person


def _is_published(edition: Edition) -> bool:
    published_at = db.session.scalar(
        select(ForumSettings.published_at).where(ForumSettings.edition_id == edition.id)
    )
    return published_at is not None


def _check_open(session: ForumSession, edition: Edition, now: datetime) -> None:
    if not _is_published(edition):
        raise NotFound(_("The forum programme is not published yet."))
    if session.cancelled_at is not None:
        raise Conflict(_("This session has been cancelled: seats can no longer be reserved."))
    if now >= session.starts_at:
        raise Conflict(_("This session has already started: seats can no longer be reserved."))


def _seat_context(session: ForumSession, edition: Edition) -> dict[str, Any]:
    from telecom.forum.services.ical import session_url

    return {
        "session": session,
        "edition": edition,
        "starts": local_time(edition, session.starts_at),
        "ends": local_time(edition, session.ends_at),
        "room": session.room.name if session.room is not None else "",
        "session_url": session_url(session, edition),
    }


def _recipient(person: Person) -> tuple[str, str | None]:
    """The address and language to write to: the person's account if they have one."""
    user = db.session.get(User, person.user_id) if person.user_id else None
    address = user.email if user is not None else person.email
    locale = person.locale or (user.locale if user is not None else None)
    return address, locale


def _mail_promoted(reservation: SeatReservation, session: ForumSession, edition: Edition) -> None:
    person = db.session.get(Person, reservation.person_id)
    assert person is not None
    address, locale = _recipient(person)
    queue_mail(
        address,
        _l("Your seat is confirmed: %(title)s", title=session.title),
        "forum_seat_promoted.txt",
        locale=locale,
        name=person.full_name,
        timezone=edition.timezone,
        overlaps=overlapping_sessions(person, session, statuses=(R.CONFIRMED,)),
        **_seat_context(session, edition),
    )


def fill_free_seats(
    session: ForumSession, *, actor: User | None = None, now: datetime | None = None
) -> list[SeatReservation]:
    """Give free seats to the waiting list, first come first served; returns those promoted.

    The caller holds the session's row lock (`lock_session`) and commits. Each
    promoted person gets an audit entry (by `actor`; None, "system", when the
    promotion follows from someone else's cancellation) and a mail. People who lost their right
    meanwhile (a cancelled registration) are passed over and stay waiting. Call
    it too after raising a session's capacity. Nobody is promoted into a
    cancelled session or one that has started.
    """
    now = now or utcnow()
    if session.cancelled_at is not None or now >= session.starts_at:
        return []
    capacity = session_capacity(session)
    if session.seats_taken >= capacity:
        return []
    edition = _edition_of(session)
    waiting = db.session.scalars(
        select(SeatReservation)
        .where(SeatReservation.session_id == session.id, SeatReservation.status == R.WAITING)
        .order_by(SeatReservation.waiting_since, SeatReservation.id)
    ).all()
    promoted = []
    for reservation in waiting:
        if session.seats_taken >= capacity:
            break
        person = db.session.get(Person, reservation.person_id)
        right = _eligibility(session, person, edition)
        if not right:
            continue
        before = audit.snapshot(reservation, AUDIT_FIELDS)
        reservation.status = R.CONFIRMED
        reservation.confirmed_at = now
        reservation.promoted_at = now
        reservation.registration_id = right.registration_id or reservation.registration_id
        session.seats_taken += 1
        audit.record(
            "promote_from_waiting_list", reservation, actor=actor, edition_id=edition.id,
            before=before, after=audit.snapshot(reservation, AUDIT_FIELDS),
        )  # fmt: skip
        _mail_promoted(reservation, session, edition)
        promoted.append(reservation)
    return promoted


def _own_reservation(session: ForumSession, person: Person) -> SeatReservation | None:
    return db.session.scalar(
        select(SeatReservation)
        .where(SeatReservation.session_id == session.id, SeatReservation.person_id == person.id)
        .execution_options(populate_existing=True)
    )


@atomic
def reserve(
    session: ForumSession,
    *,
    actor: User | None,
    waitlist: bool = False,
    now: datetime | None = None,
) -> ReservationOutcome:
    """A seat for the actor, or (with `waitlist=True`) a place on the waiting list when full.

    Refused: not logged in, no right to attend (Forbidden, saying what pass is
    needed), programme not published, session cancelled or started; a full
    session without `waitlist` is a Conflict that offers the waiting list.
    Calling again is harmless: the current seat or waiting place is returned.
    Sessions of the same person that overlap in time come back as a warning.
    """
    now = now or utcnow()
    edition = _edition_of(session)
    person = _require_person(actor, session, edition)
    session = lock_session(session)
    _check_open(session, edition, now)
    right = _eligibility(session, person, edition)
    if not right:
        raise Forbidden(right.reason)

    existing = _own_reservation(session, person)
    if existing is not None and existing.status == R.CONFIRMED:
        overlaps = overlapping_sessions(person, session)
        commit()  # nothing written; ends the transaction and its lock
        return ReservationOutcome(existing, existing.status, overlaps, unchanged=True)
    # A seat freed while nobody was promoted (a raised capacity) goes to the
    # waiting list first: a newcomer never jumps the queue.
    promoted = fill_free_seats(session, now=now)
    if existing is not None and existing in promoted:
        overlaps = overlapping_sessions(person, session)
        commit()
        return ReservationOutcome(existing, R.CONFIRMED, overlaps)
    if existing is not None and existing.status == R.WAITING:
        overlaps = overlapping_sessions(person, session)
        position = waiting_position(existing)
        commit()  # the promotions made above, if any; ends the lock
        return ReservationOutcome(
            existing, existing.status, overlaps, unchanged=True, waiting_position=position
        )

    has_seat = session.seats_taken < session_capacity(session)
    if not has_seat and not waitlist:
        if promoted:
            commit()  # the promotions stand even though this request is refused
        raise Conflict(
            _(
                "This session is full. You can join its waiting list: the next free seat "
                "goes to the first person on the list automatically, and they are told by "
                "e-mail."
            )
        )
    reservation = existing
    if reservation is None:
        reservation = SeatReservation(session_id=session.id, person_id=person.id)
        db.session.add(reservation)
        before = None
    else:
        # A cancelled reservation comes back; on the waiting list it goes to the end.
        before = audit.snapshot(reservation, AUDIT_FIELDS)
    reservation.registration_id = right.registration_id
    reservation.cancelled_at = None
    reservation.promoted_at = None
    if has_seat:
        reservation.status = R.CONFIRMED
        reservation.confirmed_at = now
        reservation.waiting_since = None
        session.seats_taken += 1
        action = "reserve_seat"
    else:
        reservation.status = R.WAITING
        reservation.confirmed_at = None
        reservation.waiting_since = now
        action = "join_waiting_list"
    db.session.flush()
    audit.record(
        action, reservation, actor=actor, edition_id=edition.id, before=before,
        after=audit.snapshot(reservation, AUDIT_FIELDS),
    )  # fmt: skip
    overlaps = overlapping_sessions(person, session)
    position = waiting_position(reservation)
    commit()
    return ReservationOutcome(reservation, reservation.status, overlaps, waiting_position=position)


def join_waiting_list(
    session: ForumSession, *, actor: User | None, now: datetime | None = None
) -> ReservationOutcome:
    """A place on the waiting list of a full session (a seat at once if one is free)."""
    return reserve(session, actor=actor, waitlist=True, now=now)


@atomic
def cancel_reservation(
    session: ForumSession, *, actor: User | None, now: datetime | None = None
) -> SeatReservation:
    """Give up one's seat or waiting place; a freed seat goes to the first on the waiting list.

    Cancelling what is already cancelled changes nothing. Refused once the
    session has ended (there is nothing left to free).
    """
    now = now or utcnow()
    edition = _edition_of(session)
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Log in to manage your seats."))
    person = person_for_user(actor)
    session = lock_session(session)
    reservation = _own_reservation(session, person) if person is not None else None
    if reservation is None:
        raise NotFound(_("You have no seat or waiting place in this session."))
    if reservation.status == R.CANCELLED:
        commit()  # nothing written; ends the transaction and its lock
        return reservation
    if now >= session.ends_at:
        raise Conflict(_("This session is over: its reservations can no longer be changed."))
    before = audit.snapshot(reservation, AUDIT_FIELDS)
    held_seat = reservation.status == R.CONFIRMED
    reservation.status = R.CANCELLED
    reservation.cancelled_at = now
    if held_seat:
        session.seats_taken = max(session.seats_taken - 1, 0)
    audit.record(
        "cancel_reservation", reservation, actor=actor, edition_id=edition.id, before=before,
        after=audit.snapshot(reservation, AUDIT_FIELDS),
    )  # fmt: skip
    if held_seat:
        fill_free_seats(session, now=now)
    commit()
    return reservation
