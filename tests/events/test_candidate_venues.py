"""Host selection: organizers record candidate venues and choose exactly one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from telecom.core.audit import AuditEntry
from telecom.events import services
from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.extensions import db
from tests.core import action_token, fill_and_submit, form_values, visible_text
from tests.helpers import log_in, make_edition, make_organizer

EDITION_PAGE = "/organizer/editions/telecom-world-2015"
ADD_URL = f"{EDITION_PAGE}/venues/new"

DUBAI = {
    "city": "Dubai",
    "country": "AE",
    "venue": "Dubai World Trade Centre",
    "score": "87.50",
    "status": "shortlisted",
    "notes": "Strong government support.\nHotel capacity confirmed.",
}


@pytest.fixture
def organizer_client(client: FlaskClient) -> FlaskClient:
    make_organizer()
    log_in(client, "organizer@example.org")
    return client


@pytest.fixture
def edition(app) -> Edition:
    return make_edition()


def add(edition: Edition, city: str, country: str = "HU", **fields: object) -> CandidateVenue:
    return services.add_candidate(
        edition, services.CandidateData(city=city, country=country, **fields), actor=None
    )


def statuses(edition_id: int) -> dict[str, str]:
    """City → status, as the database holds them."""
    db.session.rollback()
    rows = db.session.execute(
        select(CandidateVenue.city, CandidateVenue.status).where(
            CandidateVenue.edition_id == edition_id
        )
    )
    return {city: status.value for city, status in rows}


def candidate_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(CandidateVenue)) or 0


def choose(client: FlaskClient, candidate_id: int, slug: str = "telecom-world-2015"):
    token = action_token(client, f"/organizer/editions/{slug}")
    return client.post(
        f"/organizer/editions/{slug}/venues/{candidate_id}/choose", data={"csrf_token": token}
    )


def delete(client: FlaskClient, candidate_id: int, slug: str = "telecom-world-2015"):
    token = action_token(client, f"/organizer/editions/{slug}")
    return client.post(
        f"/organizer/editions/{slug}/venues/{candidate_id}/delete", data={"csrf_token": token}
    )


# --- adding and editing -------------------------------------------------------


def test_organizer_adds_a_candidate_venue(organizer_client, edition):
    response = fill_and_submit(organizer_client, ADD_URL, DUBAI)

    assert response.status_code == 302
    assert response.headers["Location"] == EDITION_PAGE
    db.session.rollback()
    candidate = db.session.scalar(select(CandidateVenue))
    assert candidate is not None
    assert candidate.edition_id == edition.id
    assert (candidate.city, candidate.country, candidate.venue) == (
        "Dubai",
        "AE",
        "Dubai World Trade Centre",
    )
    assert candidate.score == Decimal("87.50")
    assert candidate.status == CandidateStatus.SHORTLISTED
    assert candidate.notes == "Strong government support.\nHotel capacity confirmed."

    page = visible_text(organizer_client.get(EDITION_PAGE))
    assert "Candidate venue added." in page
    assert "Dubai United Arab Emirates Dubai World Trade Centre 87.50 Shortlisted" in page


def test_new_candidate_form_defaults_to_bid_received(organizer_client, edition):
    values = form_values(organizer_client.get(ADD_URL))

    assert values["status"] == "bid_received"
    assert values["score"] == ""


def test_score_and_venue_are_optional(organizer_client, edition):
    response = fill_and_submit(organizer_client, ADD_URL, {"city": "Doha", "country": "QA"})

    assert response.status_code == 302
    db.session.rollback()
    candidate = db.session.scalar(select(CandidateVenue))
    assert candidate is not None
    assert candidate.score is None
    assert candidate.venue == ""
    assert candidate.status == CandidateStatus.BID_RECEIVED
    page = visible_text(organizer_client.get(EDITION_PAGE))
    assert "Doha Qatar — —" in page, "missing venue and score show as dashes"


@pytest.mark.parametrize("score", ["0", "100", "100.00", "0.01"])
def test_scores_at_the_limits_are_accepted(organizer_client, edition, score):
    response = fill_and_submit(organizer_client, ADD_URL, {**DUBAI, "score": score})

    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(CandidateVenue.score)) == Decimal(score)


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("-1", "Number must be between 0 and 100."),
        ("-0.01", "Number must be between 0 and 100."),
        ("100.01", "Number must be between 0 and 100."),
        ("250", "Number must be between 0 and 100."),
        ("NaN", "Number must be between 0 and 100."),
        ("Infinity", "Number must be between 0 and 100."),
        ("eighty", "Not a valid decimal value."),
    ],
)
def test_score_outside_0_to_100_is_refused_and_keeps_the_input(
    organizer_client, edition, score, message
):
    typed = {**DUBAI, "score": score}

    response = fill_and_submit(organizer_client, ADD_URL, typed)

    assert response.status_code == 200
    assert message in visible_text(response)
    assert form_values(response) | {"csrf_token": ""} == typed | {"csrf_token": ""}
    assert candidate_count() == 0


def test_the_service_refuses_a_score_outside_0_to_100_too(edition):
    with pytest.raises(services.ValidationError, match="between 0 and 100"):
        add(edition, "Dubai", "AE", score=Decimal("100.5"))
    db.session.rollback()
    assert candidate_count() == 0


@pytest.mark.parametrize("score", ["NaN", "Infinity", "-Infinity"])
def test_the_service_refuses_scores_that_are_not_numbers(edition, score):
    with pytest.raises(services.ValidationError, match="between 0 and 100"):
        add(edition, "Dubai", "AE", score=Decimal(score))
    db.session.rollback()
    assert candidate_count() == 0


def test_score_is_kept_with_two_decimals(organizer_client, edition):
    fill_and_submit(organizer_client, ADD_URL, {**DUBAI, "score": "80"})
    db.session.rollback()
    candidate = db.session.scalar(select(CandidateVenue))
    assert candidate is not None

    # typing "80" again over the stored 80.00 is not a change
    response = fill_and_submit(
        organizer_client, f"{EDITION_PAGE}/venues/{candidate.id}/edit", {"score": "80"}
    )

    assert response.status_code == 302
    db.session.rollback()
    history = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "candidate_venues",
            AuditEntry.object_id == str(candidate.id),
        )
    ).all()
    assert [entry.action for entry in history] == ["create"]
    assert history[0].after is not None
    assert history[0].after["score"] == "80.00", "the audit shows what the database keeps"


def test_candidate_without_city_is_refused(organizer_client, edition):
    response = fill_and_submit(organizer_client, ADD_URL, {**DUBAI, "city": ""})

    assert response.status_code == 200
    assert "This field is required." in visible_text(response)
    assert form_values(response)["venue"] == "Dubai World Trade Centre"
    assert candidate_count() == 0


def test_organizer_edits_a_candidate_venue(organizer_client, edition):
    candidate = add(edition, "Dubai", "AE", venue="DWTC", score=Decimal("70"))
    url = f"{EDITION_PAGE}/venues/{candidate.id}/edit"
    shown = form_values(organizer_client.get(url))
    assert (shown["city"], shown["country"], shown["venue"], shown["score"]) == (
        "Dubai",
        "AE",
        "DWTC",
        "70.00",
    )

    response = fill_and_submit(organizer_client, url, {"score": "91.25", "notes": "Site visit ok"})

    assert response.status_code == 302
    assert response.headers["Location"] == EDITION_PAGE
    db.session.rollback()
    stored = db.session.get(CandidateVenue, candidate.id)
    assert stored is not None
    assert stored.score == Decimal("91.25")
    assert stored.notes == "Site visit ok"
    assert stored.venue == "DWTC", "untouched fields keep their value"
    assert "Candidate venue saved." in visible_text(organizer_client.get(EDITION_PAGE))


def test_invalid_edit_changes_nothing(organizer_client, edition):
    candidate = add(edition, "Dubai", "AE", score=Decimal("70"))
    url = f"{EDITION_PAGE}/venues/{candidate.id}/edit"

    response = fill_and_submit(organizer_client, url, {"city": "Abu Dhabi", "score": "101"})

    assert response.status_code == 200
    assert "Number must be between 0 and 100." in visible_text(response)
    assert form_values(response)["city"] == "Abu Dhabi"
    db.session.rollback()
    stored = db.session.get(CandidateVenue, candidate.id)
    assert stored is not None
    assert (stored.city, stored.score) == ("Dubai", Decimal("70.00"))


# --- choosing -----------------------------------------------------------------


def test_choosing_a_candidate_marks_it_chosen(organizer_client, edition):
    dubai = add(edition, "Dubai", "AE")
    add(edition, "Budapest")

    response = choose(organizer_client, dubai.id)

    assert response.status_code == 302
    assert response.headers["Location"] == EDITION_PAGE
    assert statuses(edition.id) == {"Dubai": "chosen", "Budapest": "bid_received"}
    assert "Dubai is now the chosen venue." in visible_text(organizer_client.get(EDITION_PAGE))
    dashboard = visible_text(organizer_client.get("/organizer/"))
    assert "CHF Dubai" in dashboard, "the dashboard's last column names the chosen venue"


def test_choosing_another_candidate_demotes_the_previous_one(organizer_client, edition):
    dubai = add(edition, "Dubai", "AE", status=CandidateStatus.CHOSEN)
    budapest = add(edition, "Budapest")
    add(edition, "Doha", "QA", status=CandidateStatus.WITHDRAWN)

    response = choose(organizer_client, budapest.id)

    assert response.status_code == 302
    assert statuses(edition.id) == {
        "Dubai": "not_selected",
        "Budapest": "chosen",
        "Doha": "withdrawn",
    }
    # and back again: still exactly one chosen
    choose(organizer_client, dubai.id)
    assert statuses(edition.id) == {
        "Dubai": "chosen",
        "Budapest": "not_selected",
        "Doha": "withdrawn",
    }


def test_adding_a_chosen_candidate_demotes_the_previous_one(organizer_client, edition):
    add(edition, "Budapest", status=CandidateStatus.CHOSEN)

    response = fill_and_submit(organizer_client, ADD_URL, {**DUBAI, "status": "chosen"})

    assert response.status_code == 302
    assert statuses(edition.id) == {"Budapest": "not_selected", "Dubai": "chosen"}


def test_editing_a_candidate_to_chosen_demotes_the_previous_one(organizer_client, edition):
    add(edition, "Budapest", status=CandidateStatus.CHOSEN)
    dubai = add(edition, "Dubai", "AE")

    response = fill_and_submit(
        organizer_client, f"{EDITION_PAGE}/venues/{dubai.id}/edit", {"status": "chosen"}
    )

    assert response.status_code == 302
    assert statuses(edition.id) == {"Budapest": "not_selected", "Dubai": "chosen"}


def test_choosing_in_one_edition_leaves_other_editions_alone(organizer_client, edition):
    other = make_edition(
        "telecom-world-2017",
        city="Busan",
        country="KR",
        start_date=date(2017, 9, 25),
        end_date=date(2017, 9, 28),
    )
    busan = add(other, "Busan", "KR", status=CandidateStatus.CHOSEN)
    dubai = add(edition, "Dubai", "AE")

    choose(organizer_client, dubai.id)

    assert statuses(edition.id) == {"Dubai": "chosen"}
    assert statuses(other.id) == {"Busan": "chosen"}
    db.session.rollback()
    assert db.session.scalar(
        select(CandidateVenue.status).where(CandidateVenue.id == busan.id)
    ) == (CandidateStatus.CHOSEN)


def test_database_refuses_two_chosen_candidates_for_one_edition(edition):
    db.session.add(
        CandidateVenue(
            edition_id=edition.id, city="Dubai", country="AE", status=CandidateStatus.CHOSEN
        )
    )
    db.session.commit()
    db.session.add(
        CandidateVenue(
            edition_id=edition.id, city="Doha", country="QA", status=CandidateStatus.CHOSEN
        )
    )

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert statuses(edition.id) == {"Dubai": "chosen"}


def test_database_allows_one_chosen_per_edition_and_many_others(edition):
    other = make_edition(
        "telecom-world-2017", start_date=date(2017, 9, 25), end_date=date(2017, 9, 28)
    )
    for edition_id in (edition.id, other.id):
        db.session.add(
            CandidateVenue(
                edition_id=edition_id, city="Chosen", country="HU", status=CandidateStatus.CHOSEN
            )
        )
        for city in ("A", "B"):
            db.session.add(
                CandidateVenue(
                    edition_id=edition_id,
                    city=city,
                    country="HU",
                    status=CandidateStatus.NOT_SELECTED,
                )
            )
    db.session.commit()

    assert statuses(edition.id) == {"Chosen": "chosen", "A": "not_selected", "B": "not_selected"}
    assert statuses(other.id) == {"Chosen": "chosen", "A": "not_selected", "B": "not_selected"}


# --- deleting -----------------------------------------------------------------


def test_organizer_deletes_a_candidate_venue(organizer_client, edition):
    dubai = add(edition, "Dubai", "AE")
    add(edition, "Budapest")

    response = delete(organizer_client, dubai.id)

    assert response.status_code == 302
    assert response.headers["Location"] == EDITION_PAGE
    assert statuses(edition.id) == {"Budapest": "bid_received"}
    page = visible_text(organizer_client.get(EDITION_PAGE))
    assert "Candidate venue deleted." in page
    assert "Dubai" not in page


def test_deleting_the_chosen_candidate_leaves_none_chosen(organizer_client, edition):
    dubai = add(edition, "Dubai", "AE", status=CandidateStatus.CHOSEN)

    delete(organizer_client, dubai.id)

    assert statuses(edition.id) == {}
    assert "No candidate venues recorded." in visible_text(organizer_client.get(EDITION_PAGE))


# --- candidates belong to their edition ---------------------------------------


@pytest.fixture
def foreign_candidate(app, edition) -> CandidateVenue:
    other = make_edition(
        "telecom-world-2017",
        city="Busan",
        country="KR",
        start_date=date(2017, 9, 25),
        end_date=date(2017, 9, 28),
    )
    return add(other, "Busan", "KR", venue="BEXCO", score=Decimal("80"))


def test_candidate_of_another_edition_is_not_found_on_edit(organizer_client, foreign_candidate):
    url = f"{EDITION_PAGE}/venues/{foreign_candidate.id}/edit"

    assert organizer_client.get(url).status_code == 404
    token = action_token(organizer_client, EDITION_PAGE)
    response = organizer_client.post(
        url, data={"csrf_token": token, "city": "Hijacked", "country": "HU", "score": "1"}
    )
    assert response.status_code == 404
    assert "There is no such candidate venue for this edition." in visible_text(response)
    db.session.rollback()
    stored = db.session.get(CandidateVenue, foreign_candidate.id)
    assert stored is not None
    assert (stored.city, stored.score) == ("Busan", Decimal("80.00"))


def test_candidate_of_another_edition_cannot_be_chosen_or_deleted(
    organizer_client, foreign_candidate
):
    assert choose(organizer_client, foreign_candidate.id).status_code == 404
    assert delete(organizer_client, foreign_candidate.id).status_code == 404

    db.session.rollback()
    stored = db.session.get(CandidateVenue, foreign_candidate.id)
    assert stored is not None
    assert stored.status == CandidateStatus.BID_RECEIVED


def test_unknown_candidate_is_not_found(organizer_client, edition):
    assert organizer_client.get(f"{EDITION_PAGE}/venues/999999/edit").status_code == 404
    assert choose(organizer_client, 999999).status_code == 404
    assert delete(organizer_client, 999999).status_code == 404


def test_candidate_pages_of_unknown_edition_are_not_found(organizer_client, edition):
    dubai = add(edition, "Dubai", "AE")

    assert organizer_client.get("/organizer/editions/nope/venues/new").status_code == 404
    assert organizer_client.get(f"/organizer/editions/nope/venues/{dubai.id}/edit").status_code == (
        404
    )


def test_refused_actions_write_no_audit_entry(organizer_client, foreign_candidate):
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))

    choose(organizer_client, foreign_candidate.id)
    fill_and_submit(organizer_client, ADD_URL, {**DUBAI, "score": "-5"})

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
