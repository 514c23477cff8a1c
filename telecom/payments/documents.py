"""Issuing invoices and credit notes.

A document takes the next number of its edition's series inside the
transaction that issues it (numbering.py), and keeps a frozen copy of what it
says: lines, amounts, issuer, buyer, bank details. Rendering (PDF) reads only
that copy, so a document never changes after it was issued.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.payments import numbering
from telecom.payments.models import (
    ZERO,
    Document,
    DocumentKind,
    Order,
    PaymentSettings,
    tax_on,
)
from telecom.payments.settings import settings_for

DOCUMENT_AUDIT_FIELDS = ("kind", "number", "net", "tax", "gross", "currency")


def _issuer(settings: PaymentSettings) -> dict[str, Any]:
    return {
        "name": settings.issuer_name,
        "address": settings.issuer_address,
        "tax_id": settings.issuer_tax_id,
    }


def _bank(settings: PaymentSettings) -> dict[str, Any]:
    return {
        "account_holder": settings.bank_account_holder,
        "bank_name": settings.bank_name,
        "iban": settings.bank_iban,
        "bic": settings.bank_bic,
    }


def _buyer(order: Order) -> dict[str, Any]:
    from telecom.exhibitors.models import Organisation

    if order.organisation_id is not None:
        organisation = db.session.get(Organisation, order.organisation_id)
        if organisation is not None:
            return {
                "name": organisation.legal_name,
                "address": organisation.billing_address,
                "country": organisation.country,
                "tax_id": organisation.vat_number,
            }
    buyer = db.session.get(User, order.buyer_id) if order.buyer_id else None
    return {"name": buyer.full_name if buyer else "", "address": "", "country": "", "tax_id": ""}


def _money(value: Decimal) -> str:
    return str(value)


def _issue(
    order: Order,
    kind: DocumentKind,
    *,
    lines: list[dict[str, Any]],
    net: Decimal,
    tax: Decimal,
    actor: User | None,
    extra: dict[str, Any],
    now: datetime | None = None,
) -> Document:
    edition = db.session.get(Edition, order.edition_id)
    assert edition is not None
    settings = settings_for(edition)
    now = now or utcnow()
    document = Document(
        edition_id=order.edition_id,
        order_id=order.id,
        kind=kind,
        number=numbering.next_number(edition, kind),
        issued_at=now,
        net=net,
        tax=tax,
        gross=net + tax,
        currency=order.currency,
        content={
            "edition": edition.name,
            "reference": order.reference,
            "issuer": _issuer(settings),
            "buyer": _buyer(order),
            "tax_label": order.tax_label,
            "tax_rate": _money(order.tax_rate),
            "lines": lines,
            "note": settings.invoice_note,
            **extra,
        },
    )
    order.documents.append(document)
    db.session.flush()
    audit.record(
        "issue", document, actor=actor, edition_id=order.edition_id,
        after=audit.snapshot(document, DOCUMENT_AUDIT_FIELDS) | {"order_id": order.id},
    )  # fmt: skip
    return document


def issue_invoice(order: Order, *, actor: User | None, paid: bool) -> Document:
    """The order's invoice for its active lines (once per order).

    `paid` marks a card invoice settled at issue; a bank-transfer invoice
    carries the bank details, the payment reference and the due date.
    """
    existing = order.invoice
    if existing is not None:
        return existing
    settings = settings_for(order.edition_id)
    lines = [
        {
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": _money(line.unit_price),
            "net": _money(line.amount),
            "tax": _money(tax_on(line.amount, order.tax_rate)),
        }
        for line in order.active_lines
    ]
    extra: dict[str, Any] = {"paid": paid}
    if not paid:
        extra["bank"] = _bank(settings)
        edition = db.session.get(Edition, order.edition_id)
        assert edition is not None
        due = order.transfer_due_at
        # The due date is the edition's local date, as the deadline was set.
        extra["due"] = edition.local_date(due).isoformat() if due else None
    return _issue(
        order, DocumentKind.INVOICE, lines=lines, net=order.total, tax=order.tax, actor=actor,
        extra=extra,
    )  # fmt: skip


def issue_credit_note(
    order: Order, gross: Decimal, *, reason: str, actor: User | None
) -> Document | None:
    """A credit note for `gross` (tax included) against the order's invoice.

    None when nothing was invoiced (a payment refunded before its order was
    ever invoiced needs no credit note) or the amount is zero.
    """
    invoice = order.invoice
    if invoice is None or gross <= ZERO:
        return None
    credited = sum((d.gross for d in order.credit_notes), ZERO)
    gross = min(gross, invoice.gross - credited)
    if gross <= ZERO:
        return None
    # Split the credited amount into net and tax in the invoice's proportion.
    tax = (gross * invoice.tax / invoice.gross).quantize(Decimal("0.01")) if invoice.gross else ZERO
    net = gross - tax
    lines = [{"description": reason, "quantity": 1, "unit_price": _money(net), "net": _money(net),
              "tax": _money(tax)}]  # fmt: skip
    return _issue(
        order, DocumentKind.CREDIT_NOTE, lines=lines, net=net, tax=tax, actor=actor,
        extra={"invoice_number": invoice.number, "reason": reason},
    )  # fmt: skip
