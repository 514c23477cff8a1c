"""The check-in API for scanner apps: auth, single scans, offline batches, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from telecom.core.permissions import Role
from telecom.participants.models import ScanResult
from tests.helpers import make_edition, make_user
from tests.participants.checkin_support import (
    code_of,
    counts,
    make_registration,
    make_staff,
    new_scan_id,
    post_scans,
    token_for,
)

DAY1 = date(2015, 10, 12)
SLUG = "telecom-world-2015"


@pytest.fixture
def edition(app):  # type: ignore[no-untyped-def]
    return make_edition(SLUG)


@pytest.fixture
def token(app):  # type: ignore[no-untyped-def]
    return token_for(make_staff())


def a_scan(code: str, hour: int = 9, point: str = "gate", scan_id: str | None = None) -> dict:
    # Budapest is on summer time (UTC+2) in October 2015, as a scanner would say.
    return {
        "code": code,
        "scan_id": scan_id or new_scan_id(),
        "scanned_at": f"2015-10-12T{hour:02d}:00:00+02:00",
        "point": point,
    }


def test_a_scan_is_answered_with_the_result_and_the_person(client, edition, token):  # type: ignore[no-untyped-def]
    registration = make_registration(edition, full_name="Vera Visitor", organisation="Acme")
    response = post_scans(client, SLUG, token, a_scan(code_of(registration)))
    assert response.status_code == 200
    data = response.get_json()
    assert data["result"] == "welcome"
    assert data["admitted"] is True
    assert data["day"] == "2015-10-12"
    assert data["point"] == "gate"
    assert data["person"] == {
        "name": "Vera Visitor",
        "category": "visitor",
        "category_label": "Visitor",
        "organisation": "Acme",
    }
    assert "Vera Visitor" in data["message"]

    again = post_scans(client, SLUG, token, a_scan(code_of(registration), hour=10)).get_json()
    assert again["result"] == "already_checked_in"
    assert counts() == (1, 2)


def test_a_retried_upload_is_idempotent(client, edition, token):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    scan = a_scan(code_of(registration))
    first = post_scans(client, SLUG, token, scan).get_json()
    second = post_scans(client, SLUG, token, scan).get_json()
    assert first["result"] == second["result"] == "welcome"
    assert second["replayed"] is True
    assert counts() == (1, 1)

    reused = post_scans(client, SLUG, token, {**scan, "code": "something else"})
    assert reused.status_code == 409
    assert "different scan" in reused.get_json()["error"]
    assert counts() == (1, 1)


def test_an_offline_batch_replayed_twice_gives_the_same_answers(client, edition, token):  # type: ignore[no-untyped-def]
    vera = make_registration(edition)
    otto = make_registration(edition, "otto@example.org", full_name="Otto", forum_access=True)
    older = make_edition(
        "telecom-world-2013", start_date=date(2013, 11, 19), end_date=date(2013, 11, 22)
    )
    stranger = make_registration(older, "sam@example.org")
    batch = {
        "scans": [
            a_scan(code_of(vera), 9),
            a_scan(code_of(vera), 11),  # duplicate entry, later that day
            a_scan(code_of(otto), 9, point="S-12"),
            a_scan(code_of(vera), 12, point="S-12"),  # no forum access
            a_scan(code_of(stranger), 9),
            a_scan("NOT-A-BADGE", 9),
        ]
    }
    first = post_scans(client, SLUG, token, batch)
    assert first.status_code == 200
    first_data = first.get_json()
    results = [item["result"] for item in first_data["results"]]
    assert results == [
        "welcome",
        "already_checked_in",
        "welcome",
        "no_access",
        "wrong_edition",
        "unknown",
    ]
    assert [item["index"] for item in first_data["results"]] == list(range(6))
    assert (first_data["applied"], first_data["failed"]) == (6, 0)
    assert counts() == (2, 6)

    second = post_scans(client, SLUG, token, batch).get_json()
    assert [item["result"] for item in second["results"]] == results
    assert all(item["replayed"] for item in second["results"])
    assert counts() == (2, 6)


def test_a_batch_applies_valid_items_and_reports_bad_ones(client, edition, token):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    good = a_scan(code_of(registration))
    batch = {
        "scans": [
            good,
            {**a_scan(code_of(registration)), "scanned_at": "2015-10-12T09:00:00"},
            {"code": 42, "scan_id": "", "point": "gate"},
            "not an object",
        ]
    }
    response = post_scans(client, SLUG, token, batch)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0]["result"] == "welcome"
    assert "offset" in results[1]["errors"]["scanned_at"]
    assert set(results[2]["errors"]) == {"code", "scan_id", "scanned_at"}
    assert results[2]["status"] == 400
    assert "scan" in results[3]["errors"]
    assert response.get_json()["failed"] == 3
    assert counts() == (1, 1)


def test_a_batch_is_limited(client, edition, token):  # type: ignore[no-untyped-def]
    scans = [a_scan("X", 9) for _ in range(501)]
    response = post_scans(client, SLUG, token, {"scans": scans})
    assert response.status_code == 400
    assert "500" in response.get_json()["error"]
    assert counts() == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        None,  # no JSON at all
        [],
        "a string",
        {},
        {"scans": []},
        {"scans": "many"},
        {"code": "X", "scan_id": "has spaces", "scanned_at": "2015-10-12T09:00Z", "point": "gate"},
        {"code": "X", "scan_id": "s1", "scanned_at": 12345, "point": "gate"},
        {"code": "X", "scan_id": "s1", "scanned_at": "2015-10-12T09:00:00Z", "point": "<script>"},
        {"code": ["X"], "scan_id": "s1", "scanned_at": "2015-10-12T09:00:00Z", "point": "gate"},
        {"code": "X", "scan_id": "s1", "scanned_at": "2999-01-01T00:00:00Z", "point": "gate"},
    ],
    ids=[
        "no-json", "list", "string", "empty", "empty-batch", "batch-not-list", "bad-scan-id",
        "time-not-text", "bad-point", "code-not-text", "future",
    ],
)  # fmt: skip
def test_malformed_bodies_are_400_not_500(client, edition, token, body):  # type: ignore[no-untyped-def]
    if body is None:
        response = client.post(
            f"/api/v1/editions/{SLUG}/checkins",
            data="code=X",
            headers={"Authorization": f"Bearer {token}"},
        )
    else:
        response = post_scans(client, SLUG, token, body)
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["error"]
    assert counts() == (0, 0)


def test_the_api_needs_a_token_of_checkin_staff(client, edition):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    scan = a_scan(code_of(registration))

    anonymous = post_scans(client, SLUG, None, scan)
    assert anonymous.status_code == 401
    assert anonymous.is_json

    bad = post_scans(client, SLUG, "tw_not-a-real-token", scan)
    assert bad.status_code == 401

    participant = make_user("p@example.org", roles={Role.PARTICIPANT})
    refused = post_scans(client, SLUG, token_for(participant), scan)
    assert refused.status_code == 403
    assert refused.is_json
    assert counts() == (0, 0)

    organizer = make_user("o@example.org", roles={Role.ORGANIZER})
    assert post_scans(client, SLUG, token_for(organizer), scan).get_json()["result"] == (
        ScanResult.WELCOME.value
    )


def test_an_unknown_edition_is_404_json(client, edition, token):  # type: ignore[no-untyped-def]
    response = post_scans(client, "no-such-edition", token, a_scan("X"))
    assert response.status_code == 404
    assert response.is_json
