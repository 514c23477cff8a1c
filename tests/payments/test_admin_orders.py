"""The organizer's order, payment and refund lists: filters, the order page,
CSV/XLSX exports, who may see them, and statement counts that do not grow
with the number of orders."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from telecom.core.db import commit
from telecom.core.errors import Forbidden
from telecom.exhibitors.models import BoothBooking
from telecom.extensions import db
from telecom.payments import admin
from telecom.payments.models import OrderState, PaymentProvider
from tests.exhibitors.factories import make_organisation, make_show
from tests.helpers import html, log_in, make_edition, submit_form
from tests.payments.admin_support import (
    awaiting_order,
    bank_settings,
    base_url,
    direct_order,
    fresh,
    order_url,
    organizer_client,
)


@pytest.fixture
def shop(app):  # type: ignore[no-untyped-def]
    """Acme awaiting a transfer (Ada's order), Globex paid by card, an open order of an
    organisation whose name is a spreadsheet formula, and a bank-paid order of January."""
    show = make_show()
    bank_settings(show.edition)
    acme = awaiting_order(show, "F-101")
    globex = direct_order(show.edition, show.globex, amount="2500.00",
                          provider=PaymentProvider.CARD, reference="TW15-GLBX-0001")  # fmt: skip
    evil = make_organisation(show.edition, '=HYPERLINK("http://evil.example","x")')
    open_order = direct_order(show.edition, evil, amount="10.00", state=OrderState.OPEN,
                              reference="TW15-EVIL-0001")  # fmt: skip
    january = direct_order(show.edition, make_organisation(show.edition, "Initech"),
                           amount="1234.50", reference="TW15-JANU-0001")  # fmt: skip
    january.created_at = datetime(2015, 1, 10, 12, tzinfo=UTC)
    commit()
    return show, {"acme": acme, "globex": globex, "open": open_order, "january": january}


def refs(page: str, orders: dict) -> set[str]:
    return {name for name, order in orders.items() if f'id="order-{order.id}"' in page}


def test_orders_are_listed_and_filtered(app, shop):
    show, orders = shop
    client = organizer_client(app, show)
    url = f"{base_url(show)}/orders"

    assert refs(html(client.get(url)), orders) == set(orders)
    assert refs(html(client.get(url, query_string={"state": "paid"})), orders) == {
        "globex", "january",
    }  # fmt: skip
    assert refs(html(client.get(url, query_string={"state": "awaiting_transfer"})), orders) == {
        "acme"
    }
    assert refs(html(client.get(url, query_string={"provider": "card"})), orders) == {"globex"}
    assert refs(html(client.get(url, query_string={"provider": "bank_transfer"})), orders) == {
        "january"
    }
    for text, expected in [("glob", {"globex"}), ("ada@acme", {"acme"}),
                           ("tw15-janu", {"january"}), ("ACME TELECOM", {"acme"}),
                           ("100%", set())]:  # fmt: skip
        assert refs(html(client.get(url, query_string={"q": text})), orders) == expected, text
    january = {"created_from": "2015-01-01", "created_to": "2015-01-10"}
    assert refs(html(client.get(url, query_string=january)), orders) == {"january"}
    # Nonsense in the query string is ignored, never a 500.
    response = client.get(url, query_string={"state": "nope", "created_from": "soon", "page": "x"})
    assert response.status_code == 200
    assert refs(html(response), orders) == set(orders)


def test_the_order_page_shows_lines_totals_payments_documents_and_history(app, shop):
    show, orders = shop
    order = orders["acme"]
    admin.record_transfer(order, amount=Decimal("10.00"), received_on=admin.edition_today(
        show.edition), reference="UBS 991", actor=show.organizer)  # fmt: skip
    client = organizer_client(app, show)

    page = html(client.get(order_url(show, order)))

    order = fresh(order)
    assert "Booth F-101" in page
    assert order.reference in page and "Awaiting transfer" in page
    assert "UBS 991" in page and "recorded by organizer@example.org" in page
    assert order.invoice.number in page
    assert "record_transfer" in page and "awaiting_transfer" in page  # the audit trail
    assert 'id="balance-due"' in page
    if "payments.document_pdf" in app.view_functions:
        assert f"/documents/{order.invoice.id}.pdf" in page


def parse_csv(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_orders_export_as_csv_and_xlsx_with_the_filters(app, shop):
    show, _orders = shop
    client = organizer_client(app, show)

    response = client.get(f"{base_url(show)}/orders.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = parse_csv(response.data)
    header, body = rows[0], rows[1:]
    assert len(body) == 4
    by_ref = {row[header.index("Reference")]: row for row in body}
    january = by_ref["TW15-JANU-0001"]
    assert january[header.index("Currency")] == "CHF"
    assert january[header.index("Total")] == "1234.50"
    assert january[header.index("Paid")] == "1234.50"
    assert january[header.index("Balance due")] == "0.00"
    assert january[header.index("State")] == "Paid"
    evil = by_ref["TW15-EVIL-0001"]
    assert evil[header.index("Buyer")].startswith("'=HYPERLINK")  # not a formula

    paid = parse_csv(client.get(f"{base_url(show)}/orders.csv?state=paid").data)
    assert {row[header.index("Reference")] for row in paid[1:]} == {
        "TW15-GLBX-0001", "TW15-JANU-0001",
    }  # fmt: skip

    response = client.get(f"{base_url(show)}/orders.xlsx?provider=card")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][values[0].index("Reference")] == "TW15-GLBX-0001"
    assert Decimal(str(values[1][values[0].index("Total")])) == Decimal("2500.00")

    everything = load_workbook(io.BytesIO(client.get(f"{base_url(show)}/orders.xlsx").data))
    cells = [c for row in everything.active.iter_rows() for c in row]
    evil_cell = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert evil_cell.data_type == "s"  # text, never run as a formula


def test_payments_and_refunds_are_listed_and_exported(app, shop):
    show, orders = shop
    client = organizer_client(app, show)
    admin.record_transfer(orders["acme"], amount=Decimal("20.00"),
                          received_on=admin.edition_today(show.edition), reference="UBS 7",
                          actor=show.organizer)  # fmt: skip
    payment = fresh(orders["january"]).payments[0]
    admin.refund_order_payment(fresh(orders["january"]), payment.id, "34.50",
                               reason="Goodwill", actor=show.organizer)  # fmt: skip

    page = html(client.get(f"{base_url(show)}/payments"))
    assert "3 payments" in page and "UBS 7" in page
    card_only = html(client.get(f"{base_url(show)}/payments?provider=card"))
    assert "1 payment" in card_only and "TW15-GLBX-0001" in card_only

    rows = parse_csv(client.get(f"{base_url(show)}/payments.csv?provider=bank_transfer").data)
    header = rows[0]
    assert {row[header.index("Bank reference")] for row in rows[1:]} == {"UBS 7", "bank ref"}
    refunded = next(r for r in rows[1:] if r[header.index("Order reference")] == "TW15-JANU-0001")
    assert refunded[header.index("Refunded")] == "34.50"
    assert refunded[header.index("Amount")] == "1234.50"
    sheet = load_workbook(io.BytesIO(client.get(f"{base_url(show)}/payments.xlsx").data)).active
    assert sheet.max_row == 4

    refunds = html(client.get(f"{base_url(show)}/refunds"))
    assert "Goodwill" in refunds and "TW15-JANU-0001" in refunds


def test_only_organizers_see_the_payments_pages(app, shop):
    show, orders = shop
    other = make_edition("telecom-world-2016", name="ITU TELECOM World 2016")
    foreign = direct_order(other, None, reference="TW16-OTHR-0001")
    urls = [
        f"{base_url(show)}/orders", f"{base_url(show)}/orders.csv", f"{base_url(show)}/orders.xlsx",
        f"{base_url(show)}/payments", f"{base_url(show)}/payments.csv", f"{base_url(show)}/refunds",
        f"{base_url(show)}/overdue", f"{base_url(show)}/settings", order_url(show, orders["acme"]),
    ]  # fmt: skip
    anonymous = app.test_client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    member = app.test_client()
    log_in(member, show.ada.email)  # Acme's own member: still not an organizer
    for url in urls:
        assert member.get(url).status_code == 403, url
    assert member.post(f"{order_url(show, orders['acme'])}/cancel").status_code in (400, 403)

    organizer = organizer_client(app, show)
    assert organizer.get(order_url(show, foreign)).status_code == 404  # another edition's
    assert organizer.get(order_url(show, 999999)).status_code == 404
    # The services refuse on their own too, whatever calls them.
    with pytest.raises(Forbidden):
        admin.orders_query(show.edition, admin.OrderFilters(), actor=show.ada)


def test_a_post_without_its_token_is_refused(app, shop):
    show, orders = shop
    client = organizer_client(app, show)
    response = client.post(f"{order_url(show, orders['acme'])}/cancel",
                           data={"cancel-reason": "x"})  # fmt: skip
    assert response.status_code == 400
    assert fresh(orders["acme"]).state == OrderState.AWAITING_TRANSFER
    page = order_url(show, orders["acme"])
    response = submit_form(client, f"{page}/cancel", {"cancel-reason": "fine"}, form_page=page)
    assert response.status_code == 302


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def statements_for(client, urls: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    counts = []
    for url in urls:
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert client.get(url).status_code == 200, url
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        counts.append(counter.count)
    return counts


def add_orders(show, first: int, count: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(first, first + count):
        organisation = make_organisation(show.edition, f"Buyer {n}")
        provider = PaymentProvider.CARD if n % 2 else PaymentProvider.BANK_TRANSFER
        order = direct_order(show.edition, organisation, amount=f"{100 + n}.00",
                             provider=provider, reference=f"TW15-LOAD-{n:04d}")  # fmt: skip
        if provider == PaymentProvider.BANK_TRANSFER and n % 3 == 0:
            admin.refund_order_payment(order, order.payments[0].id, "1.00", reason="r",
                                       actor=show.organizer)  # fmt: skip


def test_lists_and_exports_run_a_fixed_number_of_statements(app):
    show = make_show()
    client = organizer_client(app, show)
    base = base_url(show)
    urls = [f"{base}/orders", f"{base}/orders.csv", f"{base}/payments", f"{base}/payments.xlsx",
            f"{base}/refunds", f"{base}/overdue"]  # fmt: skip
    add_orders(show, 0, 5)
    statements_for(client, urls)  # warm up caches (templates, babel)
    with_five = statements_for(client, urls)

    add_orders(show, 5, 20)
    with_twenty_five = statements_for(client, urls)

    assert with_twenty_five == with_five
    assert "25 orders" in html(client.get(f"{base}/orders"))


def test_the_demo_gives_the_organizer_lists_something_to_show(app):
    from telecom.demo import load_demo_data
    from telecom.events.services import get_edition
    from telecom.payments.demo import load_payments_demo
    from telecom.payments.settings import settings_for

    created = load_demo_data()  # both editions: 8 orders each
    edition = get_edition("telecom-world-2015")

    assert {k: created[k] for k in ("payment_settings", "orders", "payments", "invoices")} == {
        "payment_settings": 2, "orders": 16, "payments": 16, "invoices": 16,
    }  # fmt: skip
    assert load_payments_demo(edition) == {  # idempotent
        "payment_settings": 0, "orders": 0, "payments": 0, "invoices": 0,
    }  # fmt: skip
    settings = settings_for(edition)
    assert admin.iban_is_valid(settings.bank_iban) and settings.tax_rate == 0
    assert settings.transfer_days == 30 and edition.currency == "CHF"
    every_order = list(db.session.scalars(admin.orders_query(edition, admin.OrderFilters(),
                                                             actor=_organizer())))  # fmt: skip
    # The KPI demo adds sponsorship deals (telecom/kpi/costs_demo.py) after the booth orders.
    orders = [o for o in every_order if o.has_booths]
    assert len(orders) == 8
    assert {o.state for o in orders} == {OrderState.PAID, OrderState.AWAITING_TRANSFER}
    assert all(o.invoice is not None and o.payments for o in orders)
    assert sorted(o.invoice.number for o in orders) == [f"TW2015-{n:06d}" for n in range(1, 9)]
    for order in orders:
        [line] = order.active_lines
        expected = "paid" if order.state == OrderState.PAID else "confirmed"
        assert db.session.get(BoothBooking, line.booth_booking_id).state.value == expected
    assert all(o.balance_due == 0 for o in orders if o.state == OrderState.PAID)
    client = app.test_client()
    log_in(client, app.config["DEMO_ORGANIZER_EMAIL"], app.config["DEMO_ORGANIZER_PASSWORD"])
    listed = html(client.get("/organizer/editions/telecom-world-2015/payments/orders"))
    assert f"{len(every_order)} orders" in listed
    overdue = html(client.get("/organizer/editions/telecom-world-2015/payments/overdue"))
    # Two booth orders and one sponsorship deal await a transfer; 2015 is long past.
    awaiting = [o for o in every_order if o.state == OrderState.AWAITING_TRANSFER]
    assert len(awaiting) == 3
    assert "3 overdue orders" in overdue


def _organizer():  # type: ignore[no-untyped-def]
    from telecom.demo import demo_organizer

    return demo_organizer()


def test_my_orders_runs_a_fixed_number_of_statements(app):
    from decimal import Decimal

    from telecom.payments.models import OrderLine, OrderLineKind
    from telecom.payments.services import new_order

    show = make_show()
    client = app.test_client()
    log_in(client, show.ada.email)

    def add(count: int) -> None:
        for n in range(count):
            order = new_order(show.edition.id, organisation_id=None, buyer=show.ada, currency="CHF")
            order.lines.append(
                OrderLine(kind=OrderLineKind.PASS, description=f"Pass {n}", unit_price=Decimal(90))
            )
        db.session.commit()

    add(2)
    statements_for(client, ["/account/orders"])  # warm up
    with_two = statements_for(client, ["/account/orders"])
    add(6)
    assert statements_for(client, ["/account/orders"]) == with_two
