"""Organizers create and edit editions through the HTML forms; everyone reads them."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.events.models import Edition
from telecom.extensions import db
from tests.core import fill_and_submit, form_values, text_of, visible_text
from tests.helpers import log_in, make_edition, make_organizer

NEW_URL = "/organizer/editions/new"

# What an organizer types for a new edition; currency and time zone are left
# to the form's pre-selected defaults unless a test picks them.
GENEVA_2031 = {
    "name": "ITU TELECOM World 2031",
    "slug": "telecom-world-2031",
    "city": "Geneva",
    "country": "CH",
    "venue": "Palexpo",
    "start_date": "2031-09-08",
    "end_date": "2031-09-11",
    "timezone": "Europe/Zurich",
    "campaign_start": "2031-03-01",
    "campaign_end": "2031-09-30",
}


@pytest.fixture
def organizer_client(client: FlaskClient) -> FlaskClient:
    make_organizer()
    log_in(client, "organizer@example.org")
    return client


def edition_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Edition)) or 0


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def stored_edition(slug: str) -> Edition | None:
    """The edition as the database holds it (nothing left over from the request)."""
    db.session.rollback()
    return db.session.scalar(select(Edition).where(Edition.slug == slug))


def edition_row(edition: Edition) -> dict[str, object]:
    return {
        "slug": edition.slug,
        "name": edition.name,
        "city": edition.city,
        "country": edition.country,
        "venue": edition.venue,
        "start_date": edition.start_date,
        "end_date": edition.end_date,
        "timezone": edition.timezone,
        "currency": edition.currency,
        "campaign_start": edition.campaign_start,
        "campaign_end": edition.campaign_end,
    }


# --- creating -----------------------------------------------------------------


def test_new_edition_form_starts_with_chf_and_utc(organizer_client):
    values = form_values(organizer_client.get(NEW_URL))

    assert values["currency"] == "CHF"
    assert values["timezone"] == "UTC"
    for name in ("name", "slug", "city", "venue", "start_date", "end_date", "campaign_start"):
        assert values[name] == ""


def test_organizer_creates_an_edition_and_lands_on_its_page(organizer_client):
    response = fill_and_submit(organizer_client, NEW_URL, GENEVA_2031)

    assert response.status_code == 302
    assert response.headers["Location"] == "/organizer/editions/telecom-world-2031"
    edition = stored_edition("telecom-world-2031")
    assert edition is not None
    assert edition_row(edition) == {
        "slug": "telecom-world-2031",
        "name": "ITU TELECOM World 2031",
        "city": "Geneva",
        "country": "CH",
        "venue": "Palexpo",
        "start_date": date(2031, 9, 8),
        "end_date": date(2031, 9, 11),
        "timezone": "Europe/Zurich",
        "currency": "CHF",  # the form's default, untouched
        "campaign_start": date(2031, 3, 1),
        "campaign_end": date(2031, 9, 30),
    }

    page = organizer_client.get(response.headers["Location"])
    text = visible_text(page)
    assert "Edition ITU TELECOM World 2031 created." in text
    assert "Geneva, Switzerland" in text
    assert "Palexpo" in text
    assert "Europe/Zurich" in text
    assert "CHF" in text
    assert "2031" in text


def test_organizer_can_pick_another_currency(organizer_client):
    response = fill_and_submit(organizer_client, NEW_URL, {**GENEVA_2031, "currency": "USD"})

    assert response.status_code == 302
    edition = stored_edition("telecom-world-2031")
    assert edition is not None
    assert edition.currency == "USD"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2015-10-12", "2015-10-15"),  # long past
        ("2099-01-05", "2099-01-08"),  # far future
        ("2031-09-08", "2031-09-08"),  # a one-day edition
    ],
)
def test_past_and_future_dates_are_both_accepted(organizer_client, start, end):
    typed = {**GENEVA_2031, "start_date": start, "end_date": end, "campaign_start": ""}
    typed["campaign_end"] = ""

    response = fill_and_submit(organizer_client, NEW_URL, typed)

    assert response.status_code == 302
    edition = stored_edition("telecom-world-2031")
    assert edition is not None
    assert (edition.start_date.isoformat(), edition.end_date.isoformat()) == (start, end)


def test_campaign_window_is_optional(organizer_client):
    typed = {**GENEVA_2031, "campaign_start": "", "campaign_end": ""}

    response = fill_and_submit(organizer_client, NEW_URL, typed)

    assert response.status_code == 302
    edition = stored_edition("telecom-world-2031")
    assert edition is not None
    assert edition.campaign_start is None
    assert edition.campaign_end is None
    assert "not set" in visible_text(organizer_client.get(response.headers["Location"]))


# (what the organizer types differently from GENEVA_2031, the message they read,
#  fields the re-rendered form cannot show back: a select cannot show an
#  option it does not have)
INVALID_EDITIONS = {
    "end before start": (
        {"end_date": "2031-09-07"},
        "The edition cannot end before it starts.",
        set(),
    ),
    "campaign ends before it starts": (
        {"campaign_start": "2031-06-01", "campaign_end": "2031-05-31"},
        "The campaign window cannot end before it starts.",
        set(),
    ),
    "only the campaign start": (
        {"campaign_start": "2031-03-01", "campaign_end": ""},
        "Give both the start and the end of the campaign window.",
        set(),
    ),
    "only the campaign end": (
        {"campaign_start": "", "campaign_end": "2031-09-30"},
        "Give both the start and the end of the campaign window.",
        set(),
    ),
    "slug with spaces and capitals": (
        {"slug": "Telecom World 2031!"},
        "Use only lower-case letters, digits and single hyphens.",
        set(),
    ),
    "slug with a double hyphen": (
        {"slug": "telecom--2031"},
        "Use only lower-case letters, digits and single hyphens.",
        set(),
    ),
    "slug ending in a hyphen": (
        {"slug": "telecom-2031-"},
        "Use only lower-case letters, digits and single hyphens.",
        set(),
    ),
    "slug already used": (
        {"slug": "telecom-world-2015"},
        "Another edition already uses the slug telecom-world-2015.",
        set(),
    ),
    "unknown time zone": (
        {"timezone": "Mars/Olympus_Mons"},
        "Not a valid choice.",
        {"timezone"},
    ),
    "unknown country": ({"country": "XX"}, "Not a valid choice.", {"country"}),
    "unknown currency": ({"currency": "XYZ"}, "Not a valid choice.", {"currency"}),
    "no name": ({"name": ""}, "This field is required.", set()),
    "no first day": ({"start_date": ""}, "This field is required.", set()),
    "impossible date": ({"start_date": "2031-02-30"}, "Not a valid date value.", set()),
}


@pytest.mark.parametrize("case", list(INVALID_EDITIONS), ids=list(INVALID_EDITIONS))
def test_invalid_new_edition_is_refused_with_a_message_and_keeps_the_input(organizer_client, case):
    make_edition()  # telecom-world-2015, so a duplicate slug can be tried
    editions_before, audit_before = edition_count(), audit_count()
    changes, message, not_shown_back = INVALID_EDITIONS[case]
    typed = {**GENEVA_2031, **changes}

    response = fill_and_submit(organizer_client, NEW_URL, typed)

    assert response.status_code == 200, "a refused form is shown again, not redirected"
    assert message in text_of(response)
    shown = form_values(response)
    for name, value in typed.items():
        if name not in not_shown_back:
            assert shown[name] == value, f"the form lost what was typed in {name}"
    db.session.rollback()
    assert edition_count() == editions_before
    assert audit_count() == audit_before
    assert stored_edition("telecom-world-2031") is None


# --- editing ------------------------------------------------------------------


def test_edit_form_shows_the_current_values(organizer_client):
    make_edition(campaign_start=date(2015, 3, 1), campaign_end=date(2015, 10, 31))

    values = form_values(organizer_client.get("/organizer/editions/telecom-world-2015/edit"))

    assert {k: values[k] for k in GENEVA_2031} == {
        "name": "ITU TELECOM World 2015",
        "slug": "telecom-world-2015",
        "city": "Budapest",
        "country": "HU",
        "venue": "HUNGEXPO",
        "start_date": "2015-10-12",
        "end_date": "2015-10-15",
        "timezone": "Europe/Budapest",
        "campaign_start": "2015-03-01",
        "campaign_end": "2015-10-31",
    }
    assert values["currency"] == "CHF"


def test_organizer_edits_an_edition(organizer_client):
    make_edition()
    url = "/organizer/editions/telecom-world-2015/edit"

    response = fill_and_submit(
        organizer_client,
        url,
        {
            "venue": "Hungexpo Budapest Congress Center",
            "end_date": "2015-10-16",
            "campaign_start": "2015-04-01",
            "campaign_end": "2015-10-31",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/organizer/editions/telecom-world-2015"
    edition = stored_edition("telecom-world-2015")
    assert edition is not None
    assert edition.venue == "Hungexpo Budapest Congress Center"
    assert edition.end_date == date(2015, 10, 16)
    assert (edition.campaign_start, edition.campaign_end) == (date(2015, 4, 1), date(2015, 10, 31))
    assert edition.city == "Budapest", "fields not touched keep their value"
    page = visible_text(organizer_client.get(response.headers["Location"]))
    assert "Edition saved." in page
    assert "Hungexpo Budapest Congress Center" in page


def test_changing_the_slug_moves_the_edition_to_its_new_address(organizer_client, client):
    make_edition()

    response = fill_and_submit(
        organizer_client, "/organizer/editions/telecom-world-2015/edit", {"slug": "budapest-2015"}
    )

    assert response.headers["Location"] == "/organizer/editions/budapest-2015"
    assert client.get("/editions/budapest-2015").status_code == 200
    assert client.get("/editions/telecom-world-2015").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": "2015-10-11"}, "The edition cannot end before it starts."),
        (
            {"campaign_start": "2015-10-01", "campaign_end": "2015-09-01"},
            "The campaign window cannot end before it starts.",
        ),
        ({"campaign_start": "2015-10-01"}, "Give both the start and the end of the campaign"),
        ({"slug": "telecom_world_2015"}, "Use only lower-case letters, digits and single hyphens."),
        (
            {"slug": "telecom-world-2017"},
            "Another edition already uses the slug telecom-world-2017.",
        ),
    ],
    ids=["end before start", "campaign reversed", "one campaign date", "bad slug", "taken slug"],
)
def test_invalid_edit_is_refused_and_changes_nothing(organizer_client, changes, message):
    make_edition()
    make_edition(
        "telecom-world-2017",
        city="Busan",
        country="KR",
        start_date=date(2017, 9, 25),
        end_date=date(2017, 9, 28),
        timezone="Asia/Seoul",
    )
    original = stored_edition("telecom-world-2015")
    assert original is not None
    before = edition_row(original)
    audit_before = audit_count()
    typed = {"city": "Szeged", **changes}

    response = fill_and_submit(
        organizer_client, "/organizer/editions/telecom-world-2015/edit", typed
    )

    assert response.status_code == 200
    assert message in text_of(response)
    shown = form_values(response)
    for name, value in typed.items():
        assert shown[name] == value, f"the form lost what was typed in {name}"
    edition = stored_edition("telecom-world-2015")
    assert edition is not None
    assert edition_row(edition) == before
    assert audit_count() == audit_before


def test_editing_an_unknown_edition_is_not_found(organizer_client):
    response = organizer_client.get("/organizer/editions/no-such-edition/edit")

    assert response.status_code == 404
    assert "There is no edition no-such-edition." in text_of(response)


# --- public pages -------------------------------------------------------------


def test_home_lists_editions_newest_first_with_city_and_dates(client):
    make_edition()
    make_edition(
        "telecom-world-2017",
        name="ITU TELECOM World 2017",
        city="Busan",
        country="KR",
        venue="BEXCO",
        start_date=date(2017, 9, 25),
        end_date=date(2017, 9, 28),
        timezone="Asia/Seoul",
    )

    response = client.get("/")

    assert response.status_code == 200
    text = visible_text(response)
    assert "Budapest, Hungary · HUNGEXPO" in text
    assert "Busan, South Korea · BEXCO" in text
    assert text.index("ITU TELECOM World 2017") < text.index("ITU TELECOM World 2015")
    # Dates are one localised range: "Oct 12 – 15, 2015" in English.
    budapest_card = text[text.index("ITU TELECOM World 2015") :]
    assert "Oct" in budapest_card
    assert "12" in budapest_card
    assert "15, 2015" in budapest_card
    assert 'href="/editions/telecom-world-2015"' in response.get_data(as_text=True)


def test_home_shows_dates_in_the_readers_language(client):
    make_edition()

    response = client.get("/", headers={"Accept-Language": "fr"})

    text = visible_text(response)
    assert "Budapest" in text
    assert "12–15 oct. 2015" in text


def test_home_without_editions_says_so(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "No edition has been announced yet." in visible_text(response)


def test_public_edition_page(client):
    make_edition()

    response = client.get("/editions/telecom-world-2015")

    assert response.status_code == 200
    text = visible_text(response)
    assert "ITU TELECOM World 2015" in text
    assert "Budapest, Hungary" in text
    assert "HUNGEXPO" in text
    assert "Europe/Budapest" in text
    assert "2015" in text
    assert "Manage this edition" not in text, "only organizers see the management link"


def test_public_edition_page_links_organizers_to_management(organizer_client):
    make_edition()

    response = organizer_client.get("/editions/telecom-world-2015")

    assert "Manage this edition" in visible_text(response)
    assert 'href="/organizer/editions/telecom-world-2015"' in response.get_data(as_text=True)


def test_unknown_edition_gets_the_friendly_not_found_page(client):
    response = client.get("/editions/telecom-world-1999")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    text = visible_text(response)
    assert "Not found" in text
    assert "There is no edition telecom-world-1999." in text
    assert "Go to the home page" in text
    assert "Traceback" not in text


def test_organizer_dashboard_lists_every_edition(organizer_client):
    make_edition()
    make_edition(
        "telecom-world-2031",
        name="ITU TELECOM World 2031",
        city="Geneva",
        country="CH",
        start_date=date(2031, 9, 8),
        end_date=date(2031, 9, 11),
        currency="USD",
    )

    text = visible_text(organizer_client.get("/organizer/"))

    assert "ITU TELECOM World 2015" in text
    assert "Budapest, Hungary" in text
    assert "ITU TELECOM World 2031" in text
    assert "Geneva, Switzerland" in text
    assert "USD" in text


def test_the_currency_is_fixed_once_the_edition_has_orders(organizer_client):
    from telecom.payments.services import new_order

    edition = make_edition()
    url = "/organizer/editions/telecom-world-2015/edit"
    assert fill_and_submit(organizer_client, url, {"currency": "EUR"}).status_code == 302
    new_order(edition.id, organisation_id=None, buyer=None, currency="EUR")
    db.session.commit()

    response = fill_and_submit(organizer_client, url, {"currency": "USD"})

    assert response.status_code == 200
    assert "The currency cannot change once the edition has orders" in visible_text(response)
    assert stored_edition("telecom-world-2015").currency == "EUR"
