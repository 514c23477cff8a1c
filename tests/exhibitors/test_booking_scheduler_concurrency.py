"""Schedulers running at once on PostgreSQL: nothing is released or mailed twice.

(The races for booths themselves are in test_booking_concurrency.py.) Each
thread runs in its own app context, so its own session and connection: real
concurrent transactions. `run_at_once` and `postgres_only` serve the staff
concurrency tests too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask

from telecom.exhibitors.services import booking
from telecom.extensions import db
from tests.exhibitors.factories import (
    make_show,
)


def run_at_once(app: Flask, jobs: list[Callable[[], object]]) -> tuple[list, list]:
    """Start every job at the same moment; return (results, errors)."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=20)
                outcome = job()
            except BaseException as error:  # collected and checked by the test
                with lock:
                    errors.append(error)
            else:
                with lock:
                    results.append(outcome)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a transaction hung"
    return results, errors


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set TEST_DATABASE_URL)")


def test_concurrent_release_and_reminder_runs_do_nothing_twice(app, postgres_only, mail):
    from datetime import timedelta

    from telecom.core.models import utcnow
    from tests.exhibitors.factories import hold

    show = make_show()
    now = utcnow()
    hold(show, "F-101", now=now - timedelta(hours=1))  # expired
    hold(show, "F-102", now=now - timedelta(minutes=25))  # 5 minutes left
    hold(show, "F-103", show.globex, show.bob, now=now - timedelta(hours=2))  # expired
    mail.wait_for(3)

    released, errors = run_at_once(app, [booking.release_expired for _ in range(6)])
    assert errors == []
    assert sum(released) == 2  # each expired hold counted by exactly one run

    reminded, errors = run_at_once(app, [booking.send_hold_reminders for _ in range(6)])
    assert errors == []
    assert sum(reminded) == 1
    messages = mail.wait_for(4)
    assert [m["Subject"] for m in messages].count("Your hold on booth F-102 expires soon") == 1
