"""The check-in API reuses the edition it looked up, for EDITION_CACHE_SECONDS, per process."""

from __future__ import annotations

from flask import Flask

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


def _edition_lookups(client, token: str, code: str, hour: int) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with statements_mentioning("FROM editions") as lookups:
        result = post_scans(client, SLUG, token, first_day_gate_scan(code, hour)).get_json()
    return result["result"], len(lookups)


def test_scans_after_the_first_do_not_look_the_edition_up_again(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    app.config["EDITION_CACHE_SECONDS"] = 30
    edition = make_edition(SLUG)
    token = token_for(make_staff())
    vera, sam = make_registration(edition), make_registration(edition, email="sam@example.org")

    assert _edition_lookups(client, token, code_of(vera), 9) == ("welcome", 1)
    assert _edition_lookups(client, token, code_of(sam), 9) == ("welcome", 0)
    # The cached copy still judges the day and the edition correctly.
    assert _edition_lookups(client, token, code_of(vera), 10) == ("already_checked_in", 0)


def test_without_a_cache_time_every_scan_looks_the_edition_up(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    assert app.config["EDITION_CACHE_SECONDS"] == 0  # the tests' setting
    edition = make_edition(SLUG)
    token = token_for(make_staff())
    vera = make_registration(edition)

    assert _edition_lookups(client, token, code_of(vera), 9) == ("welcome", 1)
    assert _edition_lookups(client, token, code_of(vera), 10) == ("already_checked_in", 1)
