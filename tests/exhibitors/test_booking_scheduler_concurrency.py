"""Schedulers running at once on PostgreSQL: nothing is released or mailed twice.

(The races for booths themselves are in test_booking_concurrency.py.) Each
thread runs in its own app context, so its own session and connection: real
concurrent transactions.
"""

from __future__ import annotations

from telecom.exhibitors.services import booking
from tests.concurrency import run_at_once
from tests.exhibitors.factories import (
    make_show,
)


def test_concurrent_release_and_reminder_runs_do_nothing_twice(app, mail, racing_app):
    from datetime import timedelta

    from telecom.core.models import utcnow
    from tests.exhibitors.factories import hold

    show = make_show()
    now = utcnow()
    hold(show, "F-101", now=now - timedelta(hours=1))  # expired
    hold(show, "F-102", now=now - timedelta(minutes=25))  # 5 minutes left
    hold(show, "F-103", show.globex, show.bob, now=now - timedelta(hours=2))  # expired
    mail.wait_for(3)

    released, errors = run_at_once(racing_app, [booking.release_expired for _ in range(6)])
    assert errors == []
    assert sum(released) == 2  # each expired hold counted by exactly one run

    reminded, errors = run_at_once(racing_app, [booking.send_hold_reminders for _ in range(6)])
    assert errors == []
    assert sum(reminded) == 1
    messages = mail.wait_for(4)
    assert [m["Subject"] for m in messages].count("Your hold on booth F-102 expires soon") == 1
