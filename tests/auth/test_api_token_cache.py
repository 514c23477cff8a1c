"""A process reuses the account behind an API token for API_TOKEN_CACHE_SECONDS.

Scanners send every badge with the same token: looking the token, its account
and the account's roles up on each scan costs more than the scan. The cache must
never make a token stronger than it is: a change made in this process applies at
once, a change made by another process within the cache time.
"""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import select, text

from telecom.auth import services as auth_services
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.participants.models import ScanAttempt
from tests.helpers import make_edition
from tests.participants.checkin_support import (
    code_of,
    first_day_gate_scan,
    make_registration,
    make_staff,
    post_scans,
    statements_mentioning,
    token_for,
)

SLUG = "telecom-world-2015"


def _scan(client, token: str, code: str, hour: int):  # type: ignore[no-untyped-def]
    return post_scans(client, SLUG, token, first_day_gate_scan(code, hour))


def _token_lookups(client, token: str, code: str, hour: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with statements_mentioning("FROM api_tokens") as lookups:
        status = _scan(client, token, code, hour).status_code
    return status, len(lookups)


def test_the_token_is_looked_up_once_and_scans_still_name_the_staff_member(
    app: Flask, client
) -> None:  # type: ignore[no-untyped-def]
    app.config["API_TOKEN_CACHE_SECONDS"] = 60
    edition = make_edition(SLUG)
    staff = make_staff()
    token = token_for(staff)
    vera, sam = make_registration(edition), make_registration(edition, email="sam@example.org")

    assert _token_lookups(client, token, code_of(vera), 9) == (200, 1)
    assert _token_lookups(client, token, code_of(sam), 9) == (200, 0)
    assert _token_lookups(client, token, code_of(vera), 10) == (200, 0)

    attempts = db.session.scalars(select(ScanAttempt)).all()
    assert [attempt.result for attempt in attempts] == [
        "welcome",
        "welcome",
        "already_checked_in",
    ]
    assert {attempt.staff_id for attempt in attempts} == {staff.id}


def test_revoking_the_token_here_refuses_it_at_once(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    app.config["API_TOKEN_CACHE_SECONDS"] = 60
    edition = make_edition(SLUG)
    staff = make_staff()
    token_row, secret = auth_services.create_api_token(staff, "gate 1", actor=None)
    vera = make_registration(edition)
    assert _scan(client, secret, code_of(vera), 9).status_code == 200

    auth_services.revoke_api_token(token_row.id, actor=staff)

    response = _scan(client, secret, code_of(vera), 10)
    assert response.status_code == 401
    assert response.get_json()["error"] == "Invalid or revoked API token."


def test_deactivating_the_account_here_refuses_its_token_at_once(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    app.config["API_TOKEN_CACHE_SECONDS"] = 60
    edition = make_edition(SLUG)
    staff = make_staff()
    token = token_for(staff)
    vera = make_registration(edition)
    assert _scan(client, token, code_of(vera), 9).status_code == 200

    auth_services.update_access(staff, roles={Role.CHECKIN_STAFF}, active=False, actor=None)

    assert _scan(client, token, code_of(vera), 10).status_code == 401


def test_taking_the_checkin_role_away_here_applies_at_once(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    app.config["API_TOKEN_CACHE_SECONDS"] = 60
    edition = make_edition(SLUG)
    staff = make_staff()
    token = token_for(staff)
    vera, sam = make_registration(edition), make_registration(edition, email="sam@example.org")
    assert _scan(client, token, code_of(vera), 9).status_code == 200

    auth_services.update_access(staff, roles={Role.PARTICIPANT}, active=True, actor=None)

    response = _scan(client, token, code_of(sam), 10)
    assert response.status_code == 403
    assert db.session.scalar(select(ScanAttempt).where(ScanAttempt.code == code_of(sam))) is None


def test_a_revocation_made_by_another_process_applies_within_the_cache_time(
    app: Flask, client
) -> None:  # type: ignore[no-untyped-def]
    app.config["API_TOKEN_CACHE_SECONDS"] = 0.5
    edition = make_edition(SLUG)
    token = token_for(make_staff())
    vera, sam = make_registration(edition), make_registration(edition, email="sam@example.org")
    assert _scan(client, token, code_of(vera), 9).status_code == 200

    # Another worker revokes it: this process is not told.
    db.session.execute(text("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP"))
    db.session.commit()
    assert _scan(client, token, code_of(sam), 9).status_code == 200  # the documented delay

    time.sleep(0.6)
    assert _scan(client, token, code_of(vera), 10).status_code == 401


def test_without_a_cache_time_every_request_checks_the_token(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    assert app.config["API_TOKEN_CACHE_SECONDS"] == 0  # the tests' setting
    edition = make_edition(SLUG)
    token = token_for(make_staff())
    vera = make_registration(edition)

    assert _token_lookups(client, token, code_of(vera), 9) == (200, 1)
    db.session.execute(text("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP"))
    db.session.commit()
    assert _token_lookups(client, token, code_of(vera), 10) == (401, 1)
