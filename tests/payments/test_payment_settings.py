"""The payment settings page: what it shows, per-field validation with nothing
saved on error, an audited save, and a new tax rate applying to new orders only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Forbidden
from telecom.extensions import db
from telecom.payments import admin
from telecom.payments.models import PaymentSettings
from telecom.payments.settings import settings_for
from tests.exhibitors.factories import hold, make_show
from tests.helpers import html, submit_form
from tests.payments.admin_support import base_url, fresh, held_order, organizer_client

VALID = {
    "tax_rate": "7.70",
    "tax_label": "MWST",
    "issuer_name": "International Telecommunication Union",
    "issuer_address": "Place des Nations\n1211 Geneva 20\nSwitzerland",
    "issuer_tax_id": "CHE-123.456.789",
    "bank_transfer_enabled": "y",
    "bank_account_holder": "ITU",
    "bank_name": "UBS Switzerland AG",
    "bank_iban": "ch93 0076 2011 6238 5295 7",
    "bank_bic": "ubswchzh80a",
    "transfer_days": "30",
    "invoice_note": "Payable without deduction.",
}


def settings_url(show) -> str:  # type: ignore[no-untyped-def]
    return f"{base_url(show)}/settings"


def saved(show) -> PaymentSettings | None:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(
        select(PaymentSettings).where(PaymentSettings.edition_id == show.edition.id)
    )


def test_the_page_shows_the_currency_and_the_card_hold_time(app):
    show = make_show()
    page = html(organizer_client(app, show).get(settings_url(show)))
    assert 'id="currency">CHF' in page
    assert "30 minutes" in page
    assert f"/organizer/editions/{show.edition.slug}/exhibition-settings" in page
    assert "applies to orders opened after the change" in page


def test_a_valid_save_normalises_the_iban_and_bic_and_is_audited(app):
    show = make_show()
    client = organizer_client(app, show)

    response = submit_form(client, settings_url(show), VALID, follow_redirects=True)

    assert response.status_code == 200 and "Payment settings saved." in html(response)
    settings = saved(show)
    assert settings is not None
    assert settings.bank_iban == "CH9300762011623852957"
    assert settings.bank_bic == "UBSWCHZH80A"
    assert settings.tax_rate == Decimal("7.70") and settings.transfer_days == 30
    assert 'value="CH93 0076 2011 6238 5295 7"' in html(response)  # shown grouped by four
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "payment_settings")
    ).all()
    assert entry.action == "create" and entry.after["tax_rate"] == "7.70"

    submit_form(client, settings_url(show), {**VALID, "tax_rate": "8.1"})
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "payment_settings")
    ).all()
    assert actions == ["create", "update"]
    assert saved(show).tax_rate == Decimal("8.10")


BAD_VALUES = [
    ({"bank_iban": "CH93 0076 2011 6238 5295 8"}, "bank_iban", "not a valid IBAN"),
    ({"bank_iban": "XX00"}, "bank_iban", "not a valid IBAN"),
    ({"bank_iban": ""}, "bank_iban", "turn bank transfer off"),
    ({"tax_rate": "101"}, "tax_rate", "between 0 and 100"),
    ({"tax_rate": "-1"}, "tax_rate", "between 0 and 100"),
    ({"tax_rate": "7.705"}, "tax_rate", "at most two decimals"),
    ({"tax_rate": "abc"}, "tax_rate", "Not a valid decimal"),
    ({"bank_bic": "UBSW"}, "bank_bic", "8 or 11 characters"),
    ({"transfer_days": "0"}, "transfer_days", "between 1 and 120"),
    ({"transfer_days": "121"}, "transfer_days", "between 1 and 120"),
    ({"issuer_name": ""}, "issuer_name", "name of the invoice issuer"),
    ({"tax_label": "x" * 41}, "tax_label", "at most 40 characters"),
]


def test_a_bad_value_is_shown_on_its_field_and_nothing_is_saved(app):
    show = make_show()
    client = organizer_client(app, show)

    for changes, field, message in BAD_VALUES:
        response = submit_form(client, settings_url(show), {**VALID, **changes})

        assert response.status_code == 400, changes
        page = html(response)
        assert message in page, changes
        assert f'id="{field}-errors"' in page, changes
        assert "Nothing was saved" in page
    assert saved(show) is None
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.object_type == "payment_settings")) == 0  # fmt: skip


def test_every_bad_field_is_reported_at_once(app):
    show = make_show()
    data = admin.PaymentSettingsData(**{
        **{k: v for k, v in VALID.items() if k not in ("tax_rate", "transfer_days")},
        "tax_rate": Decimal("150"), "transfer_days": 500, "bank_transfer_enabled": True,
        "bank_iban": "DE00 1234",
    })  # fmt: skip
    with pytest.raises(admin.PaymentSettingsError) as refused:
        admin.update_payment_settings(show.edition, data, actor=show.organizer)
    assert set(refused.value.errors) == {"tax_rate", "transfer_days", "bank_iban"}
    with pytest.raises(Forbidden):
        admin.update_payment_settings(show.edition, data, actor=show.ada)


def test_bank_transfer_can_be_switched_off_without_bank_details(app):
    show = make_show()
    client = organizer_client(app, show)
    changes = {"bank_iban": "", "bank_account_holder": "", "bank_bic": ""}
    data = {k: v for k, v in {**VALID, **changes}.items() if k != "bank_transfer_enabled"}

    response = submit_form(client, settings_url(show), data)

    assert response.status_code == 302
    assert saved(show).bank_transfer_enabled is False


def test_a_new_tax_rate_applies_to_orders_opened_after_the_change(app):
    show = make_show()
    client = organizer_client(app, show)
    submit_form(client, settings_url(show), {**VALID, "tax_rate": "0"})
    before = held_order(show, "F-101")  # Acme's order, opened at 0 %
    assert before.tax_rate == Decimal("0.00") and before.tax == 0

    submit_form(client, settings_url(show), {**VALID, "tax_rate": "7.70"})
    hold(show, "F-102")  # joins Acme's open order: still the rate it opened with
    after = held_order(show, "F-103", organisation=show.globex)

    assert fresh(before).tax_rate == Decimal("0.00") and fresh(before).tax == 0
    assert after.tax_rate == Decimal("7.70") and after.tax_label == "MWST"
    line = after.active_lines[0]
    assert after.tax == (line.amount * Decimal("0.077")).quantize(Decimal("0.01"))
    assert settings_for(show.edition).tax_rate == Decimal("7.70")
