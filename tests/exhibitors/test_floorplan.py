"""The public floor plan: every booth drawn to scale, coloured and patterned by status.

A visitor opens /editions/<slug>/floorplan and sees each hall as an SVG whose
units are metres, every booth at its place, its status as a class and a
pattern, and its size, type and price on hover or focus.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from flask.testing import FlaskClient

from telecom.events.models import Edition
from telecom.exhibitors.models import BoothType, ExhibitionSettings
from telecom.exhibitors.services import booking as booking_services
from telecom.extensions import db
from tests.core import visible_text
from tests.exhibitors.floorplan_support import (
    PLAN_URL,
    book,
    booth,
    count_statements,
    drawn_codes,
    expire,
    hall,
    hold,
    organisation,
    row_of_booths,
    svg_booth,
    system_organizer,
)
from tests.helpers import make_edition, submit_form


@pytest.fixture
def edition(app) -> Edition:
    return make_edition()


def choose_language(client: FlaskClient, locale: str) -> None:
    response = submit_form(
        client, "/account/language", {"locale": locale, "next": "/"}, form_page="/"
    )
    assert response.status_code == 302


def plan_page(client: FlaskClient, query: str = "") -> str:
    response = client.get(PLAN_URL + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_booth_is_drawn_to_scale_in_metres(client, edition):
    hall_f = hall(edition, "F", "60", "40")
    booth(edition, hall_f, "F1", "0", "0", "3", "3")
    booth(edition, hall_f, "F2", "6.5", "4", "4.5", "2.5")
    booth(edition, hall_f, "F10", "50", "30", "10", "10", booth_type=BoothType.SPACE_ONLY)

    page = plan_page(client)

    assert re.search(r'<svg id="hall-\d+-plan" class="floorplan-svg" viewBox="0 0 60 40"', page)
    assert 'class="hall-outline" x="0" y="0" width="60" height="40"' in page
    assert drawn_codes(page) == ["F1", "F2", "F10"]  # natural order: F2 before F10
    assert '<rect class="booth-shape" x="6.5" y="4" width="4.5" height="2.5"/>' in svg_booth(
        page, "F2"
    )
    assert '<rect class="booth-shape" x="50" y="30" width="10" height="10"/>' in svg_booth(
        page, "F10"
    )
    # The code is written in the middle of the booth.
    assert '<text class="booth-code" x="8.75" y="5.25"' in svg_booth(page, "F2")


def test_status_is_a_class_a_pattern_and_words(client, edition):
    hall_f = hall(edition)
    free, held, booked, blocked = row_of_booths(edition, hall_f, 4)
    book(booked, organisation(edition, "Huawei"))
    hold(held, organisation(edition, "Secret Holder"))
    booking_services.set_blocked(blocked, True, actor=system_organizer(), reason="Fire exit")

    page = plan_page(client)

    available = svg_booth(page, free.code)
    assert available.startswith("<a ")
    assert f'href="/editions/telecom-world-2015/booths/{free.id}"' in available
    assert "booth--available" in available
    assert 'fill="url(#fp-pattern' not in available

    for code, status in ((held.code, "held"), (booked.code, "booked"), (blocked.code, "blocked")):
        drawn = svg_booth(page, code)
        assert drawn.startswith("<g "), f"{status} booth must not be a link"
        assert f"booth--{status}" in drawn
        assert 'tabindex="0"' in drawn  # reachable by keyboard for its details
        assert f'fill="url(#fp-pattern-{status})"' in drawn  # not colour alone
        assert status.capitalize() in drawn  # and in words

    assert "Exhibitor: Huawei" in svg_booth(page, booked.code)
    assert "exhibitor Huawei" in svg_booth(page, booked.code)  # in the aria-label too
    held_text = svg_booth(page, held.code)
    assert "Held by an exhibitor" in held_text
    assert "Secret Holder" not in page  # who holds a booth is not public

    legend = visible_text(client.get(PLAN_URL))
    for words in ("Available (1)", "Held (1)", "Booked (1)", "Blocked (1)"):
        assert words in legend


def test_an_expired_hold_shows_the_booth_as_available(client, edition):
    hall_f = hall(edition)
    (only,) = row_of_booths(edition, hall_f, 1)
    booking = hold(only, organisation(edition, "Slowpoke"))
    assert "booth--held" in svg_booth(plan_page(client), only.code)

    expire(booking)

    drawn = svg_booth(plan_page(client), only.code)
    assert "booth--available" in drawn and drawn.startswith("<a ")
    assert "Slowpoke" not in drawn


def test_hover_and_focus_details_give_size_type_layout_and_price(client, edition):
    hall_f = hall(edition)
    shell = booth(edition, hall_f, "F1", "0", "0", "3", "3", open_sides=2)
    override = booth(
        edition, hall_f, "F2", "3", "0", "6", "3", booth_type=BoothType.SPACE_ONLY,
        open_sides=4, price_override="12345.50",
    )  # fmt: skip

    page = plan_page(client)

    # 9 sqm × CHF 520 (shell scheme) = 4,680.00, + 5 % corner surcharge = 4,914.00
    title = re.search(r"<title>(.*?)</title>", svg_booth(page, shell.code), re.S).group(1)
    assert title.splitlines() == [
        "Booth F1 — Available",
        "3 m × 3 m (9 sqm)",
        "Shell scheme · Corner, 2 open sides",
        "Price: CHF4,914.00",
    ]
    aria = re.search(r'aria-label="([^"]+)"', svg_booth(page, override.code)).group(1)
    assert aria == "Booth F2, available, 6 m × 3 m, 18 sqm, CHF12,345.50"
    assert "Space only · Island, 4 open sides" in svg_booth(page, override.code)


def test_prices_follow_the_editions_settings(client, edition):
    db.session.add(ExhibitionSettings(edition_id=edition.id, price_shell_scheme=Decimal("600")))
    db.session.commit()
    hall_f = hall(edition)
    booth(edition, hall_f, "F1", "0", "0", "2", "3")

    assert "Price: CHF3,600.00" in svg_booth(plan_page(client), "F1")


def test_the_hall_switcher_shows_one_hall_at_a_time(client, edition):
    hall_f, hall_g = hall(edition, "F"), hall(edition, "G", "30", "20")
    booth(edition, hall_f, "F1")
    booth(edition, hall_g, "G1")

    everything = plan_page(client)
    assert drawn_codes(everything) == ["F1", "G1"]
    assert 'href="/editions/telecom-world-2015/floorplan?hall=G"' in everything

    only_g = plan_page(client, "?hall=G")
    assert drawn_codes(only_g) == ["G1"]
    assert 'viewBox="0 0 30 20"' in only_g
    assert re.search(
        r'aria-current="page" href="/editions/telecom-world-2015/floorplan\?hall=G"', only_g
    )

    lower_case = plan_page(client, "?hall=g")
    assert drawn_codes(lower_case) == ["G1"]

    unknown = client.get(PLAN_URL + "?hall=Z")
    assert unknown.status_code == 200
    assert "There is no hall “Z”; all halls are shown." in visible_text(unknown)
    assert drawn_codes(unknown.get_data(as_text=True)) == ["F1", "G1"]


def test_highlight_outlines_a_booth_and_opens_its_hall(client, edition):
    hall_f, hall_g = hall(edition, "F"), hall(edition, "G")
    booth(edition, hall_f, "F1")
    target = booth(edition, hall_g, "G7", "12", "6", "6", "3")

    page = plan_page(client, "?highlight=g7")

    assert drawn_codes(page) == ["G7"]  # the booth's hall, not every hall
    drawn = svg_booth(page, "G7")
    assert "booth--highlight" in drawn
    assert "highlighted" in drawn  # said, not only drawn
    assert '<rect class="booth-highlight-ring" x="12" y="6" width="6" height="3"/>' in page
    assert "Booth G7 is outlined on the plan." in visible_text(
        client.get(PLAN_URL + "?highlight=G7")
    )
    assert target.id

    other_hall = client.get(PLAN_URL + "?hall=F&highlight=G7")
    assert drawn_codes(other_hall.get_data(as_text=True)) == ["G7"]
    assert "Booth G7 is in hall G, shown here." in visible_text(other_hall)

    missing = client.get(PLAN_URL + "?highlight=NOPE")
    assert missing.status_code == 200
    assert "There is no booth “NOPE” on this plan." in visible_text(missing)
    assert "booth--highlight" not in missing.get_data(as_text=True)


def test_the_page_needs_no_inline_script_or_style(client, edition):
    hall_f = hall(edition)
    row_of_booths(edition, hall_f, 3)
    page = plan_page(client)

    assert "style=" not in page
    assert "<style" not in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert '<script src="/static/js/floorplan.js">' in page
    assert '<link rel="stylesheet" href="/static/css/floorplan.css">' in page
    for asset in ("/static/js/floorplan.js", "/static/css/floorplan.css"):
        with client.get(asset) as response:
            assert response.status_code == 200
    # Zoom buttons stay hidden until the script runs: without it they would do nothing.
    assert re.search(r'class="btn-group btn-group-sm floorplan-zoom"[^>]*hidden>', page)
    assert 'role="group" aria-labelledby="hall-' in page


def test_an_edition_without_halls_and_an_unknown_edition(client, edition):
    response = client.get(PLAN_URL)
    assert response.status_code == 200
    assert "not published yet" in visible_text(response)
    assert client.get("/editions/no-such-edition/floorplan").status_code == 404


def _plan_statements(app, client: FlaskClient, slug: str) -> int:
    client.get(f"/editions/{slug}/floorplan")  # warm up
    with count_statements(app) as statements:
        response = client.get(f"/editions/{slug}/floorplan")
    assert response.status_code == 200
    return len(statements)


def test_the_plan_takes_the_same_number_of_statements_for_10_and_50_booths(app, client):
    counts = {}
    for size in (10, 50):
        edition = make_edition(f"bench-{size}", name=f"Bench {size}")
        hall_f = hall(edition, "F", "100", "100")
        booths = row_of_booths(edition, hall_f, size)
        for n, taken in enumerate(booths[: size // 2]):
            exhibitor = organisation(edition, f"Exhibitor {size}-{n}")
            (book if n % 2 else hold)(taken, exhibitor)
        booking_services.set_blocked(booths[-1], True, actor=system_organizer())
        page = client.get(f"/editions/{edition.slug}/floorplan").get_data(as_text=True)
        assert len(drawn_codes(page)) == size
        counts[size] = _plan_statements(app, client, edition.slug)

    assert counts[10] == counts[50]
    assert counts[50] <= 6  # edition, halls, booths, bookings, settings (+ nothing per booth)


def test_list_page_statements_do_not_grow_either(app, client):
    counts = {}
    for size in (10, 40):
        edition = make_edition(f"list-{size}", name=f"List {size}")
        booths = row_of_booths(edition, hall(edition, "F", "100", "100"), size)
        book(booths[0], organisation(edition, f"Exhibitor {size}"))
        client.get(f"/editions/{edition.slug}/booths")
        with count_statements(app) as statements:
            assert client.get(f"/editions/{edition.slug}/booths?status=booked").status_code == 200
        counts[size] = len(statements)
    assert counts[10] == counts[40]


def test_plan_page_is_readable_as_text(client, edition):
    """Screen readers get a label per booth; the SVG is a labelled group per hall."""
    hall_f = hall(edition, name="Pavilion F")
    booth(edition, hall_f, "F1")
    page = unescape(plan_page(client))
    assert re.search(r'<h2 class="h5 mb-0" id="hall-(\d+)-title">Pavilion F \(F\)', page)
    assert 'aria-label="Booth F1, available, 3 m × 3 m, 9 sqm, CHF4,680.00"' in page
    assert "Skip the plan and go to the booth list" in page


@pytest.mark.parametrize("locale", ["ar", "fr", "es", "zh", "ru"])
def test_the_plan_and_the_list_render_in_every_language(client, edition, locale):
    hall_f = hall(edition, "F", "60", "40")
    booth(edition, hall_f, "F1", "0.5", "0", "2.5", "3")
    book(booth(edition, hall_f, "F2", "3", "0", "6", "3"), organisation(edition, "Orange"))
    choose_language(client, locale)

    page = plan_page(client)
    assert f'<html lang="{locale}"' in page
    # Geometry stays in plain SVG numbers whatever the language ("0.5", never "0,5").
    assert '<rect class="booth-shape" x="0.5" y="0" width="2.5" height="3"/>' in page
    assert "Orange" in svg_booth(page, "F2")
    assert client.get("/editions/telecom-world-2015/booths?area_min=abc").status_code == 200
    if locale == "fr":  # numbers in the words follow the language
        assert "2,5 m × 3 m" in svg_booth(page, "F1")


def test_names_are_escaped_in_the_drawing(client, edition):
    hall_f = hall(edition)
    pavilion = organisation(edition, '"><script>alert(1)</script>', pavilion=True)
    booth(edition, hall_f, "F1", pavilion=pavilion)
    book(booth(edition, hall_f, "F2", "3"), organisation(edition, "<b>Evil & Co</b>"))

    page = plan_page(client)

    assert "<script>alert(1)" not in page and "<b>Evil" not in page
    assert "Exhibitor: &lt;b&gt;Evil &amp; Co&lt;/b&gt;" in page
    assert 'exhibitor &lt;b&gt;Evil &amp; Co&lt;/b&gt;"' in page  # inside the aria-label
    assert "Reserved for the pavilion: &#34;&gt;&lt;script&gt;" in page
