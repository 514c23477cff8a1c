"""The accessible booth list: the plan's information as a table, filtered without JavaScript."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from telecom.events.models import Edition
from telecom.exhibitors.models import BoothType
from telecom.exhibitors.services import booking as booking_services
from tests.core import visible_text
from tests.exhibitors.floorplan_support import (
    LIST_URL,
    book,
    booth,
    hall,
    hold,
    organisation,
    row_of_booths,
    system_organizer,
)
from tests.helpers import make_edition


@pytest.fixture
def edition(app) -> Edition:
    return make_edition()


@pytest.fixture
def plan(edition: Edition) -> Edition:
    """Hall F: F1 shell 3×3 inline (4,680), F2 shell 6×3 corner (9,828, booked by Nokia),
    F3 space-only 6×6 island (18,630, held), F4 blocked shell 3×3; hall G: G1 space-only
    10×10 peninsula (49,500)."""
    hall_f, hall_g = hall(edition, "F"), hall(edition, "G")
    booth(edition, hall_f, "F1", "0", "0", "3", "3")
    f2 = booth(edition, hall_f, "F2", "3", "0", "6", "3", open_sides=2)
    f3 = booth(
        edition, hall_f, "F3", "10", "0", "6", "6", booth_type=BoothType.SPACE_ONLY, open_sides=4
    )
    f4 = booth(edition, hall_f, "F4", "20", "0")
    booth(
        edition, hall_g, "G1", "0", "0", "10", "10", booth_type=BoothType.SPACE_ONLY, open_sides=3
    )
    book(f2, organisation(edition, "Nokia"))
    hold(f3, organisation(edition, "Quiet Holder"))
    booking_services.set_blocked(f4, True, actor=system_organizer())
    return edition


def listed(client: FlaskClient, query: str = "") -> list[str]:
    response = client.get(LIST_URL + query)
    assert response.status_code == 200, response.status_code
    return re.findall(r'<th scope="row">(?:<a [^>]*>)?([A-Z0-9]+)', response.get_data(as_text=True))


def test_the_list_shows_what_the_plan_shows(client, plan):
    response = client.get(LIST_URL)
    text = visible_text(response)
    page = response.get_data(as_text=True)

    assert listed(client) == ["F1", "F2", "F3", "F4", "G1"]
    assert "F1 F 3 m × 3 m 9 sqm Shell scheme Inline, 1 open side CHF4,680.00 Available" in text
    assert "F2 F 6 m × 3 m 18 sqm Shell scheme Corner, 2 open sides CHF9,828.00 Booked Nokia" in (
        text
    )
    assert "F3 F 6 m × 6 m 36 sqm Space only Island, 4 open sides CHF18,630.00 Held" in text
    assert "Quiet Holder" not in text  # holders stay private
    assert "G1 G 10 m × 10 m 100 sqm Space only Peninsula, 3 open sides CHF49,500.00" in text
    # Available booths link to their booth page; every row links to its place on the plan.
    assert re.search(
        r'<th scope="row"><a href="/editions/telecom-world-2015/booths/\d+">F1</a>', page
    )
    assert '<th scope="row">F2</th>' in page
    assert 'href="/editions/telecom-world-2015/floorplan?highlight=F2"' in page
    assert "5 booths match." in text


def test_the_filters_are_a_plain_get_form(client, plan):
    page = client.get(LIST_URL).get_data(as_text=True)
    assert re.search(r'<form method="get" action="/editions/telecom-world-2015/booths"', page)
    for name in ("hall", "booth_type", "open_sides", "status", "area_min", "area_max",
                 "price_min", "price_max"):  # fmt: skip
        assert f'name="{name}"' in page
    assert "<script" not in page.split("</main>")[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?hall=G", ["G1"]),
        ("?hall=F&booth_type=space_only", ["F3"]),
        ("?open_sides=2", ["F2"]),
        ("?open_sides=1&hall=F", ["F1", "F4"]),
        ("?status=available", ["F1", "G1"]),
        ("?status=booked", ["F2"]),
        ("?status=held", ["F3"]),
        ("?status=blocked", ["F4"]),
        ("?area_min=18", ["F2", "F3", "G1"]),
        ("?area_min=18&area_max=36", ["F2", "F3"]),
        ("?area_max=9", ["F1", "F4"]),
        ("?price_min=9000&price_max=20000", ["F2", "F3"]),
        ("?price_max=4680", ["F1", "F4"]),
        ("?price_min=4680.01", ["F2", "F3", "G1"]),
        ("?hall=&booth_type=&status=&area_min=&price_max=", ["F1", "F2", "F3", "F4", "G1"]),
    ],
)
def test_each_filter_narrows_the_list(client, plan, query, expected):
    assert listed(client, query) == expected


@pytest.mark.parametrize(
    ("query", "message", "expected"),
    [
        ("?area_min=abc", "“abc” is not a number", ["F1", "F2", "F3", "F4", "G1"]),
        ("?price_max=12,5&hall=G", "“12,5” is not a number", ["G1"]),
        ("?area_min=-5", "Give 0 or more.", ["F1", "F2", "F3", "F4", "G1"]),
        ("?price_min=NaN", "“NaN” is not a number", ["F1", "F2", "F3", "F4", "G1"]),
        ("?area_min=Infinity", "“Infinity” is not a number", ["F1", "F2", "F3", "F4", "G1"]),
        ("?area_min=40&area_max=10", "The upper bound is lower than the lower bound.",
         ["F1", "F2", "F3", "F4", "G1"]),
        ("?price_min=10000&price_max=5000&hall=F", "The upper bound is lower",
         ["F1", "F2", "F3", "F4"]),
        ("?hall=ZZ", "Not a valid choice", ["F1", "F2", "F3", "F4", "G1"]),
        ("?status=gone&open_sides=9", "Not a valid choice", ["F1", "F2", "F3", "F4", "G1"]),
    ],
)  # fmt: skip
def test_bad_filter_input_says_so_and_never_fails(client, plan, query, message, expected):
    response = client.get(LIST_URL + query)
    assert response.status_code == 200
    text = visible_text(response)
    assert "Some filters could not be used" in text
    assert message in text
    if "abc" in query:  # what was typed stays in the box, beside the message
        assert 'name="area_min" type="text" value="abc"' in response.get_data(as_text=True)
    assert listed(client, query) == expected


def test_long_lists_are_paged_and_keep_their_filters(client, edition):
    row_of_booths(edition, hall(edition, "F", "100", "100"), 120)
    first = client.get(LIST_URL + "?status=available")
    assert "120 booths match." in visible_text(first)
    assert len(listed(client, "?status=available")) == 100
    assert "Page 1 of 2" in visible_text(first)
    assert "status=available" in re.search(r'href="([^"]*page=2[^"]*)"', first.text).group(1)
    assert listed(client, "?status=available&page=2") == [f"F{n}" for n in range(101, 121)]
    assert client.get(LIST_URL + "?page=abc").status_code == 200
    assert client.get(LIST_URL + "?page=99").status_code == 200


def test_an_unknown_edition_has_no_list(client, app):
    assert client.get("/editions/nowhere/booths").status_code == 404
