"""Booking e-mails, as a real SMTP server receives them (through the outbox)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import format_datetime

from telecom.core.models import utcnow
from telecom.exhibitors.models import BoothBooking
from telecom.exhibitors.services import booking
from telecom.extensions import db
from tests.exhibitors.factories import confirmed, hold, make_show, save_settings
from tests.helpers import body_of


@pytest.fixture
def show(app):  # type: ignore[no-untyped-def]
    return make_show(with_mail_contacts=True)


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def budapest(value) -> str:  # type: ignore[no-untyped-def]
    text = format_datetime(value.astimezone(ZoneInfo("Europe/Budapest")).replace(tzinfo=None))
    return one_line(text)


def nothing_more_arrives(mail, count: int, wait: float = 0.3) -> bool:  # type: ignore[no-untyped-def]
    time.sleep(wait)
    return len(mail.messages) == count


def test_a_hold_mails_every_member_and_the_contact(show, mail):
    held = hold(show, "F-201")

    messages = mail.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["ada@acme.example", "sales@acme.example"]
    message = mail.to("ada@acme.example")[0]
    assert message["Subject"] == "Booth F-201 is held for you"
    body = one_line(body_of(message))
    assert "Booth F-201 at ITU TELECOM World 2015 is now held for Acme Telecom." in body
    assert "Hall: F – Hall F" in body
    assert "Size: 6 × 6 m (36 sqm)" in body
    assert "Type: Space only, Island" in body
    assert re.search(r"Space: 36 sqm × CHF ?450\.00 per sqm = CHF ?16,200\.00", body)
    assert re.search(r"Open-side surcharge \(15 %\): \+ CHF ?2,430\.00", body)
    assert re.search(r"Price: CHF ?18,630\.00", body)
    assert f"until {budapest(held.held_until)} (Europe/Budapest)" in body
    assert "The hold lasts 30 minutes" in body
    assert (
        f"http://localhost/editions/{show.edition.slug}/exhibitors/{show.acme.id}/bookings" in body
    )


def test_the_about_to_expire_mail_goes_out_exactly_once(show, mail):
    save_settings(show.edition, hold_reminder_minutes=10)
    now = utcnow()
    held = hold(show, "F-101", now=now)
    mail.wait_for(2)  # the two "hold placed" messages

    assert booking.send_hold_reminders(now=now + timedelta(minutes=15)) == 0  # too early
    assert nothing_more_arrives(mail, 2)

    assert booking.send_hold_reminders(now=now + timedelta(minutes=24)) == 1
    messages = mail.wait_for(4)
    reminder = [m for m in messages if "expires soon" in m["Subject"]]
    assert sorted(m["To"] for m in reminder) == ["ada@acme.example", "sales@acme.example"]
    assert reminder[0]["Subject"] == "Your hold on booth F-101 expires soon"
    body = one_line(body_of(reminder[0]))
    assert "The hold on booth F-101 at ITU TELECOM World 2015 expires in 6 minutes" in body
    assert f"at {budapest(held.held_until)} (Europe/Budapest)" in body
    assert "Hall: F – Hall F" in body
    assert "Size: 3 × 3 m (9 sqm)" in body
    assert re.search(r"Price: CHF ?4,680\.00", body)

    assert booking.send_hold_reminders(now=now + timedelta(minutes=26)) == 0  # once only
    assert booking.send_hold_reminders(now=now + timedelta(minutes=29)) == 0
    assert nothing_more_arrives(mail, 4)
    db.session.expire_all()
    assert db.session.get(BoothBooking, held.id).reminder_sent_at is not None


def test_no_reminder_for_expired_released_or_confirmed_holds(show, mail):
    now = utcnow()
    hold(show, "F-101", now=now - timedelta(minutes=40))  # expired
    released = hold(show, "F-102", now=now - timedelta(minutes=25))
    booking.release_hold(released, actor=show.ada)
    confirmed(show, "F-103")
    mail.wait_for(8)  # 3 holds and 1 confirmation, each to two addresses

    assert booking.send_hold_reminders(now=now) == 0
    assert nothing_more_arrives(mail, 8)


def test_a_confirmation_is_mailed(show, mail):
    booked = confirmed(show, "F-103")

    messages = mail.wait_for(4)
    confirmation = [m for m in messages if m["Subject"] == "Booth F-103 is booked"]
    assert sorted(m["To"] for m in confirmation) == ["ada@acme.example", "sales@acme.example"]
    body = one_line(body_of(confirmation[0]))
    assert "Booth F-103 at ITU TELECOM World 2015 is booked for Acme Telecom." in body
    assert "Hall: F – Hall F" in body
    assert "Size: 6 × 3 m (18 sqm)" in body
    assert re.search(r"Price: CHF ?9,360\.00", body)
    assert "State: Confirmed" in body
    assert "HUNGEXPO, Budapest" in body
    assert f"/exhibitors/{booked.organisation_id}/bookings" in body


def test_a_payment_is_mailed_as_a_booking_too(show, mail):
    held = hold(show, "F-101")
    booking.mark_paid(held, actor=None)
    messages = mail.wait_for(4)
    assert [m["Subject"] for m in messages].count("Booth F-101 is booked") == 2
    assert "State: Paid" in one_line(body_of(messages[-1]))


def test_a_cancellation_is_mailed_with_its_reason(show, mail):
    booked = confirmed(show, "F-101")
    mail.wait_for(4)

    booking.cancel_booking(booked, actor=show.organizer, reason="Invoice unpaid after 60 days")

    messages = mail.wait_for(6)
    cancelled = [m for m in messages if "cancelled" in m["Subject"]]
    assert [m["Subject"] for m in cancelled] == ["Your booking of booth F-101 is cancelled"] * 2
    body = one_line(body_of(cancelled[0]))
    assert (
        "The booking of booth F-101 at ITU TELECOM World 2015 for Acme Telecom is cancelled."
        in body
    )
    assert "Reason: Invoice unpaid after 60 days" in body
    assert "Hall: F – Hall F" in body


def test_mail_is_written_in_the_members_language(show, mail):
    show.ada.locale = "fr"
    db.session.commit()
    hold(show, "F-101")
    messages = mail.wait_for(2)
    french = mail.to("ada@acme.example")[0]
    english = mail.to("sales@acme.example")[0]
    assert english["Subject"] == "Booth F-101 is held for you"
    # The French catalogue may not translate the new strings yet; the amounts
    # are written the French way in any case.
    assert "4\u202f680,00" in body_of(french) or "4 680,00" in body_of(french)
    assert len(messages) == 2


def test_a_refused_hold_mails_nobody(show, mail):
    hold(show, "F-101", show.globex, show.bob)
    mail.wait_for(1)
    with pytest.raises(Exception, match="just taken"):
        hold(show, "F-101")
    assert nothing_more_arrives(mail, 1)
