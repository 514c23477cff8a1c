"""Invoice and credit-note PDFs: what they say, that they never change, who may download them."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask

from telecom.core.db import commit
from telecom.exhibitors.services import booking
from telecom.extensions import db
from telecom.payments import settlement, transfer
from telecom.payments.models import Document, Payment, PaymentProvider
from telecom.payments.pdf import (
    LocalOnlyFetcher,
    html_to_pdf,
    render_document_html,
    render_document_pdf,
)
from tests.exhibitors.factories import Show
from tests.helpers import log_in, make_user
from tests.payments.buyer_support import (
    fresh,
    held_order,
    make_payable_show,
    pdf_text,
    save_payment_settings,
)


@pytest.fixture
def show(app) -> Show:
    return make_payable_show()


def transfer_invoice(show: Show) -> Document:
    order = held_order(show)
    transfer.choose_bank_transfer(order, actor=show.ada)
    invoice = fresh(order).invoice
    assert invoice is not None
    return invoice


def test_a_transfer_invoice_says_who_what_how_much_and_where_to_pay(show):
    save_payment_settings(show.edition, tax_rate=Decimal("7.70"), tax_label="MWST",
                          issuer_tax_id="CHE-116.281.710")  # fmt: skip
    # Names in other scripts must come out as written (DejaVu has the glyphs).
    show.acme.legal_name = "Акме Телеком Ελλάς"
    commit()
    invoice = transfer_invoice(show)
    order = invoice.order

    words = pdf_text(render_document_pdf(invoice))

    for expected in (
        "Invoice", "TW2015-000001", "International Telecommunication Union", "Place des Nations",
        "CHE-116.281.710",  # issuer's tax id
        "Акме Телеком Ελλάς", "Rue du Rhône 1", "1204 Genève", "Hungary",
        "CHE-123.456.789 MWST",  # buyer's VAT number
        "Booth F-101 (F)", "CHF4,680.00", "MWST at 7.7 %", "CHF360.36", "CHF5,040.36",
        "Total (CHF)", "CH93 0076 2011 6238 5295 7", "UBSWCHZH80A", "UBS Switzerland AG",
        order.reference, "Due date",
    ):  # fmt: skip
        assert expected in words, expected
    assert invoice.tax == Decimal("360.36")  # 4,680.00 × 7.7 % = 360.36
    assert "Paid" not in words


def test_a_card_invoice_is_marked_paid_and_has_no_bank_details(show):
    order = held_order(show)
    payment = Payment(
        order_id=order.id, edition_id=order.edition_id, provider=PaymentProvider.CARD,
        amount=order.gross_total, currency=order.currency, stripe_payment_intent_id="pi_doc",
        idempotency_key="doc-test",
    )  # fmt: skip
    db.session.add(payment)
    commit()
    settlement.complete_payment(settlement.lock_payment(payment.id), actor=None)
    commit()
    invoice = fresh(order).invoice
    assert invoice is not None

    words = pdf_text(render_document_pdf(invoice))

    assert "TW2015-000001" in words
    assert "Paid" in words
    assert "CH93 0076" not in words
    assert "How to pay" not in words


def test_a_credit_note_names_the_invoice_it_credits_and_why(show):
    invoice = transfer_invoice(show)
    due = invoice.order.transfer_due_at

    booking.release_expired(now=due + timedelta(seconds=1))
    [credit_note] = fresh(invoice.order).credit_notes

    words = pdf_text(render_document_pdf(credit_note))

    assert "Credit note" in words
    assert "TW2015-CN-000001" in words
    assert "This credit note credits invoice TW2015-000001." in words
    assert "Order cancelled" in words
    assert "CHF4,680.00" in words


def test_a_document_reads_as_issued_whatever_changes_later(show):
    invoice = transfer_invoice(show)
    before = render_document_html(invoice)
    save_payment_settings(show.edition, bank_iban="DE89 3704 0044 0532 0130 00",
                          issuer_name="Someone Else", tax_rate=Decimal("19.00"))  # fmt: skip
    show.acme.legal_name = "Renamed Ltd"
    commit()

    after = render_document_html(fresh(invoice.order).invoice)

    assert after == before
    assert "CH93 0076 2011 6238 5295 7" in after
    assert "DE89" not in after and "Renamed" not in after


def download(app: Flask, email: str | None, document_id: int):  # type: ignore[no-untyped-def]
    client = app.test_client()
    if email:
        log_in(client, email)
    return client.get(f"/documents/{document_id}.pdf")


def test_the_buyer_and_organizers_download_the_pdf_others_do_not(app, show):
    invoice = transfer_invoice(show)
    make_user("eve@example.org")

    response = download(app, "ada@acme.example", invoice.id)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=TW2015-000001.pdf"
    assert "private" in response.headers["Cache-Control"]
    assert response.data.startswith(b"%PDF-")
    assert "TW2015-000001" in pdf_text(response.data)
    assert download(app, "organizer@example.org", invoice.id).status_code == 200
    assert download(app, "bob@globex.example", invoice.id).status_code == 404
    assert download(app, "eve@example.org", invoice.id).status_code == 404
    assert download(app, "ada@acme.example", invoice.id + 1000).status_code == 404
    anonymous = download(app, None, invoice.id)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, *args: object) -> None:
        pass


def test_rendering_never_fetches_anything_over_the_network(app):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        pdf = html_to_pdf(
            f'<html><head><link rel="stylesheet" href="{base}/style.css"></head>'
            f'<body><img src="{base}/logo.png"><p>Offline</p></body></html>'
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    assert _Recorder.hits == []
    assert pdf.startswith(b"%PDF-") and "Offline" in pdf_text(pdf)


def test_the_fetcher_allows_only_data_urls_and_the_static_folder(app, tmp_path):
    static = Path(app.static_folder)
    fetcher = LocalOnlyFetcher([static])
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")

    response = fetcher.fetch("data:text/plain,hello")
    assert response.read() == b"hello"
    response.close()
    css = next(static.glob("css/*.css"))
    response = fetcher.fetch(css.as_uri())
    assert response.read()
    response.close()
    for refused in ("https://example.org/x.png", outside.as_uri(), (static / "../x").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)
