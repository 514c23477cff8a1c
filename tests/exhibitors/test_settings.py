"""Exhibition settings: defaults, the organizer's page, validation and audit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Forbidden
from telecom.exhibitors.models import ExhibitionSettings
from telecom.exhibitors.services.settings import (
    SettingsError,
    settings_data,
    settings_for,
    update_settings,
)
from telecom.extensions import db
from tests.core import fill_and_submit, form_values, visible_text
from tests.exhibitors.factories import make_booth, make_hall
from tests.helpers import log_in, make_edition, make_organizer, make_user


@pytest.fixture
def edition(app):  # type: ignore[no-untyped-def]
    return make_edition()


@pytest.fixture
def organizer(app):  # type: ignore[no-untyped-def]
    return make_organizer()


def url(edition) -> str:  # type: ignore[no-untyped-def]
    return f"/organizer/editions/{edition.slug}/exhibition-settings"


def rows() -> list[ExhibitionSettings]:
    db.session.expire_all()
    return list(db.session.scalars(select(ExhibitionSettings)))


def audit_entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "exhibition_settings")
            .order_by(AuditEntry.id)
        )
    )


def test_an_edition_without_settings_reads_the_documented_defaults(edition):
    settings = settings_for(edition)

    assert (settings.hold_minutes, settings.hold_reminder_minutes) == (30, 10)
    assert settings.max_active_holds == 3
    assert settings.price_space_only == Decimal("450.00")
    assert settings.price_shell_scheme == Decimal("520.00")
    assert (settings.staff_base, settings.staff_sqm_per_extra) == (2, 9)
    assert rows() == []  # reading never writes


def test_the_first_save_creates_the_row_and_is_audited(edition, organizer, client):
    log_in(client, "organizer@example.org")
    page = client.get(url(edition))
    assert page.status_code == 200
    assert form_values(page)["hold_minutes"] == "30"
    assert form_values(page)["price_shell_scheme"] == "520.00"

    response = fill_and_submit(
        client, url(edition),
        {"hold_minutes": "45", "price_space_only": "475.5", "discount_sme_pct": "22.5"},
    )  # fmt: skip

    assert response.status_code == 302
    [saved] = rows()
    assert saved.edition_id == edition.id
    assert saved.hold_minutes == 45
    assert saved.price_space_only == Decimal("475.50")
    assert saved.discount_sme_pct == Decimal("22.50")
    assert saved.price_shell_scheme == Decimal("520.00")  # the default, now stored
    [entry] = audit_entries()
    assert entry.action == "create"
    assert entry.actor_label == "organizer@example.org"
    assert entry.before is None
    assert entry.after["hold_minutes"] == 45
    assert entry.after["price_space_only"] == "475.50"
    assert "Exhibition settings saved." in visible_text(client.get(url(edition)))


def test_a_later_save_updates_the_row_and_audits_before_and_after(edition, organizer, client):
    log_in(client, "organizer@example.org")
    fill_and_submit(client, url(edition), {"hold_minutes": "45"})
    fill_and_submit(client, url(edition), {"hold_minutes": "20", "staff_sqm_per_extra": "12"})
    fill_and_submit(client, url(edition), {})  # nothing changed: nothing recorded

    [saved] = rows()
    assert (saved.hold_minutes, saved.staff_sqm_per_extra) == (20, 12)
    entries = audit_entries()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changed_fields() == [
        ("hold_minutes", 45, 20),
        ("staff_sqm_per_extra", 9, 12),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("discount_ngo_pct", "100.01", "Number must be between 0 and 100."),
        ("surcharge_corner_pct", "-1", "Number must be between 0 and 100."),
        ("price_shell_scheme", "-0.01", "Number must be at least 0."),
        ("price_space_only", "abc", "Not a valid decimal value."),
        ("price_space_only", "NaN", "Number must be at least 0."),
        ("hold_minutes", "0", "Number must be between 1 and 10080."),
        ("hold_minutes", "", "This field is required."),
        ("max_active_holds", "2.5", "Not a valid integer value."),
        ("staff_sqm_per_extra", "0", "Number must be between 1 and 100000."),
        ("hold_reminder_minutes", "30", "The reminder must go out before the hold expires"),
        ("price_space_only", "Infinity", "Space only, price per sqm must be a number."),
        ("price_space_only", "1e10", "must be between 0 and 9,999,999,999.99."),
    ],
)
def test_invalid_values_are_refused_with_the_field_and_nothing_saved(
    edition, organizer, client, field, value, message
):
    log_in(client, "organizer@example.org")

    response = fill_and_submit(client, url(edition), {field: value})

    assert response.status_code == 400
    assert message in visible_text(response)
    assert f'id="{field}-errors"' in response.text
    assert form_values(response)[field] == value  # what was typed is kept
    assert rows() == []
    assert audit_entries() == []


def test_the_limits_are_inclusive(edition, organizer, client):
    log_in(client, "organizer@example.org")
    response = fill_and_submit(
        client, url(edition),
        {"discount_un_body_pct": "100", "surcharge_island_pct": "0", "price_shell_scheme": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    [saved] = rows()
    assert saved.discount_un_body_pct == Decimal("100.00")
    assert saved.price_shell_scheme == Decimal("0.00")


def test_the_service_validates_too(edition, organizer):
    data = settings_data(settings_for(edition))

    for bad, field in [
        (replace(data, discount_sme_pct=Decimal("101")), "discount_sme_pct"),
        (replace(data, price_space_only=Decimal("-1")), "price_space_only"),
        (replace(data, price_space_only=Decimal("NaN")), "price_space_only"),
        (replace(data, surcharge_corner_pct=5.0), "surcharge_corner_pct"),  # a float
        (replace(data, hold_minutes=True), "hold_minutes"),
        (replace(data, max_active_holds=0), "max_active_holds"),
        (replace(data, hold_reminder_minutes=30), "hold_reminder_minutes"),
    ]:
        with pytest.raises(SettingsError) as refused:
            update_settings(edition, bad, actor=organizer)
        assert refused.value.field == field
    assert rows() == []


def test_cents_are_kept_and_more_decimals_rounded(edition, organizer):
    data = settings_data(settings_for(edition))
    update_settings(edition, replace(data, price_space_only=Decimal("450.125")), actor=organizer)
    assert rows()[0].price_space_only == Decimal("450.13")


def test_only_organizers_change_settings(edition, app, client):
    exhibitor = make_user("ada@acme.example")
    data = settings_data(settings_for(edition))
    with pytest.raises(Forbidden):
        update_settings(edition, data, actor=exhibitor)

    log_in(client, "ada@acme.example")
    assert client.get(url(edition)).status_code == 403
    assert rows() == []


def test_new_prices_show_on_the_booth_page(edition, organizer, client):
    booth = make_booth(make_hall(edition), "F-101")  # 9 sqm shell scheme
    log_in(client, "organizer@example.org")
    fill_and_submit(client, url(edition), {"price_shell_scheme": "600"})

    text = visible_text(client.get(f"/editions/{edition.slug}/booths/{booth.id}"))
    assert "CHF5,400.00" in text.replace("\xa0", "").replace("CHF ", "CHF")


def test_two_first_saves_leave_one_row(edition, organizer):
    data = settings_data(settings_for(edition))
    update_settings(edition, replace(data, hold_minutes=40), actor=organizer)
    update_settings(edition, replace(data, hold_minutes=50), actor=organizer)
    assert db.session.scalar(select(func.count(ExhibitionSettings.id))) == 1
    assert rows()[0].hold_minutes == 50
