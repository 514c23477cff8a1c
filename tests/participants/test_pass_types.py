"""Organizers define an edition's passes: validation, sale window in the edition's zone, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from telecom.core.audit import entries_for_object
from telecom.core.errors import Forbidden
from telecom.extensions import db
from telecom.participants.models import PassType, RegistrationCategory
from telecom.participants.services import passes
from telecom.participants.services.passes import PassTypeData, PassTypeError
from tests.core import fill_and_submit, visible_text
from tests.helpers import html, log_in, make_organizer, make_user, submit_form
from tests.participants.registration_support import future_edition, make_pass, register


@pytest.fixture
def edition(app):  # type: ignore[no-untyped-def]
    return future_edition()


@pytest.fixture
def organizer(app):  # type: ignore[no-untyped-def]
    return make_organizer()


def data(edition, **values) -> PassTypeData:  # type: ignore[no-untyped-def]
    return PassTypeData(
        name=values.pop("name", "Day pass"),
        valid_from=values.pop("valid_from", edition.start_date),
        valid_until=values.pop("valid_until", edition.end_date),
        **values,
    )


def refused_field(edition, organizer, **values) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(PassTypeError) as refused:
        passes.create_pass_type(edition, data(edition, **values), actor=organizer)
    return refused.value.field, refused.value.message


def test_an_organizer_creates_a_day_pass_and_the_creation_is_audited(edition, organizer):
    pass_type = passes.create_pass_type(
        edition,
        data(
            edition, name="  Exhibition day pass ", price=Decimal("45"), days_valid=1,
            capacity=500, categories=[RegistrationCategory.VISITOR, RegistrationCategory.MEDIA],
            forum_access=False, exhibitor_invitations=20,
        ),
        actor=organizer,
    )  # fmt: skip

    assert pass_type.name == "Exhibition day pass"
    assert pass_type.categories == "visitor,media"
    assert passes.public_category(pass_type) == RegistrationCategory.VISITOR
    assert pass_type.price == Decimal("45.00")
    assert passes.chooses_days(pass_type)
    assert passes.start_days(pass_type) == passes.pass_days(pass_type)  # any of the 4 days
    assert len(passes.pass_days(pass_type)) == 4
    assert pass_type.issued == 0
    [entry] = entries_for_object("pass_types", pass_type.id)
    assert entry.action == "create_pass_type"
    assert entry.after["capacity"] == 500
    assert entry.actor_id == organizer.id


def test_a_two_day_pass_lets_the_visitor_choose_the_first_of_two_consecutive_days(
    edition, organizer
):
    pass_type = make_pass(edition, organizer, days_valid=2)

    starts = passes.start_days(pass_type)
    assert starts == passes.pass_days(pass_type)[:3]
    assert passes.validity_for(pass_type, starts[2]) == (starts[2], edition.end_date)
    with pytest.raises(PassTypeError):
        passes.validity_for(
            pass_type, edition.end_date
        )  # a 2-day pass cannot start on the last day


def test_days_valid_equal_to_the_range_means_every_day(edition, organizer):
    pass_type = make_pass(edition, organizer, days_valid=4)
    assert pass_type.days_valid is None
    assert not passes.chooses_days(pass_type)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"name": "  "}, "name", "Give the pass a name"),
        ({"name": "x" * 101}, "name", "at most 100"),
        ({"categories": []}, "categories", "at least one category"),
        ({"categories": ["visitor", "tourist"]}, "categories", "from the list"),
        ({"price": Decimal("-1")}, "price", "0 (free) or more"),
        ({"price": Decimal("12.345")}, "price", "two decimals"),
        ({"price": Decimal("NaN")}, "price", "must be a number"),
        ({"days_valid": 0}, "days_valid", "between 1 and 4"),
        ({"days_valid": 5}, "days_valid", "between 1 and 4"),
        ({"capacity": 0}, "capacity", "between 1 and"),
        ({"exhibitor_invitations": -3}, "exhibitor_invitations", "between 0 and"),
    ],
)
def test_bad_values_are_refused_on_their_field(edition, organizer, values, field, words):
    got_field, message = refused_field(edition, organizer, **values)
    assert got_field == field
    assert words in message
    assert db.session.query(PassType).count() == 0


def test_the_days_must_lie_within_the_edition(edition, organizer):
    day = timedelta(days=1)
    assert refused_field(edition, organizer, valid_from=edition.start_date - day)[0] == "valid_from"
    assert refused_field(edition, organizer, valid_until=edition.end_date + day)[0] == "valid_until"
    field, message = refused_field(
        edition, organizer, valid_from=edition.end_date, valid_until=edition.start_date
    )
    assert field == "valid_until"
    assert "cannot come before" in message


def test_the_sale_window_is_entered_in_the_editions_time_zone(edition, organizer):
    # Budapest is UTC+1 in winter, UTC+2 in summer: 09:00 there is 07:00 or 08:00 UTC.
    start = datetime(2026, 1, 15, 9, 0)
    pass_type = make_pass(
        edition, organizer, sale_starts_at=start, sale_ends_at=start + timedelta(days=30)
    )
    assert pass_type.sale_starts_at == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert passes.to_local(edition, pass_type.sale_starts_at) == start

    field, message = refused_field(
        edition, organizer, name="Other", sale_starts_at=start, sale_ends_at=start
    )
    assert field == "sale_ends_at"
    assert "end after it starts" in message


def test_names_are_unique_per_edition_whatever_the_case(edition, organizer):
    make_pass(edition, organizer, name="Forum pass")
    field, message = refused_field(edition, organizer, name="FORUM PASS")
    assert field == "name"
    assert "already has a pass" in message


def test_the_capacity_cannot_drop_below_the_places_taken(edition, organizer):
    pass_type = make_pass(edition, organizer, capacity=10)
    from tests.participants.registration_support import Fair

    fair = Fair(edition, organizer, pass_type)
    for n in range(3):
        register(fair, f"v{n}@visitor.example")

    with pytest.raises(PassTypeError) as refused:
        passes.update_pass_type(
            pass_type, data(edition, name="Full pass", capacity=2), actor=organizer
        )
    assert refused.value.field == "capacity"
    assert "3 places are already taken" in refused.value.message

    changed = passes.update_pass_type(
        pass_type, data(edition, name="Full pass", capacity=3), actor=organizer
    )
    assert changed.capacity == 3
    entry = entries_for_object("pass_types", pass_type.id)[0]
    assert entry.action == "update_pass_type"
    assert entry.before["capacity"] == 10 and entry.after["capacity"] == 3


def test_deactivating_takes_a_pass_off_sale_and_is_audited(edition, organizer):
    pass_type = make_pass(edition, organizer)
    assert passes.passes_for_sale(edition) == [pass_type]

    passes.set_active(pass_type, False, actor=organizer)

    assert passes.passes_for_sale(edition) == []
    assert entries_for_object("pass_types", pass_type.id)[0].action == "deactivate_pass_type"


def test_only_organizers_manage_passes(edition, organizer):
    visitor = make_user("someone@example.org")
    with pytest.raises(Forbidden):
        passes.create_pass_type(edition, data(edition), actor=visitor)
    pass_type = make_pass(edition, organizer)
    with pytest.raises(Forbidden):
        passes.set_active(pass_type, False, actor=visitor)


# --- The organizer pages ----------------------------------------------------------------


def test_the_pass_pages_create_edit_and_withdraw_a_pass(client, edition, organizer):
    log_in(client, organizer.email)
    base = f"/organizer/editions/{edition.slug}/participants/pass-types"

    response = fill_and_submit(
        client,
        f"{base}/new",
        {
            "name": "Leaders' pass",
            "price": "0",
            "public_category": "vip",
            "other_categories": "forum_delegate",
            "capacity": "50",
            "sale_starts_at": "2026-01-15T09:00",
            "invitation_only": "y",
            "forum_access": "y",
        },
    )
    assert response.status_code == 302
    pass_type = db.session.query(PassType).one()
    assert pass_type.categories == "vip,forum_delegate"
    assert pass_type.invitation_only and pass_type.forum_access
    assert pass_type.sale_starts_at == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    listing = visible_text(client.get(base))
    assert "Leaders' pass" in listing and "0 of 50" in listing

    # The edit form shows the sale time as it was typed, in Budapest time.
    edit = client.get(f"{base}/{pass_type.id}/edit")
    assert 'value="2026-01-15T09:00"' in html(edit)
    response = fill_and_submit(client, f"{base}/{pass_type.id}/edit", {"capacity": "0"})
    assert response.status_code == 200
    assert "Capacity" in visible_text(response) and "at least 1" in visible_text(response)

    response = submit_form(client, f"{base}/{pass_type.id}/deactivate", form_page=base)
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(PassType, pass_type.id).active
    assert "Withdrawn" in visible_text(client.get(base))


def test_a_refused_value_is_shown_beside_its_field_and_nothing_is_lost(client, edition, organizer):
    log_in(client, organizer.email)
    url = f"/organizer/editions/{edition.slug}/participants/pass-types/new"
    day_after = (edition.end_date + timedelta(days=1)).isoformat()

    response = fill_and_submit(
        client, url, {"name": "Late pass", "price": "10", "valid_until": day_after}
    )

    assert response.status_code == 200
    page = visible_text(response)
    assert "The pass must end within the edition's dates." in page
    assert 'value="Late pass"' in html(response)
    assert db.session.query(PassType).count() == 0


def test_visitors_cannot_open_the_pass_pages(client, edition):
    make_user("someone@example.org")
    log_in(client, "someone@example.org")
    response = client.get(f"/organizer/editions/{edition.slug}/participants/pass-types")
    assert response.status_code == 403
