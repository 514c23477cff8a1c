"""Pagination of the API's lists (GET /api/v1/editions here; the exhibitors in their own file)."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient

from tests.api.support import assert_json_error, get, token_for
from tests.helpers import make_edition, make_user

URL = "/api/v1/editions"


@pytest.fixture
def token(app) -> str:  # type: ignore[no-untyped-def]
    # Editions are public information: any account's token reads them.
    return token_for(make_user("ada@example.org"))


def make_editions(count: int) -> list[str]:
    """`count` editions, one a year from 2001; their slugs newest first (the API's order)."""
    slugs = []
    for number in range(count):
        year = 2001 + number
        slug = f"telecom-world-{year}"
        make_edition(
            slug,
            name=f"ITU TELECOM World {year}",
            start_date=date(year, 10, 12),
            end_date=date(year, 10, 15),
        )
        slugs.append(slug)
    return slugs[::-1]


def slugs_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [edition["slug"] for edition in response.get_json()["editions"]]


def test_the_default_page_holds_up_to_fifty_with_the_totals(
    client: FlaskClient, token: str
) -> None:
    newest_first = make_editions(3)

    response = get(client, URL, token)

    assert response.status_code == 200
    body = response.get_json()
    assert slugs_of(response) == newest_first
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 50, 3, 1)


def test_pages_split_the_list_in_order_without_gaps_or_repeats(
    client: FlaskClient, token: str
) -> None:
    newest_first = make_editions(5)

    pages = [get(client, f"{URL}?page={n}&per_page=2", token) for n in (1, 2, 3)]

    assert [slugs_of(page) for page in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:5],
    ]
    for number, page in enumerate(pages, start=1):
        body = page.get_json()
        assert (body["page"], body["per_page"], body["total"], body["pages"]) == (number, 2, 5, 3)


def test_a_page_past_the_last_is_empty_not_an_error(client: FlaskClient, token: str) -> None:
    make_editions(2)

    response = get(client, f"{URL}?page=9&per_page=2", token)

    assert response.status_code == 200
    body = response.get_json()
    assert body["editions"] == []
    assert (body["page"], body["total"], body["pages"]) == (9, 2, 1)


@pytest.mark.parametrize("per_page", [1, 100])
def test_per_page_takes_its_bounds(client: FlaskClient, token: str, per_page: int) -> None:
    newest_first = make_editions(3)

    body = get(client, f"{URL}?per_page={per_page}", token).get_json()

    assert body["per_page"] == per_page
    assert [e["slug"] for e in body["editions"]] == newest_first[:per_page]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("page=0", "page must be a whole number from 1"),
        ("page=-1", "page must be a whole number from 1"),
        ("page=two", "page must be a whole number from 1"),
        ("page=1.5", "page must be a whole number from 1"),
        ("page=", "page must be a whole number from 1"),
        ("page=%EF%BC%92", "page must be a whole number from 1"),  # a full-width digit two
        ("page=1000001", "page must be a whole number from 1 to 1000000"),
        ("page=99999999999999999999", "page must be a whole number from 1"),
        ("per_page=0", "per_page must be a whole number from 1 to 100"),
        ("per_page=101", "per_page must be a whole number from 1 to 100"),
        ("per_page=all", "per_page must be a whole number from 1 to 100"),
        ("page=1&per_page=-5", "per_page must be a whole number from 1 to 100"),
    ],
)
def test_bad_page_values_are_a_clear_json_400(
    client: FlaskClient, token: str, query: str, words: str
) -> None:
    make_editions(1)

    response = get(client, f"{URL}?{query}", token)

    assert_json_error(response, 400, words)


def test_the_list_needs_a_token(client: FlaskClient) -> None:
    make_editions(1)
    assert_json_error(get(client, f"{URL}?page=1"), 401)
