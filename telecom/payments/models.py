"""Orders, payments, refunds, invoices and credit notes.

An order gathers what one buyer pays for at an edition. Booth holds start it:
each hold adds a line at the price quoted before the hold, and a hold that ends
(released, expired, cancelled) cancels its line. Tax is charged per line at the
rate copied from the edition's payment settings when the order was opened.

Payments and refunds are append-only: a row is created for every attempt and
only moves once from pending to its outcome; what an order has received is
the sum of its succeeded payments minus its succeeded refunds. Invoices and
credit notes keep a frozen copy of what they said, so a PDF downloaded years
later shows exactly what was issued.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, UTCDateTime, str_enum
from telecom.extensions import db

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def tax_on(net: Decimal, rate: Decimal) -> Decimal:
    """Tax on one line, rounded half-up to the cent (rate in percent)."""
    return (net * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


class OrderState(enum.StrEnum):
    OPEN = "open"  # being put together or paid by card; its booths are held
    AWAITING_TRANSFER = "awaiting_transfer"  # invoiced; paid by bank transfer
    PAID = "paid"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(ORDER_STATE_LABELS[self])


ORDER_STATE_LABELS = {
    OrderState.OPEN: _l("Open"),
    OrderState.AWAITING_TRANSFER: _l("Awaiting transfer"),
    OrderState.PAID: _l("Paid"),
    OrderState.CANCELLED: _l("Cancelled"),
}


class Order(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        # One open order per organisation and edition: every hold joins it.
        Index(
            "uq_orders_one_open_per_organisation",
            "edition_id",
            "organisation_id",
            unique=True,
            sqlite_where=text("state = 'open' AND organisation_id IS NOT NULL"),
            postgresql_where=text("state = 'open' AND organisation_id IS NOT NULL"),
        ),
    )

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[OrderState] = mapped_column(
        str_enum(OrderState), nullable=False, default=OrderState.OPEN
    )
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # Printed on the invoice; the buyer quotes it with a bank transfer.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False, default=ZERO)
    tax_label: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    transfer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", order_by="Payment.id", cascade="all, delete-orphan"
    )
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="order", order_by="Refund.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="order", order_by="Document.id", cascade="all, delete-orphan"
    )

    @property
    def active_lines(self) -> list[OrderLine]:
        return [line for line in self.lines if line.cancelled_at is None]

    @property
    def total(self) -> Decimal:
        """Net total of the active lines (before tax)."""
        return sum((line.amount for line in self.active_lines), ZERO)

    @property
    def has_booths(self) -> bool:
        """Whether any active line is a booth (what holds and deadlines are about)."""
        return any(line.kind == OrderLineKind.BOOTH for line in self.active_lines)

    @property
    def tax(self) -> Decimal:
        return sum((tax_on(line.amount, self.tax_rate) for line in self.active_lines), ZERO)

    @property
    def gross_total(self) -> Decimal:
        return self.total + self.tax

    def gross_of(self, line: OrderLine) -> Decimal:
        return line.amount + tax_on(line.amount, self.tax_rate)

    @property
    def amount_paid(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.state == PaymentState.SUCCEEDED), ZERO)

    @property
    def amount_refunded(self) -> Decimal:
        """Refunds made or under way (a pending refund is money already promised back)."""
        return sum((r.amount for r in self.refunds if r.state != RefundState.FAILED), ZERO)

    @property
    def net_received(self) -> Decimal:
        return self.amount_paid - self.amount_refunded

    @property
    def balance_due(self) -> Decimal:
        if self.state == OrderState.CANCELLED:
            return ZERO
        return max(self.gross_total - self.net_received, ZERO)

    @property
    def invoice(self) -> Document | None:
        return next((d for d in self.documents if d.kind == DocumentKind.INVOICE), None)

    @property
    def credit_notes(self) -> list[Document]:
        return [d for d in self.documents if d.kind == DocumentKind.CREDIT_NOTE]


class OrderLineKind(enum.StrEnum):
    BOOTH = "booth"
    PASS = "pass"  # noqa: S105  (a visitor or forum pass: one registration)
    SPONSORSHIP = "sponsorship"  # a sponsorship deal recorded by an organizer


class OrderLine(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "order_lines"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[OrderLineKind] = mapped_column(str_enum(OrderLineKind), nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    booth_booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booth_bookings.id", ondelete="SET NULL"), unique=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class PaymentProvider(enum.StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"

    @property
    def label(self) -> str:
        return str(PROVIDER_LABELS[self])


PROVIDER_LABELS = {
    PaymentProvider.CARD: _l("Card"),
    PaymentProvider.BANK_TRANSFER: _l("Bank transfer"),
}


class PaymentState(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(PAYMENT_STATE_LABELS[self])


PAYMENT_STATE_LABELS = {
    PaymentState.PENDING: _l("Pending"),
    PaymentState.SUCCEEDED: _l("Succeeded"),
    PaymentState.FAILED: _l("Failed"),
}


class Payment(IdMixin, TimestampMixin, db.Model):
    """Money in: one card PaymentIntent or one recorded bank transfer."""

    __tablename__ = "payments"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    provider: Mapped[PaymentProvider] = mapped_column(str_enum(PaymentProvider), nullable=False)
    state: Mapped[PaymentState] = mapped_column(
        str_enum(PaymentState), nullable=False, default=PaymentState.PENDING
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Sent with the create call, so a retried request never charges twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    reference: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    received_on: Mapped[date | None] = mapped_column(Date)
    failure_message: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="payments")
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds if r.state != RefundState.FAILED), ZERO)

    @property
    def refundable(self) -> Decimal:
        if self.state != PaymentState.SUCCEEDED:
            return ZERO
        return self.amount - self.refunded


class RefundState(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(PAYMENT_STATE_LABELS[PaymentState(self.value)])


class Refund(IdMixin, TimestampMixin, db.Model):
    """Money out, against one payment; a card refund goes through Stripe's Refund API."""

    __tablename__ = "refunds"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    state: Mapped[RefundState] = mapped_column(
        str_enum(RefundState), nullable=False, default=RefundState.PENDING
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # Made by the platform (a late payment for a booth someone else booked).
    automatic: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    failure_message: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    credit_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )

    order: Mapped[Order] = relationship(back_populates="refunds")
    payment: Mapped[Payment] = relationship(back_populates="refunds")


class DocumentKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"

    @property
    def label(self) -> str:
        return str(DOCUMENT_KIND_LABELS[self])


DOCUMENT_KIND_LABELS = {
    DocumentKind.INVOICE: _l("Invoice"),
    DocumentKind.CREDIT_NOTE: _l("Credit note"),
}


class Document(IdMixin, TimestampMixin, db.Model):
    """An issued invoice or credit note: its number and a frozen copy of its content."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("edition_id", "kind", "number"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind), nullable=False)
    number: Mapped[str] = mapped_column(String(30), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    net: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    tax: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    gross: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # Lines, issuer, buyer, bank details, reference, due date: what was printed.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    order: Mapped[Order] = relationship(back_populates="documents")


class PaymentSettings(IdMixin, TimestampMixin, db.Model):
    """Per edition: tax, invoice issuer, bank details, transfer terms.

    The currency is the edition's; the card hold time is the exhibition
    settings' hold time (a booth held for card payment).
    """

    __tablename__ = "payment_settings"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False, default=ZERO)
    tax_label: Mapped[str] = mapped_column(String(40), nullable=False, default="VAT")
    issuer_name: Mapped[str] = mapped_column(
        String(200), nullable=False, default="International Telecommunication Union"
    )
    issuer_address: Mapped[str] = mapped_column(
        Text, nullable=False, default="Place des Nations\n1211 Geneva 20\nSwitzerland"
    )
    issuer_tax_id: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    bank_account_holder: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    bank_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    bank_iban: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    bank_bic: Mapped[str] = mapped_column(String(11), nullable=False, default="")
    transfer_days: Mapped[int] = mapped_column(Integer, nullable=False, default=14)
    bank_transfer_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    invoice_note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class DocumentSequence(IdMixin, db.Model):
    """The next invoice or credit-note number of an edition.

    Numbers are taken under a row lock in the transaction that issues the
    document, so a rolled-back document gives its number back: the series
    stays gapless and no number is ever used twice.
    """

    __tablename__ = "document_sequences"
    __table_args__ = (UniqueConstraint("edition_id", "kind"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind), nullable=False)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
