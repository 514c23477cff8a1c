"""Pavilions invite co-exhibitors; organizers approve them; they then count as exhibitors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from telecom.core.errors import Forbidden, ValidationError
from telecom.exhibitors.models import CoExhibitorStatus, Organisation
from telecom.exhibitors.services import booking as booking_services
from telecom.exhibitors.services import organisations as services
from telecom.exhibitors.services import reports
from telecom.extensions import db
from tests.core import action_token, fill_and_submit, visible_text
from tests.exhibitors.organisations_support import (
    SLUG,
    audit_actions,
    book,
    client_for,
    invite,
    make_booth,
    make_hall,
    outbox_to,
    register,
    register_pavilion,
    reload,
)
from tests.helpers import make_edition, make_organizer, make_user

CO_EXHIBITOR = {
    "legal_name": "Budapest Start-up Kft.",
    "display_name": "BP Start-up",
    "country": "HU",
    "sector": "startup_sme",
    "turnover_band": "under_10m",
    "contact_name": "Zoltán Kiss",
    "contact_email": "zoltan@startup.example",
}


@pytest.fixture
def edition(app):
    return make_edition()


@pytest.fixture
def organizer(app):
    return make_organizer()


@pytest.fixture
def owner(app):
    return make_user("pavilion@hungary.example", full_name="Pavilion Owner")


@pytest.fixture
def pavilion(edition, owner):
    return register_pavilion(
        edition, owner, "Hungarian Pavilion", display_name="Hungary",
        contact_email="desk@hungary.example",
    )  # fmt: skip


def directory_text(app, query: str = "") -> str:
    return visible_text(app.test_client().get(f"/editions/{SLUG}/exhibitors{query}"))


def test_a_pavilion_invites_an_organizer_approves_and_the_co_exhibitor_is_listed(
    app, edition, organizer, owner, pavilion
):
    hall = make_hall(edition, "G")
    book(make_booth(hall, "G100", "10", "9"), pavilion, organizer)
    owner_client = client_for(app, owner.email)

    response = fill_and_submit(
        owner_client, f"/editions/{SLUG}/exhibitors/{pavilion.id}/co-exhibitors/new", CO_EXHIBITOR
    )

    assert response.status_code == 302
    [co_exhibitor] = services.co_exhibitors_of(pavilion, only_approved=False)
    assert co_exhibitor.co_exhibitor_status == CoExhibitorStatus.PENDING
    assert co_exhibitor.pavilion_id == pavilion.id
    assert audit_actions("organisations", co_exhibitor.id) == ["invite_co_exhibitor"]
    assert "BP Start-up" not in directory_text(app)  # not before approval
    manage = owner_client.get(f"/editions/{SLUG}/exhibitors/{pavilion.id}/manage")
    assert "BP Start-up" in visible_text(manage)
    assert "Awaiting approval" in visible_text(manage)

    organizer_client = client_for(app, organizer.email)
    detail_url = f"/organizer/editions/{SLUG}/exhibitors/{co_exhibitor.id}"
    approved = organizer_client.post(
        f"{detail_url}/approve",
        data={"csrf_token": action_token(organizer_client, detail_url)},
        follow_redirects=True,
    )

    assert "BP Start-up is approved." in visible_text(approved)
    assert reload(co_exhibitor.id).co_exhibitor_status == CoExhibitorStatus.APPROVED
    assert audit_actions("organisations", co_exhibitor.id)[-1] == "approve_co_exhibitor"
    # The pavilion's contacts hear of it.
    for address in ("pavilion@hungary.example", "desk@hungary.example"):
        [mail] = outbox_to(address, "co-exhibitor")
        assert mail.subject == "BP Start-up is approved as a co-exhibitor"
        assert "Hungary pavilion" in mail.body_text
    # Listed, in the pavilion's hall, on the pavilion's booth.
    text = directory_text(app)
    assert "BP Start-up" in text
    assert "in the Hungary pavilion" in text
    assert "BP Start-up" in directory_text(app, "?hall=G")
    profile = app.test_client().get(f"/editions/{SLUG}/exhibitors/{co_exhibitor.id}")
    assert profile.status_code == 200
    assert "Show booth G100 on the floor plan" in visible_text(profile)
    assert "Exhibits in the pavilion of Hungary" in visible_text(profile)
    pavilion_page = visible_text(
        app.test_client().get(f"/editions/{SLUG}/exhibitors/{pavilion.id}")
    )
    assert "Co-exhibitors" in pavilion_page
    assert "BP Start-up" in pavilion_page
    # It counts as an exhibitor.
    summary = reports.edition_summary(edition, actor=organizer)
    assert (summary.exhibitors, summary.co_exhibitors, summary.pavilions) == (2, 1, 1)


def test_a_rejected_co_exhibitor_is_told_and_stays_unlisted(
    app, edition, organizer, owner, pavilion
):
    co_exhibitor = invite(pavilion, owner, "Maybe Kft.", contact_email="maybe@example.org")
    organizer_client = client_for(app, organizer.email)
    detail_url = f"/organizer/editions/{SLUG}/exhibitors/{co_exhibitor.id}"

    response = organizer_client.post(
        f"{detail_url}/reject",
        data={
            "csrf_token": action_token(organizer_client, detail_url),
            "reason": "Not a Hungarian company.",
        },
        follow_redirects=True,
    )

    assert "Maybe Kft. is rejected." in visible_text(response)
    assert reload(co_exhibitor.id).co_exhibitor_status == CoExhibitorStatus.REJECTED
    [mail] = outbox_to("pavilion@hungary.example")
    assert mail.subject == "Maybe Kft. was not accepted as a co-exhibitor"
    assert "Not a Hungarian company." in mail.body_text
    assert outbox_to("maybe@example.org")  # the co-exhibitor's own contact too
    assert "Maybe Kft." not in directory_text(app)
    assert (
        app.test_client().get(f"/editions/{SLUG}/exhibitors/{co_exhibitor.id}").status_code == 404
    )


def test_deciding_twice_changes_nothing(app, edition, organizer, owner, pavilion):
    co_exhibitor = invite(pavilion, owner, "Twice Kft.")

    assert services.decide_co_exhibitor(co_exhibitor, True, actor=organizer) is True
    assert services.decide_co_exhibitor(reload(co_exhibitor.id), True, actor=organizer) is False
    assert audit_actions("organisations", co_exhibitor.id).count("approve_co_exhibitor") == 1


def test_only_organizers_decide(edition, owner, pavilion):
    co_exhibitor = invite(pavilion, owner, "Eager Kft.")

    with pytest.raises(Forbidden):
        services.decide_co_exhibitor(co_exhibitor, True, actor=owner)
    assert reload(co_exhibitor.id).co_exhibitor_status == CoExhibitorStatus.PENDING


def test_only_a_pavilion_invites(app, edition, owner):
    plain = register(edition, owner, "Plain Company")
    owner_client = client_for(app, owner.email)

    assert (
        owner_client.get(f"/editions/{SLUG}/exhibitors/{plain.id}/co-exhibitors/new").status_code
        == 404
    )
    with pytest.raises(ValidationError, match="Only a pavilion can invite co-exhibitors"):
        invite(plain, owner, "Hopeful Kft.")


def test_a_co_exhibitor_legal_name_is_unique_too(app, edition, owner, pavilion):
    register(edition, make_user("x@example.org"), "Budapest Start-up Kft.")
    owner_client = client_for(app, owner.email)

    response = fill_and_submit(
        owner_client, f"/editions/{SLUG}/exhibitors/{pavilion.id}/co-exhibitors/new", CO_EXHIBITOR
    )

    assert response.status_code == 200
    assert "is already registered for this edition" in visible_text(response)


def test_pavilion_members_manage_their_co_exhibitors_and_nobody_else_does(
    app, edition, owner, pavilion
):
    co_exhibitor = invite(pavilion, owner, "Managed Kft.")
    owner_client = client_for(app, owner.email)

    response = fill_and_submit(
        owner_client,
        f"/editions/{SLUG}/exhibitors/{co_exhibitor.id}/edit",
        {"description": "Smart-city sensors.", "website": "managed.example"},
    )

    assert response.status_code == 302
    assert reload(co_exhibitor.id).description == "Smart-city sensors."
    stranger = make_user("stranger@example.org")
    register(edition, stranger, "Stranger Ltd")
    stranger_client = client_for(app, stranger.email)
    assert (
        stranger_client.get(f"/editions/{SLUG}/exhibitors/{co_exhibitor.id}/edit").status_code
        == 404
    )


def test_a_co_exhibitor_never_books_a_booth(edition, organizer, owner, pavilion):
    co_exhibitor = invite(pavilion, owner, "No Booth Kft.")
    booth = make_booth(make_hall(edition, "F"), "F1")

    with pytest.raises(ValidationError, match="the pavilion books the booth"):
        booking_services.hold_booth(booth.id, co_exhibitor, actor=organizer)


def test_the_co_exhibitor_form_keeps_what_was_typed(app, edition, owner, pavilion):
    owner_client = client_for(app, owner.email)

    response = fill_and_submit(
        owner_client,
        f"/editions/{SLUG}/exhibitors/{pavilion.id}/co-exhibitors/new",
        {**CO_EXHIBITOR, "contact_email": "not-an-address"},
    )

    assert response.status_code == 200
    assert "Enter a valid e-mail address." in visible_text(response)
    assert 'value="Budapest Start-up Kft."' in response.text
    db.session.rollback()
    assert (
        db.session.scalars(
            select(Organisation).where(Organisation.legal_name == "Budapest Start-up Kft.")
        ).all()
        == []
    )
