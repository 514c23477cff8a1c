"""Shared set-up for the check-in tests: people with registrations, staff, tokens, times."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.test import TestResponse

from telecom.auth import services as auth_services
from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    CheckIn,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    ScanAttempt,
)
from telecom.participants.services.badges import badge_code
from tests.helpers import make_user

BUDAPEST = ZoneInfo("Europe/Budapest")


def make_registration(
    edition: Edition,
    email: str = "vera@example.org",
    *,
    full_name: str = "Vera Visitor",
    organisation: str = "Acme Telecom",
    category: RegistrationCategory = RegistrationCategory.VISITOR,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    valid_from: date | None = None,
    valid_until: date | None = None,
    forum_access: bool = False,
) -> Registration:
    person = db.session.query(Person).filter_by(email=email).one_or_none()
    if person is None:
        person = Person(email=email, full_name=full_name, organisation_name=organisation)
        db.session.add(person)
    registration = Registration(
        person=person,
        edition_id=edition.id,
        category=category,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
        forum_access=forum_access,
    )
    db.session.add(registration)
    commit()
    return registration


def code_of(registration: Registration) -> str:
    return badge_code(registration)


def make_staff(email: str = "gate@example.org") -> User:
    return make_user(email, roles={Role.CHECKIN_STAFF}, full_name="Gustav Gate")


def token_for(user: User) -> str:
    _token, secret = auth_services.create_api_token(user, "scanner", actor=None)
    return secret


def local(edition: Edition, day: date, hour: int, minute: int = 0) -> datetime:
    """A moment at the venue: `day` at hour:minute in the edition's time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(edition.timezone))


def new_scan_id() -> str:
    return str(uuid.uuid4())


def counts() -> tuple[int, int]:
    """(check-ins, scan attempts) stored, read fresh."""
    db.session.expire_all()
    return db.session.query(CheckIn).count(), db.session.query(ScanAttempt).count()


def post_scans(client: FlaskClient, slug: str, token: str | None, body: object) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1/editions/{slug}/checkins", json=body, headers=headers)


def first_day_gate_scan(code: str, hour: int) -> dict:
    """A gate scan on the first day of the 2015 edition (12 October), at `hour` in Budapest."""
    return {
        "code": code,
        "scan_id": new_scan_id(),
        "scanned_at": f"2015-10-12T{hour:02d}:00:00+02:00",
        "point": "gate",
    }


@contextmanager
def statements_mentioning(fragment: str) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs that contain `fragment`."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if fragment in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
