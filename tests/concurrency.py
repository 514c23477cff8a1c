"""Real concurrent transactions for PostgreSQL tests.

Each racer runs in its own thread with its own app context, session and
connection: it first prepares (loads what it needs, which opens its
transaction), then all racers call the service under test together at a
barrier. Use with the `racing_app` fixture, whose pool lets every racer hold
a connection at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from telecom.extensions import db

MAX_RACERS = 60

# A job prepares (loads rows) and returns the call that races.
Job = Callable[[], Callable[[], object]]


@dataclass
class Outcome:
    result: object = None
    error: BaseException | None = None


def race(app: Flask, jobs: list[Job]) -> list[Outcome]:
    """Prepare every job in its own thread and session, then run them all at once."""
    assert len(jobs) <= MAX_RACERS, "raise MAX_RACERS (the racing pool size) first"
    barrier = threading.Barrier(len(jobs))
    outcomes = [Outcome() for _ in jobs]

    def run(outcome: Outcome, job: Job) -> None:
        with app.app_context():
            try:
                action = job()
                barrier.wait(timeout=20)
                outcome.result = action()
            except BaseException as error:
                outcome.error = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(outcomes, jobs, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    return outcomes


def run_at_once(app: Flask, calls: list[Callable[[], object]]) -> tuple[list, list]:
    """Start every call at the same moment; return (results, errors)."""
    outcomes = race(app, [lambda call=call: call for call in calls])
    results = [o.result for o in outcomes if o.error is None]
    errors = [o.error for o in outcomes if o.error is not None]
    return results, errors
