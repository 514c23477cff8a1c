"""GET /api/v1/editions/<slug>/exhibitors: the public directory as JSON, filtered and paginated.

The hand-built KPI edition lists four exhibitors: Alpha (paid booth A1 in
hall H1), the Hungary Pavilion (national, booth A2 in H1), Coex (its approved
co-exhibitor) and Late Giant (booth B1 in H2). A rejected co-exhibitor, a
held booth and a cancelled booking are not exhibitors.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.exhibitors.models import Organisation, Sector
from telecom.extensions import db
from tests.api.support import assert_json_error, get, token_for
from tests.helpers import html, make_user
from tests.kpi.support import build_edition

SLUG = "kpi-world-2015"
URL = f"/api/v1/editions/{SLUG}/exhibitors"
LISTED = ["Alpha", "Coex", "Hungary Pavilion", "Late Giant"]
NOT_LISTED = ["Refused Coex", "Holder", "Quitter"]


def organisation(name: str) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.display_name == name))
    assert found is not None
    return found


@pytest.fixture
def token(app) -> str:  # type: ignore[no-untyped-def]
    build_edition(SLUG)
    alpha = organisation("Alpha")
    alpha.sector = Sector.OPERATOR
    alpha.website = "https://alpha.example"
    alpha.description = "Fibre for everyone."
    alpha.contact_email = "private-contact@alpha.example"
    alpha.billing_address = "Private billing street 1"
    alpha.vat_number = "CHE-PRIVATE-123"
    organisation("Late Giant").sector = Sector.EQUIPMENT_VENDOR
    commit()
    # Any account may read the directory: a plain participant here.
    return token_for(make_user("pat@example.org", roles={Role.PARTICIPANT}))


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    return [exhibitor["name"] for exhibitor in response.get_json()["exhibitors"]]


def test_any_token_holder_reads_the_listed_exhibitors_by_name(
    client: FlaskClient, token: str
) -> None:
    response = get(client, URL, token)

    assert names(response) == LISTED
    body = response.get_json()
    assert body["edition"] == SLUG
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 50, 4, 1)
    alpha, coex, pavilion, giant = body["exhibitors"]
    assert alpha["country"] == "CH"
    assert (alpha["sector"], alpha["sector_label"]) == ("operator", "Operator")
    assert alpha["website"] == "https://alpha.example"
    assert alpha["description"] == "Fibre for everyone."
    assert alpha["booths"] == [
        {"code": "A1", "hall": "H1", "hall_name": "Hall 1", "area_sqm": "9.00"}
    ]
    assert alpha["pavilion_kind"] is None and alpha["pavilion"] is None
    assert alpha["logo_url"] is None
    assert alpha["profile_url"].endswith(f"/editions/{SLUG}/exhibitors/{alpha['id']}")
    assert pavilion["pavilion_kind"] == "national"
    assert pavilion["website"] is None
    # A co-exhibitor exhibits on its pavilion's booth.
    assert coex["pavilion"] == {"id": pavilion["id"], "name": "Hungary Pavilion"}
    assert (
        coex["booths"]
        == pavilion["booths"]
        == [{"code": "A2", "hall": "H1", "hall_name": "Hall 1", "area_sqm": "20.00"}]
    )
    assert giant["booths"][0]["hall"] == "H2"


def test_the_api_lists_what_the_public_directory_page_lists(
    client: FlaskClient, token: str
) -> None:
    page = html(client.get(f"/editions/{SLUG}/exhibitors"))
    api_names = names(get(client, URL, token))

    assert api_names == LISTED
    for name in LISTED:
        assert name in page
    for name in NOT_LISTED:
        assert name not in page
        assert name not in api_names


def test_nothing_private_is_given(client: FlaskClient, token: str) -> None:
    response = get(client, URL, token)

    text = response.get_data(as_text=True)
    for secret in ("private-contact@alpha.example", "Private billing street", "CHE-PRIVATE"):
        assert secret not in text
    for exhibitor in response.get_json()["exhibitors"]:
        assert not {"turnover_band", "rate_category", "contact_email", "billing_address"} & set(
            exhibitor
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=hung", ["Hungary Pavilion"]),
        ("q=%20%20ALPHA%20", ["Alpha"]),
        ("q=e", ["Coex", "Late Giant"]),
        ("q=%25", []),  # "%" is a character, not a wildcard
        ("country=de", ["Coex"]),
        ("country=HU", ["Hungary Pavilion"]),
        ("sector=operator", ["Alpha"]),
        ("sector=other", ["Coex", "Hungary Pavilion"]),
        ("hall=H1", ["Alpha", "Coex", "Hungary Pavilion"]),
        ("hall=H2", ["Late Giant"]),
        ("hall=H3", []),  # a hall with only a held booth
        ("hall=H1&sector=other&q=co", ["Coex"]),
        ("country=US&sector=operator", []),
    ],
)
def test_filters_narrow_the_list(
    client: FlaskClient, token: str, query: str, expected: list[str]
) -> None:
    response = get(client, f"{URL}?{query}", token)

    assert names(response) == expected
    assert response.get_json()["total"] == len(expected)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("country=XX", "country must be an ISO 3166 two-letter country code"),
        ("country=Hungary", "country must be an ISO 3166 two-letter country code"),
        ("sector=telecoms", "sector must be one of: operator, equipment_vendor"),
        ("hall=H9", "has no hall with the code given in hall"),
        ("q=" + "x" * 101, "q must be at most 100 characters"),
        ("q=al%00pha", "The request contains a NUL character"),
        ("per_page=101", "per_page must be a whole number from 1 to 100"),
        ("page=0", "page must be a whole number from 1"),
    ],
)
def test_bad_filters_are_a_clear_json_400(
    client: FlaskClient, token: str, query: str, words: str
) -> None:
    assert_json_error(get(client, f"{URL}?{query}", token), 400, words)


def test_pages_of_the_directory(client: FlaskClient, token: str) -> None:
    first = get(client, f"{URL}?per_page=3", token)
    second = get(client, f"{URL}?per_page=3&page=2", token)
    beyond = get(client, f"{URL}?per_page=3&page=3", token)

    assert names(first) + names(second) == LISTED
    assert names(first) == LISTED[:3]
    assert names(beyond) == []
    for response in (first, second, beyond):
        body = response.get_json()
        assert (body["per_page"], body["total"], body["pages"]) == (3, 4, 2)


def test_the_directory_needs_a_token(client: FlaskClient, token: str) -> None:
    assert_json_error(get(client, URL), 401, "Authorization: Bearer")
    assert_json_error(get(client, URL, "tw_not-a-real-token"), 401)


def test_an_unknown_edition_is_a_json_404(client: FlaskClient, token: str) -> None:
    assert_json_error(
        get(client, "/api/v1/editions/telecom-world-1865/exhibitors", token),
        404,
        "telecom-world-1865",
    )
