"""`flask --app wsgi booths release-expired` and `booths remind-expiring`, for a scheduler."""

from __future__ import annotations

import time
from datetime import timedelta

from click.testing import Result
from flask import Flask

from telecom.core.models import utcnow
from telecom.exhibitors.models import BookingState, BoothBooking
from telecom.extensions import db
from tests.exhibitors.factories import hold, state_of
from tests.helpers import body_of


def flask(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def test_release_expired_releases_the_holds_whose_time_ran_out(app, show):
    now = utcnow()
    old = hold(show, "F-101", now=now - timedelta(minutes=45))
    older = hold(show, "F-102", now=now - timedelta(hours=3))
    fresh = hold(show, "F-103", show.globex, show.bob, now=now)

    result = flask(app, "booths", "release-expired")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 expired hold(s) released."
    assert state_of(old.id) == state_of(older.id) == BookingState.RELEASED
    assert state_of(fresh.id) == BookingState.HELD

    again = flask(app, "booths", "release-expired")
    assert again.output.strip() == "0 expired hold(s) released."


def test_remind_expiring_mails_each_hold_once(app, show, mail):
    now = utcnow()
    soon = hold(show, "F-101", now=now - timedelta(minutes=25))  # 5 minutes left
    later = hold(show, "F-102", show.globex, show.bob, now=now)  # 30 minutes left
    mail.wait_for(2)

    result = flask(app, "booths", "remind-expiring")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 reminder(s) sent."
    messages = mail.wait_for(3)
    reminder = messages[-1]
    assert reminder["To"] == "ada@acme.example"
    assert reminder["Subject"] == "Your hold on booth F-101 expires soon"
    assert "expires in 4 minutes" in body_of(reminder) or "expires in 5 minutes" in body_of(
        reminder
    )

    again = flask(app, "booths", "remind-expiring")
    assert again.output.strip() == "0 reminder(s) sent."
    time.sleep(0.3)
    assert len(mail.messages) == 3
    db.session.expire_all()
    assert db.session.get(BoothBooking, soon.id).reminder_sent_at is not None
    assert db.session.get(BoothBooking, later.id).reminder_sent_at is None


def test_the_reminder_from_the_cli_has_a_link_when_the_server_name_is_known(app, show, mail):
    hold(show, "F-101", now=utcnow() - timedelta(minutes=25))
    mail.wait_for(1)
    flask(app, "booths", "remind-expiring")
    body = body_of(mail.wait_for(2)[-1])
    assert (
        f"http://localhost/editions/{show.edition.slug}/exhibitors/{show.acme.id}/bookings" in body
    )


def test_without_a_server_name_the_reminder_goes_without_a_link(app, show, mail):
    hold(show, "F-101", now=utcnow() - timedelta(minutes=25))
    mail.wait_for(1)
    app.config["SERVER_NAME"] = None
    with app.app_context():  # a scheduler's context: no request, no host name
        result = flask(app, "booths", "remind-expiring")

    assert result.output.strip() == "1 reminder(s) sent."
    body = body_of(mail.wait_for(2)[-1])
    assert "expires in" in body
    assert "http" not in body
