"""Orders and their lines.

An order gathers what one buyer is about to pay for at an edition. Booth holds
start it: each hold adds a line at the price quoted before the hold, and a hold
that ends (released, expired, cancelled) cancels its line. Payments, refunds,
tax and invoices build on these rows (the payments issue).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, UTCDateTime, str_enum
from telecom.extensions import db


class OrderState(enum.StrEnum):
    OPEN = "open"  # being put together; its booths are held
    PAID = "paid"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(ORDER_STATE_LABELS[self])


ORDER_STATE_LABELS = {
    OrderState.OPEN: _l("Open"),
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

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )

    @property
    def active_lines(self) -> list[OrderLine]:
        return [line for line in self.lines if line.cancelled_at is None]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.active_lines), Decimal("0.00"))


class OrderLineKind(enum.StrEnum):
    BOOTH = "booth"


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
    quantity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class DocumentKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


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
