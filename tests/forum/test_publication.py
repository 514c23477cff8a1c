"""Publishing the programme; changes after publication are logged and mailed to seat holders."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from telecom.core.errors import Forbidden
from telecom.core.models import utcnow
from telecom.core.outbox import OutboxMessage
from telecom.extensions import db
from telecom.forum.models import ForumSettings, ReservationStatus, SeatReservation, SpeakerRole
from telecom.forum.services import programme
from tests.forum.support_programme import (
    add_session,
    audit_entries,
    budapest_edition,
    fresh,
    holder,
    move,
    organizer,
    participant,
    room,
    speaker,
)
from tests.forum.support_seats import delegate, forum_edition
from tests.helpers import body_of


def settings_of(edition) -> ForumSettings:  # type: ignore[no-untyped-def]
    found = db.session.scalar(select(ForumSettings).where(ForumSettings.edition_id == edition.id))
    assert found is not None
    return found


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id))) or 0


def test_the_organizer_publishes_and_unpublishes_the_programme(app):
    edition = budapest_edition()
    assert programme.is_published(edition) is False

    programme.publish(edition, actor=organizer())
    assert programme.is_published(edition) is True
    programme.publish(edition, actor=organizer())  # a second click changes nothing
    programme.unpublish(edition, actor=organizer())
    assert programme.is_published(edition) is False

    settings = settings_of(edition)
    assert [e.action for e in audit_entries(settings)] == ["publish", "unpublish"]
    published, unpublished = audit_entries(settings)
    assert published.before["published_at"] is None and published.after["published_at"]
    assert unpublished.after["published_at"] is None
    with pytest.raises(Forbidden):
        programme.publish(edition, actor=participant())
    assert programme.is_published(edition) is False


def test_changes_before_publication_are_logged_but_mail_nobody(app, mail):
    edition = budapest_edition()
    hall, other = room(edition, "Hall A"), room(edition, "Room 2")
    session = add_session(edition, hall)
    holder(session, "Amina Diallo")

    move(session, room_id=other.id, start="11:00", end="12:00")
    programme.cancel_session(session, actor=organizer())

    assert mail.messages == [] and outbox_count() == 0
    assert [e.action for e in audit_entries(session)] == ["create", "update", "cancel"]


def test_a_new_time_is_mailed_to_seat_holders_and_the_waiting_list_in_their_language(app, mail):
    edition = budapest_edition()
    session = add_session(edition, room(edition, "Hall A"), "Spectrum for 5G")
    amina = holder(session, "Amina Diallo", locale="en")
    jean = holder(session, "Jean Dupont", locale="fr", status=ReservationStatus.WAITING)
    gone = holder(session, "Gone Away", status=ReservationStatus.CANCELLED)
    programme.publish(edition, actor=organizer())

    move(session, start="11:00", end="12:30")

    mail.wait_for(2)
    assert mail.to(gone.email) == []
    [english] = mail.to(amina.email)
    assert english["Subject"] == "Programme change: Spectrum for 5G"
    text = body_of(english)
    assert "Hello Amina Diallo," in text
    assert (
        "Time: Monday, October 12, 2015, 11:00–12:30 (was Monday, October 12, 2015, "
        "09:00–10:30)." in text
    )
    assert "Room:" not in text
    assert "Europe/Budapest" in text
    [french] = mail.to(jean.email)
    # Dates come out in the recipient's language (and the local time of the event).
    assert "lundi 12 octobre 2015, 11:00–12:30" in body_of(french)
    [update] = audit_entries(session, "update")
    assert update.before["starts_at"] == "2015-10-12T07:00:00+00:00"
    assert update.after["starts_at"] == "2015-10-12T09:00:00+00:00"


def test_a_new_room_and_a_new_line_up_are_mailed(app, mail):
    edition = budapest_edition()
    hall, other = room(edition, "Hall A"), room(edition, "Room 2")
    session = add_session(edition, hall, "Spectrum for 5G")
    zhao = speaker(edition, "Houlin Zhao")
    amina = holder(session, "Amina Diallo")
    programme.set_session_speakers(session, [(zhao.id, SpeakerRole.SPEAKER)], actor=organizer())
    assert mail.messages == []  # not published yet
    programme.publish(edition, actor=organizer())

    move(session, room_id=other.id)
    [moved] = mail.wait_for(1)
    assert "Room: Room 2 (was Hall A)." in body_of(moved)
    assert "Time:" not in body_of(moved)

    bogdan = speaker(edition, "Doreen Bogdan")
    programme.set_session_speakers(
        session,
        [(bogdan.id, SpeakerRole.MODERATOR), (zhao.id, SpeakerRole.SPEAKER)],
        actor=organizer(),
    )
    _, line_up = mail.wait_for(2)
    assert line_up["To"] == amina.email
    assert "Speakers: Doreen Bogdan, Houlin Zhao (were: Houlin Zhao)." in body_of(line_up)
    assert len(audit_entries(session, "speakers")) == 2


def test_a_cancellation_is_mailed(app, mail):
    edition = budapest_edition()
    session = add_session(edition, room(edition, "Hall A"), "Spectrum for 5G")
    amina = holder(session, "Amina Diallo")
    programme.publish(edition, actor=organizer())

    programme.cancel_session(session, actor=organizer())

    [message] = mail.wait_for(1)
    assert message["To"] == amina.email
    assert message["Subject"] == "Session cancelled: Spectrum for 5G"
    assert (
        "The session “Spectrum for 5G” at ITU TELECOM World 2015, planned for Monday, "
        "October 12, 2015, 09:00–10:30 in Hall A, has been cancelled." in body_of(message)
    )
    assert fresh(session).cancelled_at is not None


def test_changes_delegates_would_not_act_on_are_logged_but_not_mailed(app, mail):
    edition = budapest_edition()
    session = add_session(edition, room(edition, "Hall A"), "Spectrum for 5G")
    holder(session, "Amina Diallo")
    programme.publish(edition, actor=organizer())

    move(session, title="Spectrum for 5G and beyond", description="Updated abstract.")
    move(session, title="Spectrum for 5G and beyond")  # no change at all

    assert mail.messages == [] and outbox_count() == 0
    [update] = audit_entries(session, "update")
    assert update.after["title"] == "Spectrum for 5G and beyond"


def test_after_unpublishing_changes_are_no_longer_mailed(app, mail):
    edition = budapest_edition()
    session = add_session(edition, room(edition, "Hall A"))
    holder(session, "Amina Diallo")
    programme.publish(edition, actor=organizer())
    programme.unpublish(edition, actor=organizer())

    move(session, start="14:00", end="15:00")

    assert mail.messages == [] and outbox_count() == 0


def test_a_larger_capacity_gives_the_new_seats_to_the_waiting_list_in_order(app, mail):
    edition = forum_edition()  # a month ahead, programme public
    hall = room(edition, "Room 1", 100)
    session = add_session(edition, hall, "Spectrum for 5G", day=edition.start_date, capacity=1)
    first = delegate(edition, "first@delegate.example", "First Waiting")
    second = delegate(edition, "second@delegate.example", "Second Waiting")
    seated = holder(session, "Seated Early")
    for waiting in (first, second):
        db.session.add(
            SeatReservation(
                session_id=session.id, person_id=waiting.person.id,
                registration_id=waiting.registration.id, status=ReservationStatus.WAITING,
                waiting_since=utcnow(),
            )
        )  # fmt: skip
    fresh(session).seats_taken = 1
    db.session.commit()

    move(session, capacity=2)

    db.session.expire_all()
    by_person = {
        r.person_id: r.status
        for r in db.session.scalars(
            select(SeatReservation).where(SeatReservation.session_id == session.id)
        )
    }
    assert by_person == {
        seated.id: ReservationStatus.CONFIRMED,
        first.person.id: ReservationStatus.CONFIRMED,
        second.person.id: ReservationStatus.WAITING,
    }
    assert fresh(session).seats_taken == 2
    [promoted] = mail.wait_for(1)
    assert promoted["To"] == first.email
