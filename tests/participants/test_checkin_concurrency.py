"""Thirty gates scanning one badge at the same moment admit the person exactly once."""

from __future__ import annotations

from datetime import date

from telecom.events.services import get_edition
from telecom.extensions import db
from telecom.participants.models import CheckIn, ScanAttempt, ScanResult
from telecom.participants.services import checkin
from tests.concurrency import race
from tests.helpers import make_edition
from tests.participants.checkin_support import (
    code_of,
    local,
    make_registration,
    make_staff,
    new_scan_id,
)

RACERS = 30


def test_concurrent_scans_of_one_badge_admit_once(app, racing_app):  # type: ignore[no-untyped-def]
    edition = make_edition()
    staff_id = make_staff().id
    registration = make_registration(edition)
    code = code_of(registration)
    when = local(edition, date(2015, 10, 12), 9)

    def job():  # type: ignore[no-untyped-def]
        # Prepare in this racer's own session: load the edition and the scanner.
        from telecom.auth.models import User

        racer_edition = get_edition(edition.slug)
        racer_staff = db.session.get(User, staff_id)
        assert racer_staff is not None and racer_staff.roles
        scan_id = new_scan_id()
        return lambda: (
            checkin.scan(
                racer_edition,
                code=code,
                scan_id=scan_id,
                scanned_at=when,
                point="gate",
                staff=racer_staff,
            ).result
        )

    outcomes = race(racing_app, [job] * RACERS)

    assert [o.error for o in outcomes if o.error is not None] == []
    results = sorted(o.result for o in outcomes)
    assert results.count(ScanResult.WELCOME) == 1
    assert results.count(ScanResult.ALREADY_CHECKED_IN) == RACERS - 1
    db.session.expire_all()
    assert db.session.query(CheckIn).count() == 1
    assert db.session.query(ScanAttempt).count() == RACERS


def test_concurrent_uploads_of_one_scan_store_it_once(app, racing_app):  # type: ignore[no-untyped-def]
    """A scanner retrying while its first request is still running: one attempt, one answer."""
    edition = make_edition()
    staff_id = make_staff().id
    registration = make_registration(edition)
    code = code_of(registration)
    when = local(edition, date(2015, 10, 12), 9)
    scan_id = new_scan_id()

    def job():  # type: ignore[no-untyped-def]
        from telecom.auth.models import User

        racer_edition = get_edition(edition.slug)
        racer_staff = db.session.get(User, staff_id)
        assert racer_staff is not None and racer_staff.roles
        return lambda: (
            checkin.scan(
                racer_edition,
                code=code,
                scan_id=scan_id,
                scanned_at=when,
                point="gate",
                staff=racer_staff,
            ).result
        )

    outcomes = race(racing_app, [job] * 10)

    assert [o.error for o in outcomes if o.error is not None] == []
    assert {o.result for o in outcomes} == {ScanResult.WELCOME}
    db.session.expire_all()
    assert db.session.query(CheckIn).count() == 1
    assert db.session.query(ScanAttempt).count() == 1
