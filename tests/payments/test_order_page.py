"""The buyer's order page and "my orders"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from telecom.core.db import commit
from telecom.exhibitors.models import OrganisationMember
from telecom.extensions import db
from telecom.payments import transfer
from telecom.payments.models import OrderState
from telecom.payments.services import open_order
from tests.exhibitors.factories import Show, hold, make_booth, make_organisation
from tests.helpers import html, log_in, make_user
from tests.payments.buyer_support import (
    fresh,
    held_order,
    make_payable_show,
    save_payment_settings,
)


@pytest.fixture
def show(app) -> Show:
    return make_payable_show()


def page_of(app, email: str, url: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, email)
    return client.get(url)


def test_the_buyer_reviews_lines_tax_and_total_as_the_edition_configures_them(app, show):
    save_payment_settings(show.edition, tax_rate=Decimal("7.70"), tax_label="MWST")
    for n, x in ((1, "30"), (2, "33")):
        show.booths[f"R-{n}"] = make_booth(show.hall, f"R-{n}", x=x, y="20", price_override="10.05")
    order = held_order(show, "R-1", "R-2")
    # Changing the rate later does not touch an order already opened.
    save_payment_settings(show.edition, tax_rate=Decimal("20.00"))

    response = page_of(app, "ada@acme.example", f"/orders/{order.id}")

    assert response.status_code == 200
    page = html(response)
    order = fresh(order)
    assert order.tax_rate == Decimal("7.70")
    # Tax is rounded per line: 2 × 0.77 (0.77385 each), not 0.077 × 20.10 = 1.55.
    assert order.total == Decimal("20.10")
    assert order.tax == Decimal("1.54")
    assert order.gross_total == Decimal("21.64")
    assert "Booth R-1 (F)" in page and "Booth R-2 (F)" in page
    assert "CHF10.05" in page
    assert "MWST at 7.7 %" in page
    assert "CHF1.54" in page
    assert "CHF21.64" in page
    assert order.reference in page
    assert "Open" in page
    assert "minutes left" in page  # the hold's countdown
    assert "Pay by bank transfer" in page
    assert 'name="csrf_token"' in page


def test_strangers_and_other_exhibitors_get_404_and_organizers_may_look(app, show):
    order = held_order(show)
    make_user("eve@example.org")

    assert page_of(app, "eve@example.org", f"/orders/{order.id}").status_code == 404
    assert page_of(app, "bob@globex.example", f"/orders/{order.id}").status_code == 404
    assert page_of(app, "organizer@example.org", f"/orders/{order.id}").status_code == 200
    assert page_of(app, "ada@acme.example", "/orders/999999").status_code == 404
    anonymous = app.test_client().get(f"/orders/{order.id}")
    assert anonymous.status_code == 302
    assert "/account/login" in anonymous.headers["Location"]


def test_a_colleague_in_the_same_organisation_sees_the_order(app, show):
    colleague = make_user("carl@acme.example", full_name="Carl Acme")
    db.session.add(OrganisationMember(organisation_id=show.acme.id, user_id=colleague.id))
    commit()
    order = held_order(show)

    assert page_of(app, "carl@acme.example", f"/orders/{order.id}").status_code == 200


def test_no_transfer_button_when_the_edition_does_not_take_transfers(app, show):
    save_payment_settings(show.edition, bank_transfer_enabled=False)
    order = held_order(show)

    page = html(page_of(app, "ada@acme.example", f"/orders/{order.id}"))

    assert "Pay by bank transfer" not in page
    assert "CHF" in page


def test_an_order_awaiting_transfer_shows_its_deadline_and_invoice(app, show):
    order = held_order(show)
    transfer.choose_bank_transfer(order, actor=show.ada)
    order = fresh(order)

    page = html(page_of(app, "ada@acme.example", f"/orders/{order.id}"))

    assert order.state == OrderState.AWAITING_TRANSFER
    assert "Awaiting transfer" in page
    assert "Transfer due by" in page
    assert "Awaiting your bank transfer" in page
    assert "Held until" in page
    assert "minutes left" not in page  # a deadline days away, not a countdown
    assert f"/documents/{order.invoice.id}.pdf" in page
    assert "Invoice TW2015-000001" in page
    assert "Pay by bank transfer" not in page


def test_the_bookings_page_links_to_the_order(app, show):
    order = held_order(show)

    page = html(
        page_of(
            app, "ada@acme.example",
            f"/editions/{show.edition.slug}/exhibitors/{show.acme.id}/bookings",
        )
    )  # fmt: skip

    assert f'href="/orders/{order.id}"' in page


def test_my_orders_lists_only_the_users_orders_newest_first(app, show):
    first = held_order(show)
    transfer.choose_bank_transfer(first, actor=show.ada)
    labs = make_organisation(show.edition, "Acme Labs", members=(show.ada,))
    hold(show, "F-103", labs, show.ada)
    globex = hold(show, "F-102", show.globex, show.bob)
    make_user("eve@example.org")

    page = html(page_of(app, "ada@acme.example", "/account/orders"))

    first = fresh(first)
    second = open_order(labs)
    theirs = open_order(show.globex)
    assert second is not None and theirs is not None and globex is not None
    assert f"/orders/{second.id}" in page and f"/orders/{first.id}" in page
    assert page.index(f"/orders/{second.id}") < page.index(f"/orders/{first.id}")
    assert f"/orders/{theirs.id}" not in page
    assert f"/documents/{first.invoice.id}.pdf" in page
    assert "My orders" in page  # also the account menu's link

    assert "You have no orders yet" in html(page_of(app, "eve@example.org", "/account/orders"))
    bob_page = html(page_of(app, "bob@globex.example", "/account/orders"))
    assert f"/orders/{theirs.id}" in bob_page and f"/orders/{first.id}" not in bob_page
