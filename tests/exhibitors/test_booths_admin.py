"""Organizers lay out halls and booths on screen; the plan stays consistent and booked
booths are never changed behind their exhibitor's back."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, Forbidden, ValidationError
from telecom.events.models import Edition
from telecom.exhibitors.models import BookingState, BoothBooking, BoothType, Hall
from telecom.exhibitors.services import booking as booking_services
from telecom.exhibitors.services import floorplan_editor as services
from telecom.extensions import db
from tests.core import action_token, fill_and_submit, form_values, visible_text
from tests.exhibitors.floorplan_support import (
    ADMIN,
    book,
    booth,
    booth_by_code,
    expire,
    hall,
    hold,
    organisation,
    system_organizer,
)
from tests.helpers import log_in, make_edition, make_organizer, make_user

NEW_HALL = f"{ADMIN}/halls/new"
NEW_BOOTH = f"{ADMIN}/booths/new"


@pytest.fixture
def edition(app) -> Edition:
    return make_edition()


@pytest.fixture
def organizer_client(client: FlaskClient) -> FlaskClient:
    make_organizer()
    log_in(client, "organizer@example.org")
    return client


def flashed(response) -> str:  # type: ignore[no-untyped-def]
    return visible_text(response)


def audit_actions(object_type: str, object_id: int) -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id)
        )
    )


# ---------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------


def test_only_organizers_reach_the_floor_plan_admin(app, client, edition):
    hall_f = hall(edition)
    one = booth(edition, hall_f, "F1")
    pages = [
        f"{ADMIN}/halls", NEW_HALL, f"{ADMIN}/halls/{hall_f.id}/edit", f"{ADMIN}/booths",
        NEW_BOOTH, f"{ADMIN}/booths/{one.id}/edit", f"{ADMIN}/floorplan/import",
        f"{ADMIN}/floorplan/export.csv",
    ]  # fmt: skip
    posts = [
        f"{ADMIN}/halls/{hall_f.id}/delete", f"{ADMIN}/booths/{one.id}/delete",
        f"{ADMIN}/booths/{one.id}/block", f"{ADMIN}/booths/{one.id}/unblock",
        NEW_HALL, NEW_BOOTH, f"{ADMIN}/floorplan/import",
    ]  # fmt: skip
    token = action_token(client, "/")
    for path in pages + posts:
        response = (
            client.get(path) if path in pages else client.post(path, data={"csrf_token": token})
        )
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/account/login", path

    make_user("visitor@example.org")
    log_in(client, "visitor@example.org")
    token = action_token(client, "/")
    for path in pages:
        assert client.get(path).status_code == 403, path
    for path in posts:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path
    assert booth_by_code(edition, "F1") is not None
    assert not booth_by_code(edition, "F1").blocked


def test_services_refuse_non_organizers(app, edition):
    hall_f = hall(edition)
    one = booth(edition, hall_f, "F1")
    visitor = make_user("visitor@example.org")
    with pytest.raises(Forbidden):
        services.create_hall(
            edition, services.HallData("G", "G", Decimal(1), Decimal(1)), actor=visitor
        )
    with pytest.raises(Forbidden):
        services.update_booth(
            one, services.BoothData("F1", hall_f.id, 0, 0, 1, 1, "shell_scheme", 1), actor=visitor
        )  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        services.delete_booth(one, actor=visitor)
    with pytest.raises(Forbidden):
        services.delete_hall(hall_f, actor=visitor)


# ---------------------------------------------------------------------------
# Halls
# ---------------------------------------------------------------------------


def test_an_organizer_adds_edits_and_deletes_a_hall(organizer_client, edition):
    response = fill_and_submit(
        organizer_client,
        NEW_HALL,
        {"code": " f ", "name": "Hall F", "width": "120", "depth": "80.5"},
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Hall).where(Hall.edition_id == edition.id))
    assert (created.code, created.name, created.width, created.depth) == (
        "F", "Hall F", Decimal("120.00"), Decimal("80.50"),
    )  # fmt: skip
    page = organizer_client.get(f"{ADMIN}/halls")
    assert "F Hall F 120 m × 80.5 m 0" in visible_text(page)

    edit = f"{ADMIN}/halls/{created.id}/edit"
    assert form_values(organizer_client.get(edit))["width"] == "120.00"
    assert fill_and_submit(organizer_client, edit, {"name": "HUNGEXPO F"}).status_code == 302
    db.session.refresh(created)
    assert created.name == "HUNGEXPO F"

    token = action_token(organizer_client, f"{ADMIN}/halls")
    organizer_client.post(f"{ADMIN}/halls/{created.id}/delete", data={"csrf_token": token})
    assert db.session.scalar(select(func.count(Hall.id))) == 0
    assert audit_actions("halls", created.id) == ["create", "update", "delete"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"width": "0"}, "The hall width must be more than 0 m."),
        ({"depth": "-3"}, "The hall depth cannot be negative."),
        ({"width": "abc"}, "Not a valid decimal value"),
        ({"width": "12.345"}, "to the centimetre"),
        ({"code": "F G"}, "is not valid"),
        ({"code": "F"}, "This edition already has a hall F."),
        ({"code": "f"}, "This edition already has a hall F."),
    ],
)
def test_hall_rules(organizer_client, edition, typed, message):
    hall(edition, "F")
    values = {"code": "G", "name": "Hall G", "width": "50", "depth": "40"} | typed
    response = fill_and_submit(organizer_client, NEW_HALL, values)
    assert response.status_code == 200
    assert message in visible_text(response)
    assert db.session.scalar(select(func.count(Hall.id))) == 1


def test_a_hall_cannot_shrink_under_its_booths_nor_be_deleted_with_them(organizer_client, edition):
    hall_f = hall(edition, "F", "60", "40")
    booth(edition, hall_f, "F1", "50", "0", "10", "3")
    booth(edition, hall_f, "F2", "0", "30", "3", "10")

    response = fill_and_submit(
        organizer_client, f"{ADMIN}/halls/{hall_f.id}/edit", {"width": "55", "depth": "35"}
    )
    assert "these booths would lie outside it: F1, F2" in visible_text(response)
    db.session.refresh(hall_f)
    assert hall_f.width == Decimal("60.00")

    token = action_token(organizer_client, f"{ADMIN}/halls")
    response = organizer_client.post(
        f"{ADMIN}/halls/{hall_f.id}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Hall F still has 2 booths; delete or move them first." in visible_text(response)
    assert db.session.get(Hall, hall_f.id) is not None


# ---------------------------------------------------------------------------
# Booths
# ---------------------------------------------------------------------------

BOOTH = {
    "code": "f101", "x": "3", "y": "0", "width": "6", "depth": "3",
    "booth_type": "space_only", "open_sides": "2", "price_override": "",
}  # fmt: skip


def test_an_organizer_adds_and_edits_a_booth(organizer_client, edition):
    hall_f = hall(edition, "F", "60", "40")
    pavilion = organisation(edition, "Hungary", pavilion=True)
    organisation(edition, "Not A Pavilion")
    booth(edition, hall_f, "F100", "0", "0", "3", "3")

    page = organizer_client.get(NEW_BOOTH + "?hall=F")
    assert "Hungary" in page.text and "Not A Pavilion" not in page.text
    response = fill_and_submit(
        organizer_client, NEW_BOOTH,
        BOOTH | {"pavilion_id": str(pavilion.id), "price_override": "12000"},
    )  # fmt: skip
    assert response.status_code == 302
    created = booth_by_code(edition, "F101")  # codes are kept in capitals
    assert created is not None
    assert (created.x, created.width, created.booth_type, created.open_sides) == (
        Decimal("3.00"), Decimal("6.00"), BoothType.SPACE_ONLY, 2,
    )  # fmt: skip
    assert created.pavilion_id == pavilion.id
    assert created.price_override == Decimal("12000.00")
    listing = visible_text(organizer_client.get(f"{ADMIN}/booths"))
    assert (
        "F101 F 3, 0 6 m × 3 m (18 sqm) Space only Corner, 2 open sides Hungary CHF12,000.00"
        in (listing)
    )

    edit = f"{ADMIN}/booths/{created.id}/edit"
    response = fill_and_submit(organizer_client, edit, {"width": "4.5", "price_override": ""})
    assert response.status_code == 302
    created = booth_by_code(edition, "F101")
    assert created.width == Decimal("4.50") and created.price_override is None
    assert audit_actions("booths", created.id) == ["create", "update"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"x": "58"}, "Booth F101 does not fit in hall F: it would reach x 64 m and y 3 m, "
                      "but the hall is 60 m × 40 m."),
        ({"y": "38", "depth": "3"}, "does not fit in hall F"),
        ({"x": "-1"}, "The x position cannot be negative."),
        ({"width": "0"}, "The booth width must be more than 0 m."),
        ({"depth": "x"}, "Not a valid decimal value"),
        ({"x": "2"}, "Booth F101 would overlap booth F100 (x 0–3 m, y 0–3 m)."),
        ({"x": "0", "y": "2.99"}, "would overlap booth F100"),
        ({"code": "F100"}, "This edition already has a booth F100."),
        ({"code": "f100"}, "This edition already has a booth F100."),
        ({"price_override": "-5"}, "The price override must be an amount of 0 or more."),
        ({"open_sides": "5"}, "Not a valid choice"),
    ],
)  # fmt: skip
def test_booth_rules_name_the_problem(organizer_client, edition, typed, message):
    hall_f = hall(edition, "F", "60", "40")
    booth(edition, hall_f, "F100", "0", "0", "3", "3")
    response = fill_and_submit(organizer_client, NEW_BOOTH, BOOTH | typed)
    assert response.status_code == 200
    assert message in visible_text(response)
    assert booth_by_code(edition, "F101") is None
    # What was typed is still there to correct.
    assert form_values(response)["code"] == (BOOTH | typed)["code"]


def test_booths_may_touch_and_the_same_code_may_exist_in_another_edition(organizer_client, edition):
    hall_f = hall(edition, "F", "60", "40")
    booth(edition, hall_f, "F100", "0", "0", "3", "3")
    other = make_edition("telecom-world-2013", name="2013")
    booth(other, hall(other, "F"), "F101")

    response = fill_and_submit(organizer_client, NEW_BOOTH, BOOTH | {"x": "3"})  # shares an edge
    assert response.status_code == 302
    assert booth_by_code(edition, "F101") is not None


def test_moving_a_booth_to_another_hall_checks_that_hall(organizer_client, edition):
    hall_f, hall_g = hall(edition, "F", "60", "40"), hall(edition, "G", "10", "10")
    one = booth(edition, hall_f, "F1", "20", "20", "6", "3")
    booth(edition, hall_g, "G1", "0", "0", "3", "3")
    edit = f"{ADMIN}/booths/{one.id}/edit"

    response = fill_and_submit(organizer_client, edit, {"hall_id": str(hall_g.id)})
    assert "does not fit in hall G" in visible_text(response)
    response = fill_and_submit(
        organizer_client, edit, {"hall_id": str(hall_g.id), "x": "2", "y": "0"}
    )
    assert "would overlap booth G1" in visible_text(response)
    response = fill_and_submit(
        organizer_client, edit, {"hall_id": str(hall_g.id), "x": "3", "y": "5"}
    )
    assert response.status_code == 302
    assert booth_by_code(edition, "F1").hall_id == hall_g.id


@pytest.mark.parametrize("state", ["booked", "held"])
def test_a_held_or_booked_booth_changes_only_with_explicit_confirmation(
    organizer_client, edition, state
):
    hall_f = hall(edition, "F", "60", "40")
    taken = booth(edition, hall_f, "F1", "0", "0", "3", "3")
    (book if state == "booked" else hold)(taken, organisation(edition, "Ericsson"))
    edit = f"{ADMIN}/booths/{taken.id}/edit"

    page = visible_text(organizer_client.get(edit))
    assert f"This booth is {state} by Ericsson." in page

    # Saving without a change needs no confirmation.
    assert fill_and_submit(organizer_client, edit, {}).status_code == 302

    response = fill_and_submit(
        organizer_client, edit, {"width": "6", "booth_type": "space_only", "price_override": "1"}
    )
    assert response.status_code == 200
    assert (
        f"Booth F1 is {state} by Ericsson: changing its size, type, price affects their booking."
        in visible_text(response)
    )
    assert booth_by_code(edition, "F1").width == Decimal("3.00")

    response = fill_and_submit(organizer_client, edit, {"width": "6", "confirm_booked": "y"})
    assert response.status_code == 302
    changed = booth_by_code(edition, "F1")
    assert changed.width == Decimal("6.00")
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "booths", AuditEntry.action == "update")
    ).one()
    assert entry.after["booked_change_confirmed"] is True
    # The booking keeps the price it was agreed at.
    booking = db.session.scalars(select(BoothBooking)).one()
    assert booking.price == Decimal("4680.00")


def test_an_expired_hold_does_not_protect_a_booth(organizer_client, edition):
    taken = booth(edition, hall(edition), "F1")
    expire(hold(taken, organisation(edition, "Late")))
    response = fill_and_submit(organizer_client, f"{ADMIN}/booths/{taken.id}/edit", {"width": "4"})
    assert response.status_code == 302


def test_a_booth_with_any_booking_is_never_deleted(organizer_client, edition):
    hall_f = hall(edition)
    fresh = booth(edition, hall_f, "F1")
    released = booth(edition, hall_f, "F2", "3")
    booked = booth(edition, hall_f, "F3", "6")
    booking = hold(released, organisation(edition, "Gone"))
    booking_services.release_hold(booking, actor=system_organizer())
    book(booked, organisation(edition, "Staying"))
    token = action_token(organizer_client, f"{ADMIN}/booths")

    for taken in (released, booked):
        response = organizer_client.post(
            f"{ADMIN}/booths/{taken.id}/delete", data={"csrf_token": token}, follow_redirects=True
        )
        assert f"Booth {taken.code} has bookings (current or past) and cannot be deleted" in (
            visible_text(response)
        )
    fresh_id = fresh.id
    response = organizer_client.post(
        f"{ADMIN}/booths/{fresh_id}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Booth F1 deleted." in visible_text(response)
    assert booth_by_code(edition, "F1") is None
    assert booth_by_code(edition, "F2") is not None and booth_by_code(edition, "F3") is not None
    assert audit_actions("booths", fresh_id) == ["create", "delete"]


def test_block_and_unblock_from_the_booth_list(organizer_client, edition):
    hall_f = hall(edition)
    free = booth(edition, hall_f, "F1")
    taken = booth(edition, hall_f, "F2", "3")
    book(taken, organisation(edition, "Busy"))
    listing = f"{ADMIN}/booths"
    token = action_token(organizer_client, listing)

    response = organizer_client.post(
        f"{ADMIN}/booths/{free.id}/block",
        data={"csrf_token": token, "reason": "Fire exit", "next": f"{listing}?hall=F"},
    )
    assert response.headers["Location"] == f"{listing}?hall=F"
    assert booth_by_code(edition, "F1").blocked_reason == "Fire exit"
    assert "Blocked Fire exit" in visible_text(organizer_client.get(listing))

    response = organizer_client.post(
        f"{ADMIN}/booths/{taken.id}/block", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Booth F2 is held or booked; cancel the booking first." in visible_text(response)
    assert not booth_by_code(edition, "F2").blocked

    response = organizer_client.post(
        f"{ADMIN}/booths/{free.id}/unblock",
        data={"csrf_token": token, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == listing
    assert not booth_by_code(edition, "F1").blocked
    assert audit_actions("booths", free.id)[-2:] == ["block", "unblock"]


def test_the_booth_list_filters_by_hall_and_code(organizer_client, edition):
    hall_f, hall_g = hall(edition, "F"), hall(edition, "G")
    booth(edition, hall_f, "F1")
    booth(edition, hall_f, "F22", "3")
    booth(edition, hall_g, "G1")
    text = visible_text(organizer_client.get(f"{ADMIN}/booths?hall=G"))
    assert "1 booth." in text and "G1 G" in text and "F1 F" not in text
    text = visible_text(organizer_client.get(f"{ADMIN}/booths?q=f2"))
    assert "F22 F" in text and "G1 G" not in text


def test_services_roll_back_a_refused_change(app, edition):
    """A refusal releases the locks at once (the next request must not wait)."""
    hall_f = hall(edition)
    one = booth(edition, hall_f, "F1")
    book(one, organisation(edition, "Kept"))
    organizer = system_organizer()
    data = services.BoothData("F1", hall_f.id, Decimal(0), Decimal(0), Decimal(9), Decimal(3),
                              BoothType.SHELL_SCHEME, 1)  # fmt: skip
    with pytest.raises(services.BookedBoothChange):
        services.update_booth(one, data, actor=organizer)
    with pytest.raises(ValidationError):
        services.create_booth(
            edition,
            services.BoothData("F2", hall_f.id, Decimal(1), Decimal(1), Decimal(3), Decimal(3),
                               BoothType.SHELL_SCHEME, 1),
            actor=organizer,
        )  # fmt: skip
    with pytest.raises(Conflict):
        services.delete_booth(one, actor=organizer)
    assert db.session.scalar(select(BoothBooking.state)) == BookingState.CONFIRMED
