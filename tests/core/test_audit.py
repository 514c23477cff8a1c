"""Every change to editions and candidate venues leaves an audit entry organizers can read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.events import services
from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.extensions import db
from tests.core import action_token, fill_and_submit, visible_text
from tests.helpers import log_in, make_edition, make_organizer

EDITION_PAGE = "/organizer/editions/telecom-world-2015"


@pytest.fixture
def organizer(app):
    return make_organizer()


@pytest.fixture
def organizer_client(client: FlaskClient, organizer) -> FlaskClient:
    log_in(client, "organizer@example.org")
    return client


def entries(object_type: str | None = None, object_id: object = None) -> list[AuditEntry]:
    """Audit entries as stored, oldest first."""
    db.session.rollback()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return list(db.session.scalars(query))


def edition_id(slug: str) -> int:
    db.session.rollback()
    found = db.session.scalar(select(Edition.id).where(Edition.slug == slug))
    assert found is not None
    return found


def test_creating_an_edition_through_the_form_is_audited(organizer_client, organizer):
    fill_and_submit(
        organizer_client,
        "/organizer/editions/new",
        {
            "name": "ITU TELECOM World 2031",
            "slug": "telecom-world-2031",
            "city": "Geneva",
            "country": "CH",
            "venue": "Palexpo",
            "start_date": "2031-09-08",
            "end_date": "2031-09-11",
            "timezone": "Europe/Zurich",
        },
    )

    new_id = edition_id("telecom-world-2031")
    [entry] = entries("editions", new_id)
    assert entry.action == "create"
    assert entry.actor_id == organizer.id
    assert entry.actor_label == "organizer@example.org"
    assert entry.edition_id == new_id
    assert entry.before is None
    assert entry.after == {
        "slug": "telecom-world-2031",
        "name": "ITU TELECOM World 2031",
        "city": "Geneva",
        "country": "CH",
        "venue": "Palexpo",
        "start_date": "2031-09-08",
        "end_date": "2031-09-11",
        "timezone": "Europe/Zurich",
        "currency": "CHF",
        "campaign_start": None,
        "campaign_end": None,
    }
    assert entry.created_at.tzinfo is not None, "audit times are timezone-aware UTC"


def test_editing_an_edition_records_before_and_after(organizer_client, organizer):
    edition = make_edition()

    fill_and_submit(organizer_client, f"{EDITION_PAGE}/edit", {"city": "Szeged", "venue": "Arena"})

    create, update = entries("editions", edition.id)
    assert create.action == "create"
    assert create.actor_label == "system", "make_edition acts without a user"
    assert update.action == "update"
    assert update.actor_id == organizer.id
    assert update.before is not None
    assert update.after is not None
    assert (update.before["city"], update.after["city"]) == ("Budapest", "Szeged")
    assert (update.before["venue"], update.after["venue"]) == ("HUNGEXPO", "Arena")
    assert update.changed_fields() == [
        ("city", "Budapest", "Szeged"),
        ("venue", "HUNGEXPO", "Arena"),
    ]


def test_saving_an_edition_unchanged_writes_no_entry(organizer_client):
    edition = make_edition()

    response = fill_and_submit(organizer_client, f"{EDITION_PAGE}/edit", {})

    assert response.status_code == 302
    assert [e.action for e in entries("editions", edition.id)] == ["create"]


def test_object_history_page_shows_the_change_old_to_new(organizer_client):
    edition = make_edition()
    fill_and_submit(organizer_client, f"{EDITION_PAGE}/edit", {"city": "Szeged"})

    response = organizer_client.get(f"/organizer/audit/editions/{edition.id}")

    assert response.status_code == 200
    text = visible_text(response)
    assert f"History of editions #{edition.id}" in text
    assert "city : Budapest → Szeged" in text
    assert "organizer@example.org" in text
    assert "system" in text
    # newest first: the update is listed before the creation
    assert text.index("update") < text.index("create")


def test_candidate_lifecycle_is_audited(organizer_client, organizer):
    edition = make_edition()
    first = services.add_candidate(
        edition,
        services.CandidateData(city="Budapest", country="HU", status=CandidateStatus.CHOSEN),
        actor=None,
    )

    fill_and_submit(
        organizer_client,
        f"{EDITION_PAGE}/venues/new",
        {"city": "Dubai", "country": "AE", "venue": "DWTC", "score": "80"},
    )
    db.session.rollback()
    dubai = db.session.scalar(select(CandidateVenue).where(CandidateVenue.city == "Dubai"))
    assert dubai is not None
    fill_and_submit(organizer_client, f"{EDITION_PAGE}/venues/{dubai.id}/edit", {"score": "92.5"})
    token = action_token(organizer_client, EDITION_PAGE)
    organizer_client.post(f"{EDITION_PAGE}/venues/{dubai.id}/choose", data={"csrf_token": token})
    organizer_client.post(f"{EDITION_PAGE}/venues/{dubai.id}/delete", data={"csrf_token": token})

    dubai_entries = entries("candidate_venues", dubai.id)
    assert [e.action for e in dubai_entries] == ["create", "update", "update", "delete"]
    assert all(e.actor_id == organizer.id for e in dubai_entries)
    assert all(e.edition_id == edition.id for e in dubai_entries)
    create, edit, chosen, deleted = dubai_entries
    assert create.before is None
    assert create.after == {
        "city": "Dubai",
        "country": "AE",
        "venue": "DWTC",
        "score": "80.00",
        "notes": "",
        "status": "bid_received",
    }
    assert edit.changed_fields() == [("score", "80.00", "92.50")]
    assert chosen.changed_fields() == [("status", "bid_received", "chosen")]
    assert deleted.after is None
    assert deleted.before is not None
    assert deleted.before["status"] == "chosen"

    # the previous winner's demotion is recorded on its own history
    demotion = entries("candidate_venues", first.id)[-1]
    assert demotion.action == "update"
    assert demotion.actor_id == organizer.id
    assert demotion.changed_fields() == [("status", "chosen", "not_selected")]


def test_history_of_a_deleted_candidate_stays_readable(organizer_client):
    edition = make_edition()
    doha = services.add_candidate(
        edition, services.CandidateData(city="Doha", country="QA"), actor=None
    )
    token = action_token(organizer_client, EDITION_PAGE)
    organizer_client.post(f"{EDITION_PAGE}/venues/{doha.id}/delete", data={"csrf_token": token})

    response = organizer_client.get(f"/organizer/audit/candidate_venues/{doha.id}")

    assert response.status_code == 200
    text = visible_text(response)
    assert "delete" in text
    assert "city : Doha → ∅" in text


def test_audit_log_lists_everything_newest_first(organizer_client):
    edition = make_edition()
    fill_and_submit(organizer_client, f"{EDITION_PAGE}/edit", {"city": "Szeged"})

    response = organizer_client.get("/organizer/audit")

    assert response.status_code == 200
    text = visible_text(response)
    assert f"editions #{edition.id} update" in text
    assert f"editions #{edition.id} create" in text
    assert "users #" in text, "account creation is audited as well"
    assert text.index(f"editions #{edition.id} update") < text.index(
        f"editions #{edition.id} create"
    )


def test_audit_log_for_one_edition_shows_only_that_edition(organizer_client):
    budapest = make_edition()
    busan = make_edition(
        "telecom-world-2017",
        name="ITU TELECOM World 2017",
        city="Busan",
        country="KR",
        start_date=date(2017, 9, 25),
        end_date=date(2017, 9, 28),
    )
    services.add_candidate(busan, services.CandidateData(city="Busan", country="KR"), actor=None)

    response = organizer_client.get("/organizer/audit?edition=telecom-world-2015")

    assert response.status_code == 200
    text = visible_text(response)
    assert "Audit log ITU TELECOM World 2015" in text
    assert f"editions #{budapest.id}" in text
    assert f"editions #{busan.id}" not in text
    assert "candidate_venues" not in text
    assert "users #" not in text
    # the edition page links to exactly this view
    edition_page = organizer_client.get(EDITION_PAGE).get_data(as_text=True)
    assert 'href="/organizer/audit?edition=telecom-world-2015"' in edition_page


def test_audit_log_filters_by_object_type(organizer_client):
    edition = make_edition()
    services.add_candidate(edition, services.CandidateData(city="Doha", country="QA"), actor=None)

    text = visible_text(organizer_client.get("/organizer/audit?object_type=candidate_venues"))

    assert "candidate_venues #" in text
    assert "editions #" not in text


def test_audit_log_pages_through_many_entries(organizer_client):
    edition = make_edition()
    for number in range(55):
        services.add_candidate(
            edition,
            services.CandidateData(city=f"City {number}", country="HU", score=Decimal(number)),
            actor=None,
        )

    first = visible_text(organizer_client.get("/organizer/audit?edition=telecom-world-2015"))
    second = visible_text(
        organizer_client.get("/organizer/audit?edition=telecom-world-2015&page=2")
    )

    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second
    assert f"editions #{edition.id} create" in second, "the oldest entry is on the last page"
    assert f"editions #{edition.id} create" not in first


def test_unknown_edition_or_object_in_the_audit_log_is_not_found(organizer_client):
    make_edition()

    assert organizer_client.get("/organizer/audit?edition=no-such-edition").status_code == 404
    assert organizer_client.get("/organizer/audit/editions/999999").status_code == 404
    assert organizer_client.get("/organizer/audit/no_such_type/1").status_code == 404


def test_a_refused_change_writes_no_entry(organizer_client):
    edition = make_edition()

    response = fill_and_submit(organizer_client, f"{EDITION_PAGE}/edit", {"end_date": "2015-10-01"})

    assert response.status_code == 200
    assert [e.action for e in entries("editions", edition.id)] == ["create"]
