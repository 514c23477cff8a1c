"""GET /api/v1/plan: the whole plan with baselines, targets and values per edition."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from telecom.auth import services as auth_services
from telecom.auth.models import User
from telecom.core.permissions import Role
from telecom.plan.services import load_plan, set_target, set_value, update_baseline
from tests.helpers import make_edition, make_organizer, make_user
from tests.kpi.support import build_edition
from tests.plan.support import kpi_by_engine_key, kpi_of

URL = "/api/v1/plan"
KPI_KEYS = {
    "id", "text", "engine_key", "unit", "baseline", "baseline_note", "targets", "values",
}  # fmt: skip


def token_for(user: User) -> str:
    _token, secret = auth_services.create_api_token(user, "plan", actor=None)
    return secret


def get(client: FlaskClient, token: str | None) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(URL, headers=headers)


def kpi_json(body: dict, number: int, position: int) -> dict:
    return body["objectives"][number - 1]["kpis"][position - 1]  # type: ignore[no-any-return]


def test_an_organizer_gets_the_whole_plan_with_its_values(app: Flask, client: FlaskClient) -> None:
    load_plan()
    organizer = make_organizer()
    built = build_edition()  # 12-15 October 2015
    make_edition("telecom-world-2013", name="ITU TELECOM World 2013",
                         start_date=date(2013, 11, 19), end_date=date(2013, 11, 22))  # fmt: skip
    membership = kpi_of(2, 4)
    update_baseline(membership, Decimal("71.50"), "2011 survey", actor=organizer)
    set_target(kpi_of(2, 4), 2015, Decimal("80"), "", actor=organizer)
    set_target(kpi_of(2, 4), 2013, None, "not set", actor=organizer)
    set_value(kpi_of(2, 4), built.edition, Decimal("76.25"), "MCG", actor=organizer)
    set_target(kpi_by_engine_key("trade_visitors"), 2015, Decimal("10000"), "", actor=organizer)

    response = get(client, token_for(organizer))

    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["objectives"]
    objectives = body["objectives"]
    slugs = ["telecom-world-2013", built.edition.slug]  # every edition, oldest first
    assert [o["number"] for o in objectives] == [1, 2, 3, 4, 5, 6]
    assert [
        (len(o["outputs"]), len(o["expected_results"]), len(o["kpis"])) for o in objectives
    ] == [(1, 4, 4), (7, 8, 9), (3, 4, 4), (4, 4, 5), (2, 5, 6), (4, 6, 10)]
    for objective in objectives:
        assert set(objective) == {"number", "title", "outputs", "expected_results", "kpis"}
        for kpi in objective["kpis"]:
            assert set(kpi) == KPI_KEYS
            assert [value["edition"] for value in kpi["values"]] == slugs
            for value in kpi["values"]:
                assert set(value) == {"edition", "value", "source", "note"}
    assert objectives[5]["outputs"][1] == "ITU TELECOM World 2015"

    entered = kpi_json(body, 2, 4)
    assert entered["text"] == "Membership satisfaction"
    assert (entered["engine_key"], entered["unit"]) == (None, "")
    assert (entered["baseline"], entered["baseline_note"]) == ("71.5", "2011 survey")
    assert entered["targets"] == [
        {"year": 2013, "value": None, "note": "not set"},
        {"year": 2015, "value": "80", "note": ""},
    ]
    assert entered["values"] == [
        {"edition": "telecom-world-2013", "value": None, "source": "entered", "note": ""},
        {"edition": built.edition.slug, "value": "76.25", "source": "entered", "note": "MCG"},
    ]

    live = {kpi["engine_key"]: kpi for kpi in objectives[5]["kpis"]}
    assert list(live)[:3] == ["candidate_venues", "exhibitors", "exhibition_size"]
    this = {key: kpi["values"][1] for key, kpi in live.items()}
    assert {key: value["source"] for key, value in this.items()} == dict.fromkeys(live, "engine")
    assert this["candidate_venues"]["value"] == "3"
    assert this["exhibitors"]["value"] == "4"
    assert this["exhibition_size"]["value"] == "35.00"
    assert this["trade_visitors"]["value"] == "3"
    assert this["accredited_media"]["value"] == "2"
    assert live["trade_visitors"]["targets"] == [{"year": 2015, "value": "10000", "note": ""}]
    assert live["financial_result"]["unit"] == "currency"
    # The same figures as the edition's KPI endpoint.
    kpis = client.get(
        f"/api/v1/editions/{built.edition.slug}/kpis",
        headers={"Authorization": f"Bearer {token_for(organizer)}"},
    ).get_json()["kpis"]
    assert this["financial_result"]["value"] == kpis["financial_result"]["result"]
    assert this["web_traffic"]["value"] == str(kpis["web_traffic"]["page_views"])
    assert this["total_participants"]["value"] == str(kpis["total_participants"]["attended"])
    # An edition without records: zeros, still computed.
    assert live["trade_visitors"]["values"][0] == {
        "edition": "telecom-world-2013", "value": "0", "source": "engine", "note": "",
    }  # fmt: skip


def test_the_answer_is_the_same_every_time(app: Flask, client: FlaskClient) -> None:
    load_plan()
    make_edition()
    token = token_for(make_organizer())

    assert get(client, token).get_data() == get(client, token).get_data()


def test_an_empty_plan_is_an_empty_list(app: Flask, client: FlaskClient) -> None:
    response = get(client, token_for(make_organizer()))

    assert response.status_code == 200
    assert response.get_json() == {"objectives": []}


def test_without_a_token_the_answer_is_401_json(app: Flask, client: FlaskClient) -> None:
    load_plan()

    response = get(client, None)

    assert response.status_code == 401
    assert "error" in response.get_json()
    assert get(client, "tw_not-a-real-token").status_code == 401


def test_other_roles_get_403_json(app: Flask, client: FlaskClient) -> None:
    load_plan()
    staff = make_user("staff@example.org", roles={Role.CHECKIN_STAFF, Role.PROTOCOL})

    response = get(client, token_for(staff))

    assert response.status_code == 403
    assert response.is_json and "error" in response.get_json()
    assert "objectives" not in response.get_json()
