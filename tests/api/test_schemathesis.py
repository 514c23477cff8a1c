"""Schemathesis against the test app, in process: every operation of /api/v1/openapi.json.

The data: the hand-built KPI edition (slug telecom-world-2015, every KPI input,
exhibitors, bookings), a forum edition running today with a published
programme, the strategic plan, and a visitor's badge for the check-in scans.
Generated path slugs are mixed with these editions' slugs and generated scans
with that badge's code, so the cases reach real data as well as the 404s and
400s. Requests carry an organizer's token (the role that may call everything).

Checks: no 5xx, every status code and content type documented, and every body
valid against its schema. Bounded and reproducible: 25 examples per operation
and generation mode (valid and invalid requests), derandomized, no example
database. A second test sends chosen requests that random data seldom makes
(each export format, a comparison, a welcome scan, a batch, a reused scan_id).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from telecom.auth.models import User
from telecom.extensions import db
from telecom.plan.services import load_plan
from tests.api.support import token_for
from tests.forum.support_public import build_forum
from tests.kpi.support import build_edition
from tests.participants.checkin_support import code_of, make_registration

KPI_SLUG = "telecom-world-2015"  # the document's example slug
FORUM_SLUG = "telecom-world-forum"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def isolated(app: Flask) -> Callable[..., Iterable[bytes]]:
    """The app as WSGI, each request in its own app context (as tests.helpers.IsolatedClient).

    The `app` fixture keeps a context pushed for the test; Flask would reuse it
    for every request, sharing `g` and the database session between them.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return contextvars.Context().run(app, environ, start_response)  # type: ignore[arg-type]

    return wsgi


@pytest.fixture
def badge_code(app: Flask) -> str:
    build_edition(KPI_SLUG)
    forum = build_forum(FORUM_SLUG)
    load_plan()
    return code_of(make_registration(forum.edition, "scanned@example.org"))


@pytest.fixture
def organizer_token(badge_code: str) -> str:
    # build_forum made this organizer.
    organizer = db.session.scalar(
        select(User).where(User.email == "olga@telecom-world-forum.example")
    )
    assert organizer is not None
    return token_for(organizer)


@pytest.fixture
def api_schema(app: Flask, badge_code: str) -> Any:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app))

    @schema.hook("before_generate_path_parameters")
    def real_editions_too(context: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
        known = st.sampled_from([{"slug": KPI_SLUG}, {"slug": FORUM_SLUG}])
        return st.one_of(known, strategy)

    @schema.hook("before_generate_query")
    def real_comparison_too(context: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
        def compared(query: Any, other: str) -> Any:
            if isinstance(query, dict) and "compare" in query:
                return {**query, "compare": other}
            return query

        other = st.sampled_from([KPI_SLUG, FORUM_SLUG])
        return st.one_of(
            strategy, st.tuples(strategy, other).map(lambda pair: compared(pair[0], pair[1]))
        )

    @schema.hook("before_generate_body")
    def real_badge_too(context: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
        def with_badge(body: Any) -> Any:
            if isinstance(body, dict) and isinstance(body.get("code"), str):
                return {**body, "code": badge_code}
            return body

        return st.one_of(strategy, strategy.map(with_badge))

    return schema


def documented_operations() -> list[tuple[str, str]]:
    """(METHOD, path) of the document, read at collection time (it needs no app)."""
    from telecom.api.openapi import openapi_document

    return [
        (method.upper(), path)
        for path, item in openapi_document()["paths"].items()
        for method in item
    ]


@pytest.mark.parametrize(("method", "path"), documented_operations())
def test_every_operation_answers_as_documented(
    api_schema: Any, organizer_token: str, method: str, path: str
) -> None:
    operation = api_schema[path][method]
    has_input = bool(operation.path_parameters or operation.query or operation.body)
    # Without any parameter there is no invalid request to make.
    modes = list(GenerationMode) if has_input else [GenerationMode.POSITIVE]
    headers = {"Authorization": f"Bearer {organizer_token}"}
    for mode in modes:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            # Each case reaches the database; the data is made once per test, not per case.
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        answers_as_documented()


# Requests that random generation reaches rarely, each with the status it must get.
CHOSEN = [
    ("GET", "/editions", {}, {"page": "2", "per_page": "1"}, None, 200),
    ("GET", "/editions/{slug}/exhibitors", {"slug": KPI_SLUG}, {"hall": "H1"}, None, 200),
    ("GET", "/editions/{slug}/exhibitors", {"slug": KPI_SLUG}, {"sector": "x"}, None, 400),
    ("GET", "/editions/{slug}/programme", {"slug": FORUM_SLUG}, {}, None, 200),
    ("GET", "/editions/{slug}/programme", {"slug": KPI_SLUG}, {}, None, 404),
    ("GET", "/editions/{slug}/kpis", {"slug": KPI_SLUG}, {"as_of": "2015-10-12"}, None, 200),
    ("GET", "/editions/{slug}/kpis", {"slug": KPI_SLUG}, {"compare": FORUM_SLUG}, None, 200),
    ("GET", "/editions/{slug}/kpis", {"slug": KPI_SLUG}, {"format": "csv"}, None, 200),
    ("GET", "/editions/{slug}/kpis", {"slug": KPI_SLUG}, {"format": "xlsx"}, None, 200),
    ("GET", "/editions/{slug}/kpis", {"slug": KPI_SLUG}, {"format": "pdf"}, None, 200),
    ("GET", "/editions/{slug}/kpis", {"slug": KPI_SLUG}, {"compare": KPI_SLUG}, None, 400),
    ("GET", "/editions/{slug}/kpis", {"slug": KPI_SLUG}, {"format": "doc"}, None, 400),
    ("GET", "/plan", {}, {}, None, 200),
    ("POST", "/editions/{slug}/checkins", {"slug": FORUM_SLUG}, {}, "BADGE", 200),
    ("POST", "/editions/{slug}/checkins", {"slug": FORUM_SLUG}, {}, "BATCH", 200),
    ("POST", "/editions/{slug}/checkins", {"slug": FORUM_SLUG}, {}, "REUSED", 409),
    ("POST", "/editions/{slug}/checkins", {"slug": FORUM_SLUG}, {}, {"scans": []}, 400),
    ("POST", "/editions/{slug}/checkins", {"slug": FORUM_SLUG}, {}, {"code": "X"}, 400),
]


def test_chosen_requests_answer_as_documented(
    api_schema: Any, organizer_token: str, badge_code: str, subtests: pytest.Subtests
) -> None:
    today = datetime.now(UTC).replace(microsecond=0).isoformat()
    scan = {"code": badge_code, "scan_id": "scan-1", "scanned_at": today, "point": "gate"}
    bodies = {
        "BADGE": scan,
        "BATCH": {"scans": [scan, {**scan, "scan_id": "scan-2"}, {**scan, "scanned_at": "soon"}]},
        # scan-1 again for another badge: refused, whatever the first answer was.
        "REUSED": {**scan, "code": "ANOTHER-BADGE"},
    }
    headers = {"Authorization": f"Bearer {organizer_token}"}
    for method, path, path_parameters, query, body, status in CHOSEN:
        with subtests.test(f"{method} {path} {query or ''}{body or ''} -> {status}"):
            if isinstance(body, str):
                body = bodies[body]
            call = {} if body is None else {"body": body}
            case = api_schema[path][method].Case(
                path_parameters=path_parameters, query=query, **call
            )

            response = case.call_and_validate(headers=headers, checks=CHECKS)

            assert response.status_code == status, response.text[:300]
            if body is not None and status == 200:
                answer = response.json()
                results = answer.get("results", [answer])
                assert results[0]["result"] in {"welcome", "already_checked_in"}
                assert results[0]["person"]["name"] == "Vera Visitor"
            if query.get("compare") == FORUM_SLUG:
                assert response.json()["comparison"]["edition"] == FORUM_SLUG
