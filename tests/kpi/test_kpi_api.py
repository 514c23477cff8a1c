"""GET /api/v1/editions/<slug>/kpis: the JSON shape, authentication, organizers only."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from telecom.auth import services as auth_services
from telecom.auth.models import User
from telecom.core.permissions import Role
from tests.helpers import make_organizer, make_user
from tests.kpi.support import build_edition

URL = "/api/v1/editions/kpi-world-2015/kpis"
KPI_KEYS = {
    "candidate_venues": {"count", "chosen"},
    "exhibitors": {"total", "countries", "by_turnover_band", "satisfaction"},
    "exhibition_size": {"net_sqm", "gross_sqm", "booths", "pavilions"},
    "trade_visitors": {"registered", "attended", "visits"},
    "vips": {"attended", "by_category"},
    "forum": {"participants", "sessions", "satisfaction"},
    "accredited_media": {"approved", "attended"},
    "total_participants": {"attended", "countries"},
    "web_traffic": {"page_views", "unique_visitors", "from", "to"},
    "financial_result": {"revenue", "revenue_by_stream", "costs", "result"},
}


def token_for(user: User) -> str:
    _token, secret = auth_services.create_api_token(user, "kpi export", actor=None)
    return secret


def get(client: FlaskClient, url: str, token: str | None) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


def test_an_organizer_gets_every_kpi_as_json(app: Flask, client: FlaskClient) -> None:
    build_edition()
    token = token_for(make_organizer())

    response = get(client, URL, token)

    assert response.status_code == 200
    body = response.get_json()
    assert {"edition", "as_of", "currency", "kpis", "not_collected"} <= body.keys()
    assert (body["edition"], body["as_of"], body["currency"]) == ("kpi-world-2015", None, "CHF")
    for group, keys in KPI_KEYS.items():
        assert keys <= body["kpis"][group].keys(), group
    assert {"responses", "mean_score", "nps", "by_turnover_band"} <= (
        body["kpis"]["exhibitors"]["satisfaction"].keys()
    )
    assert body["kpis"]["forum"]["satisfaction"] == {"ratings": 3, "mean_rating": "3.67"}
    money = body["kpis"]["financial_result"]
    assert money["revenue"] == "1450.00" and money["costs"] == "0.00"
    assert set(money["revenue_by_stream"]) == {"booths", "passes", "other"}
    assert body["kpis"]["exhibition_size"]["net_sqm"] == "35.00"


def test_as_of_selects_the_figures_at_the_end_of_that_day(app: Flask, client: FlaskClient) -> None:
    build_edition()
    token = token_for(make_organizer())

    body = get(client, f"{URL}?as_of=2015-10-12", token).get_json()

    assert body["as_of"] == "2015-10-12"
    assert body["kpis"]["trade_visitors"] == {"registered": 4, "attended": 2, "visits": 2}


@pytest.mark.parametrize("as_of", ["yesterday", "2015-13-01", "20151012", "2015-02-30", "2015-W42"])
def test_a_bad_as_of_is_a_clear_400(app: Flask, client: FlaskClient, as_of: str) -> None:
    build_edition()
    token = token_for(make_organizer())

    response = get(client, f"{URL}?as_of={as_of}", token)

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "as_of must be a date written YYYY-MM-DD, for example 2015-10-15.",
        "status": 400,
    }


def test_without_a_token_the_answer_is_401(app: Flask, client: FlaskClient) -> None:
    build_edition()

    response = get(client, URL, None)

    assert response.status_code == 401
    assert "error" in response.get_json()
    assert get(client, URL, "not-a-token").status_code == 401


@pytest.mark.parametrize("role", [Role.CHECKIN_STAFF, Role.EXHIBITOR_CONTACT, Role.PARTICIPANT])
def test_only_organizers_may_read_kpis(app: Flask, client: FlaskClient, role: Role) -> None:
    build_edition()
    token = token_for(make_user(f"{role.value}@example.org", roles={role}))

    response = get(client, URL, token)

    assert response.status_code == 403
    body = response.get_json()
    assert body["status"] == 403 and body["error"]
    assert "kpis" not in body


def test_an_unknown_edition_is_a_json_404(app: Flask, client: FlaskClient) -> None:
    token = token_for(make_organizer())

    response = get(client, "/api/v1/editions/no-such-edition/kpis", token)

    assert response.status_code == 404
    assert response.get_json()["status"] == 404
    assert "no-such-edition" in response.get_json()["error"]
