"""The public exhibitor directory: who is listed, search, filters, pages, profiles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from telecom.exhibitors.models import Organisation, PavilionKind, Sector
from telecom.exhibitors.services import booking as booking_services
from telecom.exhibitors.services import organisations as services
from telecom.extensions import db
from tests.core import visible_text
from tests.exhibitors.organisations_support import (
    SLUG,
    book,
    client_for,
    hold,
    invite,
    make_booth,
    make_hall,
    png_bytes,
    register,
    register_pavilion,
    use_upload_folder,
)
from tests.helpers import make_edition, make_organizer, make_user

DIRECTORY = f"/editions/{SLUG}/exhibitors"


@pytest.fixture
def uploads(app, tmp_path):
    return use_upload_folder(app, tmp_path)


@dataclass
class Show:
    organizer: object
    contact: object
    nokia: Organisation
    huawei: Organisation
    fifty_percent: Organisation
    five_hundred: Organisation
    held_only: Organisation
    no_booking: Organisation
    hungary: Organisation
    startup: Organisation
    pending: Organisation


@pytest.fixture
def show(app, uploads) -> Show:
    """Two halls; some organisations booked, one only holding, one pavilion."""
    edition = make_edition()
    organizer = make_organizer()
    contact = make_user("contact@example.org")
    hall_f, hall_g = make_hall(edition, "F", "Hall F"), make_hall(edition, "G", "Hall G")

    nokia = register(
        edition, contact, "Nokia Oyj", display_name="Nokia", country="FI",
        description="Networks.\n\nMobile broadband.", website="https://www.nokia.com",
    )  # fmt: skip
    services.update_organisation(
        nokia,
        services.OrganisationData(
            legal_name="Nokia Oyj", display_name="Nokia", country="FI",
            sector=Sector.EQUIPMENT_VENDOR, turnover_band=nokia.turnover_band,
            description="Networks.\n\nMobile broadband.", website="https://www.nokia.com",
            contact_name="C", contact_email="c@nokia.example",
        ),
        actor=contact, logo=png_bytes(),
    )  # fmt: skip
    book(make_booth(hall_f, "F1", "3", "3"), nokia, organizer)

    huawei = register(edition, contact, "Huawei Technologies", display_name="Huawei",
                      country="CN", sector=Sector.OPERATOR)  # fmt: skip
    paid = hold(make_booth(hall_g, "G1", "6", "5"), huawei, organizer)
    booking_services.mark_paid(paid, actor=None)

    fifty = register(edition, contact, "50% Solutions", country="US")
    book(make_booth(hall_g, "G2"), fifty, organizer)
    five_hundred = register(edition, contact, "500 Solutions", country="US")
    book(make_booth(hall_f, "F3"), five_hundred, organizer)

    held_only = register(edition, contact, "Held Only Kft.", country="HU")
    hold(make_booth(hall_f, "F2"), held_only, organizer)
    no_booking = register(edition, contact, "No Booking Kft.", country="HU")

    hungary = register_pavilion(
        edition, contact, "Hungarian Pavilion", display_name="Hungary", country="HU",
        pavilion_kind=PavilionKind.NATIONAL, sector=Sector.GOVERNMENT_REGULATOR,
    )  # fmt: skip
    book(make_booth(hall_g, "G3", "10", "10"), hungary, organizer)
    startup = invite(hungary, contact, "BP Start-up Kft.", display_name="BP Start-up")
    services.decide_co_exhibitor(startup, True, actor=organizer)
    pending = invite(hungary, contact, "Pending Kft.")
    return Show(
        organizer, contact, nokia, huawei, fifty, five_hundred, held_only, no_booking, hungary,
        startup, pending,
    )  # fmt: skip


def names_listed(app, **query: str) -> list[str]:
    response = app.test_client().get(DIRECTORY, query_string=query)
    assert response.status_code == 200
    return re.findall(r'<h2 class="h6 mb-1"><a href="[^"]+">([^<]+)</a>', response.text)


def test_only_confirmed_paid_and_approved_co_exhibitors_are_listed(app, show):
    assert names_listed(app) == [
        "50% Solutions", "500 Solutions", "BP Start-up", "Huawei", "Hungary", "Nokia",
    ]  # fmt: skip


def test_a_cancelled_booking_takes_the_exhibitor_off_the_directory(app, show):
    [booking] = show.nokia.bookings
    booking_services.cancel_booking(booking, actor=show.organizer, reason="Did not pay")

    assert "Nokia" not in names_listed(app)


def test_search_by_name_ignores_case_and_escapes_wildcards(app, show):
    assert names_listed(app, q="NOK") == ["Nokia"]
    assert names_listed(app, q="technologies") == ["Huawei"]  # the legal name counts too
    assert names_listed(app, q="50%") == ["50% Solutions"]
    assert names_listed(app, q="5_0") == []
    assert names_listed(app, q="held") == []  # unlisted organisations are never found


def test_filter_by_country_sector_and_hall(app, show):
    assert names_listed(app, country="HU") == ["BP Start-up", "Hungary"]
    assert names_listed(app, sector="operator") == ["Huawei"]
    # A co-exhibitor is in the hall of its pavilion's booth.
    assert names_listed(app, hall="G") == ["50% Solutions", "BP Start-up", "Huawei", "Hungary"]
    assert names_listed(app, hall="F") == ["500 Solutions", "Nokia"]
    assert names_listed(app, hall="G", country="US", q="solutions") == ["50% Solutions"]
    assert names_listed(app, sector="not-a-sector") == []


def test_the_filters_offer_exhibiting_countries_and_halls(app, show):
    page = app.test_client().get(DIRECTORY, query_string={"country": "HU"})
    text = page.text

    assert '<option selected value="HU">Hungary</option>' in text
    assert '<option value="FI">Finland</option>' in text
    assert 'value="AF"' not in text  # only countries that exhibit
    assert '<option value="G">G · Hall G</option>' in text
    assert "2 exhibitors" in visible_text(page)


def test_the_directory_is_paged(app, show):
    for number in range(30):
        co = invite(show.hungary, show.contact, f"Member {number:02d} Kft.")
        services.decide_co_exhibitor(co, True, actor=show.organizer)

    first = app.test_client().get(DIRECTORY)
    second = app.test_client().get(DIRECTORY, query_string={"page": 2, "country": "HU"})

    assert "36 exhibitors" in visible_text(first)
    assert "Page 1 of 2" in visible_text(first)
    assert len(names_listed(app)) == 24
    assert "Page 2 of 2" in visible_text(second)
    assert names_listed(app, page="2", country="HU") == [
        *(f"Member {n:02d} Kft." for n in range(22, 30))
    ]
    # The next-page link keeps the filters.
    filtered = app.test_client().get(DIRECTORY, query_string={"country": "HU"})
    links = re.findall(r'class="page-link" href="([^"]+)"', filtered.text)
    next_link = urlsplit(links[-1].replace("&amp;", "&"))
    assert parse_qs(next_link.query) == {"country": ["HU"], "page": ["2"]}


def test_an_exhibitor_page_shows_the_profile_and_the_booth_on_the_plan(app, show):
    response = app.test_client().get(f"{DIRECTORY}/{show.nokia.id}")

    assert response.status_code == 200
    text = visible_text(response)
    for expected in ("Nokia", "Finland", "Equipment vendor", "Networks.", "Mobile broadband.",
                     "https://www.nokia.com", "Hall F (F)"):  # fmt: skip
        assert expected in text, expected
    link = re.search(r'href="([^"]+)">Show booth F1 on the floor plan', response.text)
    assert link
    url = urlsplit(link.group(1).replace("&amp;", "&"))
    assert url.path == f"/editions/{SLUG}/floorplan"
    assert parse_qs(url.query) == {"hall": ["F"], "highlight": ["F1"]}
    logo = re.search(r'<img src="([^"]+)" alt="Logo of Nokia"', response.text)
    assert logo
    image = app.test_client().get(logo.group(1).replace("&amp;", "&"))
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Cache-Control"] == "public, max-age=86400"


def test_unlisted_organisations_are_hidden_from_the_public_but_not_from_their_own(app, show):
    for organisation in (show.held_only, show.no_booking, show.pending):
        url = f"{DIRECTORY}/{organisation.id}"
        assert app.test_client().get(url).status_code == 404, organisation.legal_name
        stranger = make_user(f"stranger{organisation.id}@example.org")
        assert client_for(app, stranger.email).get(url).status_code == 404
        own = client_for(app, show.contact.email).get(url)
        assert own.status_code == 200
        assert "This page is not public yet" in visible_text(own)
        assert client_for(app, show.organizer.email).get(url).status_code == 200


def test_an_exhibitor_of_another_edition_is_not_found(app, show):
    make_edition("telecom-world-2016", name="ITU TELECOM World 2016")

    response = app.test_client().get(f"/editions/telecom-world-2016/exhibitors/{show.nokia.id}")

    assert response.status_code == 404


def test_an_empty_directory_says_so(app):
    make_edition()

    response = app.test_client().get(DIRECTORY)

    assert response.status_code == 200
    assert "No exhibitors are confirmed yet." in visible_text(response)
    assert "No exhibitor matches your search." in visible_text(
        app.test_client().get(DIRECTORY, query_string={"q": "x"})
    )


def test_the_directory_runs_a_fixed_number_of_statements(app, show):
    def statements() -> int:
        seen: list[object] = []
        listener = lambda *args: seen.append(args)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert app.test_client().get(DIRECTORY).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = statements()
    for number in range(8):
        co = invite(show.hungary, show.contact, f"Extra {number} Kft.")
        services.decide_co_exhibitor(co, True, actor=show.organizer)

    assert statements() == before
