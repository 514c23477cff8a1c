"""Seats in forum sessions: who may reserve, the waiting list, promotion and its mail, overlaps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from telecom.core.audit import entries_for_object
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.extensions import db
from telecom.forum.models import (
    ForumSettings,
    ReservationStatus,
    SessionAccess,
    SessionInvitee,
    SessionSpeaker,
    Speaker,
    SpeakerStatus,
)
from telecom.forum.services import seats
from telecom.forum.services.ical import session_url
from telecom.participants.models import RegistrationCategory, RegistrationStatus
from tests.forum.support_seats import (
    delegate,
    delegates,
    forum_edition,
    make_room,
    make_session,
    reload_session,
    reservation_of,
    statuses,
)
from tests.helpers import MailSink, body_of, make_organizer, make_user

R = ReservationStatus


# --- Reserving -------------------------------------------------------------------------------


def test_a_delegate_reserves_a_seat_and_a_second_click_changes_nothing(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=50))
    dora = delegate(edition)

    outcome = seats.reserve(session, actor=dora.user)

    assert outcome.status == R.CONFIRMED and not outcome.unchanged
    assert outcome.overlaps == []
    assert reload_session(session.id).seats_taken == 1
    reservation = reservation_of(session.id, dora.person.id)
    assert reservation is not None and reservation.status == R.CONFIRMED
    assert reservation.registration_id == dora.registration.id
    assert [e.action for e in entries_for_object("seat_reservations", reservation.id)] == [
        "reserve_seat"
    ]

    again = seats.reserve(session, actor=dora.user)

    assert again.status == R.CONFIRMED and again.unchanged
    assert reload_session(session.id).seats_taken == 1
    assert statuses(session.id)["confirmed"] == 1


def test_a_session_without_its_own_capacity_has_the_rooms_seats(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=1))
    first, second = delegates(edition, 2)
    seats.reserve(session, actor=first.user)

    with pytest.raises(Conflict):
        seats.reserve(session, actor=second.user)

    # No room and no capacity: nowhere to sit, so only the waiting list.
    roomless = make_session(edition, "Hallway chat", starts="14:00", ends="15:00")
    outcome = seats.reserve(roomless, actor=first.user, waitlist=True)
    assert outcome.status == R.WAITING


def test_a_full_session_offers_the_waiting_list_in_order(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=100), capacity=2)
    people = delegates(edition, 5)
    for holder in people[:2]:
        seats.reserve(session, actor=holder.user)

    with pytest.raises(Conflict) as refused:
        seats.reserve(session, actor=people[2].user)

    assert "full" in refused.value.message and "waiting list" in refused.value.message
    assert reservation_of(session.id, people[2].person.id) is None
    waiting = [
        seats.join_waiting_list(session, actor=people[2].user),
        seats.reserve(session, actor=people[3].user, waitlist=True),
        seats.join_waiting_list(session, actor=people[4].user),
    ]
    assert [o.status for o in waiting] == [R.WAITING] * 3
    assert [o.waiting_position for o in waiting] == [1, 2, 3]
    # Joining again keeps the place in the queue.
    again = seats.join_waiting_list(session, actor=people[2].user)
    assert again.unchanged and again.waiting_position == 1
    # Without asking for the list, a person already on it is told where they stand.
    plain = seats.reserve(session, actor=people[3].user)
    assert plain.status == R.WAITING and plain.waiting_position == 2
    assert reload_session(session.id).seats_taken == 2
    assert statuses(session.id) == {"confirmed": 2, "waiting": 3, "cancelled": 0}


def test_reservations_are_refused_when_the_session_cannot_take_them(app: Flask) -> None:
    edition = forum_edition()
    room = make_room(edition)
    session = make_session(edition, room=room)
    dora = delegate(edition)

    with pytest.raises(Conflict, match="already started"):
        seats.reserve(session, actor=dora.user, now=session.starts_at)
    with pytest.raises(Forbidden, match="Log in"):
        seats.reserve(session, actor=None)

    cancelled = make_session(
        edition, "Cancelled talk", room=room, starts="12:00", ends="13:00",
        cancelled_at=session.starts_at - timedelta(days=3),
    )  # fmt: skip
    with pytest.raises(Conflict, match="cancelled"):
        seats.reserve(cancelled, actor=dora.user)

    hidden_edition = forum_edition("telecom-world-hidden", published=False)
    hidden = make_session(hidden_edition, room=make_room(hidden_edition))
    with pytest.raises(NotFound, match="not published"):
        seats.reserve(hidden, actor=delegate(hidden_edition, "h@delegate.example").user)

    assert statuses(session.id)["confirmed"] == 0
    assert reload_session(session.id).seats_taken == 0


def test_publication_is_read_per_edition(app: Flask) -> None:
    edition = forum_edition(published=False)
    session = make_session(edition, room=make_room(edition))
    dora = delegate(edition)
    db.session.add(ForumSettings(edition_id=edition.id, published_at=session.created_at))
    db.session.commit()

    assert seats.reserve(session, actor=dora.user).status == R.CONFIRMED


# --- Who may attend ---------------------------------------------------------------------------


def _speaker_for(session, holder, status=SpeakerStatus.CONFIRMED) -> Speaker:  # type: ignore[no-untyped-def]
    speaker = Speaker(
        edition_id=session.edition_id, email=holder.person.email,
        full_name=holder.person.full_name, status=status, person_id=holder.person.id,
    )  # fmt: skip
    db.session.add(speaker)
    db.session.flush()
    db.session.add(SessionSpeaker(session_id=session.id, speaker_id=speaker.id))
    db.session.commit()
    return speaker


def test_forum_pass_sessions_need_a_confirmed_registration_with_forum_access(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition))
    pass_holder = delegate(edition, "pass@x.example")
    speaker = delegate(edition, "speaker@x.example", category=RegistrationCategory.SPEAKER)
    visitor = delegate(
        edition, "visitor@x.example", category=RegistrationCategory.VISITOR, forum_access=False
    )
    pending = delegate(edition, "pending@x.example", status=RegistrationStatus.PENDING)
    cancelled = delegate(edition, "cancelled@x.example", status=RegistrationStatus.CANCELLED)
    nobody = delegate(edition, "nobody@x.example", category=None)
    other_edition = forum_edition("telecom-world-other", starts_in=400)
    elsewhere = delegate(other_edition, "elsewhere@x.example")

    assert seats.may_attend(pass_holder.user, session)
    assert seats.may_attend(pass_holder.person, session)  # a person works as well as an account
    assert seats.may_attend(speaker.user, session)
    for refused in (visitor, cancelled, nobody, elsewhere):
        allowed, reason = seats.may_attend(refused.user, session)
        assert not allowed and "forum" in reason, refused.email
    allowed, reason = seats.may_attend(pending.user, session)
    assert not allowed and "not confirmed yet" in reason

    with pytest.raises(Forbidden) as refused:
        seats.reserve(session, actor=visitor.user)
    assert "pass with forum access" in refused.value.message
    assert reservation_of(session.id, visitor.person.id) is None
    # An account that is nobody's person: told to register, never a crash.
    stranger = make_user("stranger@x.example")
    with pytest.raises(Forbidden, match="register"):
        seats.reserve(session, actor=stranger)
    assert not seats.may_attend(None, session)


def test_vip_sessions_need_a_vip_or_delegation_registration(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition), access=SessionAccess.VIP)
    vip = delegate(edition, "vip@x.example", category=RegistrationCategory.VIP, forum_access=False)
    member = delegate(edition, "member@x.example", category=RegistrationCategory.DELEGATION)
    pass_holder = delegate(edition, "pass@x.example")
    former = delegate(
        edition, "former@x.example", category=RegistrationCategory.VIP,
        status=RegistrationStatus.CANCELLED,
    )  # fmt: skip

    assert seats.may_attend(vip.user, session)
    assert seats.may_attend(member.user, session)
    for refused in (pass_holder, former):
        allowed, reason = seats.may_attend(refused.user, session)
        assert not allowed and "VIP" in reason

    with pytest.raises(Forbidden, match="VIP or delegation registration"):
        seats.reserve(session, actor=pass_holder.user)
    assert seats.reserve(session, actor=vip.user).reservation.registration_id == (
        vip.registration.id
    )


def test_invitation_sessions_admit_invitees_and_their_own_speakers(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition), access=SessionAccess.INVITATION)
    invitee = delegate(edition, "invitee@x.example")
    # Invited, but the badge would not open the session's door.
    no_forum = delegate(edition, "noforum@x.example", category=RegistrationCategory.VISITOR,
                        forum_access=False)  # fmt: skip
    speaker = delegate(edition, "speaker@x.example", category=RegistrationCategory.SPEAKER)
    withdrawn = delegate(edition, "withdrawn@x.example", category=RegistrationCategory.SPEAKER)
    pass_holder = delegate(edition, "pass@x.example")
    db.session.add(SessionInvitee(session_id=session.id, person_id=invitee.person.id))
    db.session.add(SessionInvitee(session_id=session.id, person_id=no_forum.person.id))
    db.session.commit()
    _speaker_for(session, speaker)
    _speaker_for(session, withdrawn, SpeakerStatus.WITHDRAWN)

    assert seats.may_attend(invitee.user, session)
    assert seats.may_attend(speaker.user, session)
    for refused in (withdrawn, pass_holder):
        allowed, reason = seats.may_attend(refused.user, session)
        assert not allowed and "invitation" in reason

    allowed, reason = seats.may_attend(no_forum.user, session)
    assert not allowed and "badge that includes the forum" in reason

    with pytest.raises(Forbidden, match="invitation only"):
        seats.reserve(session, actor=pass_holder.user)
    with pytest.raises(Forbidden, match="includes the forum"):
        seats.reserve(session, actor=no_forum.user)
    assert seats.reserve(session, actor=invitee.user).status == R.CONFIRMED
    outcome = seats.reserve(session, actor=speaker.user)
    assert outcome.reservation.registration_id == speaker.registration.id


# --- Cancelling and promotion -----------------------------------------------------------------


def test_a_freed_seat_goes_to_the_first_on_the_waiting_list_who_is_told_by_mail(
    app: Flask, mail: MailSink
) -> None:
    edition = forum_edition()
    session = make_session(edition, "Spectrum for all", room=make_room(edition, "Room B", 1))
    holder, first, second = (
        delegate(edition, "holder@x.example", "Hana Holder"),
        delegate(edition, "first@x.example", "Fritz First"),
        delegate(edition, "second@x.example", "Sara Second"),
    )
    seats.reserve(session, actor=holder.user)
    seats.join_waiting_list(session, actor=first.user)
    seats.join_waiting_list(session, actor=second.user)
    mails_before = len(mail.messages)

    cancelled = seats.cancel_reservation(session, actor=holder.user)

    assert cancelled.status == R.CANCELLED
    promoted = reservation_of(session.id, first.person.id)
    assert promoted.status == R.CONFIRMED and promoted.promoted_at is not None
    assert reservation_of(session.id, second.person.id).status == R.WAITING
    assert reload_session(session.id).seats_taken == 1
    assert [e.action for e in entries_for_object("seat_reservations", promoted.id)] == [
        "promote_from_waiting_list",
        "join_waiting_list",
    ]
    mail.wait_for(mails_before + 1)
    [message] = mail.to("first@x.example")
    assert "Spectrum for all" in message["Subject"]
    body = body_of(message)
    assert "Fritz First" in body and "Room B" in body
    # Times in the mail are the venue's wall clock, not UTC.
    assert "10:00" in body and "Europe/Budapest" in body
    link = session_url(session)
    if link is not None:  # the public session page exists
        assert link in body
    assert len(mail.messages) == mails_before + 1  # nobody else was written to


def test_cancelling_a_waiting_place_frees_no_seat(app: Flask, mail: MailSink) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=1))
    holder, first, second = delegates(edition, 3)
    seats.reserve(session, actor=holder.user)
    seats.join_waiting_list(session, actor=first.user)
    seats.join_waiting_list(session, actor=second.user)

    seats.cancel_reservation(session, actor=first.user)
    seats.cancel_reservation(session, actor=first.user)  # a second click changes nothing

    assert statuses(session.id) == {"confirmed": 1, "waiting": 1, "cancelled": 1}
    assert reload_session(session.id).seats_taken == 1
    # Later the holder cancels: the seat skips the person who left the list.
    seats.cancel_reservation(session, actor=holder.user)
    assert reservation_of(session.id, second.person.id).status == R.CONFIRMED
    mail.wait_for(1)
    assert [m["To"] for m in mail.messages] == [second.email]


def test_cancelling_needs_a_reservation_and_a_session_not_over(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition))
    dora, other = delegates(edition, 2)
    seats.reserve(session, actor=dora.user)

    with pytest.raises(NotFound):
        seats.cancel_reservation(session, actor=other.user)
    with pytest.raises(Conflict, match="over"):
        seats.cancel_reservation(session, actor=dora.user, now=session.ends_at)
    with pytest.raises(Forbidden):
        seats.cancel_reservation(session, actor=None)
    assert reservation_of(session.id, dora.person.id).status == R.CONFIRMED
    assert reload_session(session.id).seats_taken == 1


def test_a_cancelled_person_may_come_back_at_the_end_of_the_list(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=1))
    holder, early, late = delegates(edition, 3)
    seats.reserve(session, actor=holder.user)
    seats.join_waiting_list(session, actor=early.user)
    seats.join_waiting_list(session, actor=late.user)
    seats.cancel_reservation(session, actor=early.user)

    back = seats.join_waiting_list(session, actor=early.user)

    assert back.status == R.WAITING and back.waiting_position == 2
    assert back.reservation.cancelled_at is None
    seats.cancel_reservation(session, actor=holder.user)
    assert reservation_of(session.id, late.person.id).status == R.CONFIRMED
    assert reservation_of(session.id, early.person.id).status == R.WAITING
    # The holder who left takes a free seat again the ordinary way once one frees up.
    assert statuses(session.id) == {"confirmed": 1, "waiting": 1, "cancelled": 1}


def test_promotion_passes_over_someone_who_lost_their_pass(app: Flask, mail: MailSink) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=1))
    holder, lost, keeps = delegates(edition, 3)
    seats.reserve(session, actor=holder.user)
    seats.join_waiting_list(session, actor=lost.user)
    seats.join_waiting_list(session, actor=keeps.user)
    lost.registration.status = RegistrationStatus.CANCELLED
    db.session.commit()

    seats.cancel_reservation(session, actor=holder.user)

    assert reservation_of(session.id, lost.person.id).status == R.WAITING
    assert reservation_of(session.id, keeps.person.id).status == R.CONFIRMED
    mail.wait_for(1)
    assert [m["To"] for m in mail.messages] == [keeps.email]


def test_seats_added_later_go_to_the_waiting_list_before_newcomers(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition), capacity=1)
    holder, waiting, newcomer, later = delegates(edition, 4)
    seats.reserve(session, actor=holder.user)
    seats.join_waiting_list(session, actor=waiting.user)
    session.capacity = 2  # the organizer found a chair
    db.session.commit()

    with pytest.raises(Conflict, match="full"):
        seats.reserve(session, actor=newcomer.user)

    # The refused newcomer's request still handed the new seat to the waiting person.
    assert reservation_of(session.id, waiting.person.id).status == R.CONFIRMED
    assert reload_session(session.id).seats_taken == 2
    session = reload_session(session.id)
    session.capacity = 3
    db.session.commit()
    assert seats.reserve(session, actor=later.user).status == R.CONFIRMED
    assert reload_session(session.id).seats_taken == 3


def test_nobody_is_promoted_into_a_session_that_has_started(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=1))
    holder, waiting = delegates(edition, 2)
    seats.reserve(session, actor=holder.user)
    seats.join_waiting_list(session, actor=waiting.user)

    seats.cancel_reservation(
        session, actor=holder.user, now=session.starts_at + timedelta(minutes=5)
    )

    assert reservation_of(session.id, waiting.person.id).status == R.WAITING
    assert reload_session(session.id).seats_taken == 0


# --- Overlaps and the delegate's list ---------------------------------------------------------


def test_overlapping_reservations_are_warned_about_not_refused(app: Flask) -> None:
    edition = forum_edition()
    room_a, room_b = make_room(edition, "Room A"), make_room(edition, "Room B")
    morning = make_session(edition, "Morning panel", room=room_a, starts="10:00", ends="11:00")
    clash = make_session(edition, "Clashing workshop", room=room_b, starts="10:30", ends="12:00")
    after = make_session(edition, "Right after", room=room_a, starts="11:00", ends="12:00")
    dropped = make_session(
        edition, "Dropped talk", room=room_b, starts="10:00", ends="11:00",
        cancelled_at=morning.starts_at - timedelta(days=2),
    )  # fmt: skip
    next_day = make_session(edition, "Next day", room=room_a, day=1)
    dora = delegate(edition)
    seats.reserve(morning, actor=dora.user)

    outcome = seats.reserve(clash, actor=dora.user)
    assert outcome.status == R.CONFIRMED
    assert [s.title for s in outcome.overlaps] == ["Morning panel"]
    # Back to back is no overlap; other days and cancelled sessions neither.
    after_outcome = seats.reserve(after, actor=dora.user)
    assert [s.title for s in after_outcome.overlaps] == ["Clashing workshop"]
    assert seats.reserve(next_day, actor=dora.user).overlaps == []
    assert dropped.id not in {s.id for s in outcome.overlaps}

    lines = seats.my_reservations(dora.user, edition)
    assert [line.session.title for line in lines] == [
        "Morning panel", "Clashing workshop", "Right after", "Next day",
    ]  # fmt: skip
    overlaps = {line.session.title: [s.title for s in line.overlaps] for line in lines}
    assert overlaps == {
        "Morning panel": ["Clashing workshop"],
        "Clashing workshop": ["Morning panel", "Right after"],
        "Right after": ["Clashing workshop"],
        "Next day": [],
    }


def test_a_promoted_person_sees_the_overlap_on_their_page_and_in_the_mail(
    app: Flask, mail: MailSink
) -> None:
    edition = forum_edition()
    full = make_session(edition, "Full keynote", room=make_room(edition, "Hall A", 1))
    other = make_session(
        edition, "Parallel panel", room=make_room(edition, "Room 2"), starts="10:30", ends="11:30"
    )
    holder, waiter = delegate(edition, "h@x.example"), delegate(edition, "w@x.example")
    seats.reserve(full, actor=holder.user)
    seats.join_waiting_list(full, actor=waiter.user)
    seats.reserve(other, actor=waiter.user)

    seats.cancel_reservation(full, actor=holder.user)

    lines = {line.session.title: line for line in seats.my_reservations(waiter.user, edition)}
    assert lines["Full keynote"].status == R.CONFIRMED
    assert [s.title for s in lines["Full keynote"].overlaps] == ["Parallel panel"]
    assert [s.title for s in lines["Parallel panel"].overlaps] == ["Full keynote"]
    mail.wait_for(1)
    body = body_of(mail.to("w@x.example")[0])
    assert "overlaps" in body and "Parallel panel" in body


def test_my_reservations_lists_waiting_places_and_cancelled_sessions(app: Flask) -> None:
    edition = forum_edition()
    small = make_session(edition, "Small room", room=make_room(edition, capacity=1))
    gone = make_session(
        edition, "Gone", room=make_room(edition, "R2"), starts="09:00", ends="09:45"
    )
    holder, dora = delegate(edition, "h@x.example"), delegate(edition)
    seats.reserve(small, actor=holder.user)
    seats.join_waiting_list(small, actor=dora.user)
    seats.reserve(gone, actor=dora.user)
    gone.cancelled_at = gone.starts_at - timedelta(days=1)
    db.session.commit()

    lines = seats.my_reservations(dora.user, edition)

    assert [(line.session.title, line.status, line.waiting_position) for line in lines] == [
        ("Gone", R.CONFIRMED, None),
        ("Small room", R.WAITING, 1),
    ]
    assert seats.my_reservations(None, edition) == []


def test_the_organizer_sees_seat_holders_and_the_waiting_list(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition, capacity=1))
    holder, waiting = delegate(edition, "h@x.example", "Hana"), delegate(edition, "w@x.example")
    seats.reserve(session, actor=holder.user)
    seats.join_waiting_list(session, actor=waiting.user)

    with pytest.raises(Forbidden):
        seats.session_seats(session, actor=holder.user)
    view = seats.session_seats(session, actor=make_organizer())

    assert [p.full_name for _r, p in view.confirmed] == ["Hana"]
    assert [p.email for _r, p in view.waiting] == ["w@x.example"]
    assert view.capacity == 1 and view.free == 0
