"""Cost lines of an edition: the other half of the financial-result KPI."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from telecom.core.models import IdMixin, TimestampMixin, str_enum
from telecom.extensions import db


class CostCategory(enum.StrEnum):
    VENUE = "venue"
    CONSTRUCTION = "construction"
    STAFF = "staff"
    MARKETING = "marketing"
    TRAVEL = "travel"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(COST_CATEGORY_LABELS[self])


COST_CATEGORY_LABELS = {
    CostCategory.VENUE: _l("Venue"),
    CostCategory.CONSTRUCTION: _l("Construction"),
    CostCategory.STAFF: _l("Staff"),
    CostCategory.MARKETING: _l("Marketing"),
    CostCategory.TRAVEL: _l("Travel"),
    CostCategory.OTHER: _l("Other"),
}


class CostLine(IdMixin, TimestampMixin, db.Model):
    """One cost of an edition, in the edition's currency (net of tax, as revenue is)."""

    __tablename__ = "cost_lines"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_cost_lines_amount_positive"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    category: Mapped[CostCategory] = mapped_column(str_enum(CostCategory), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    # The day the cost was incurred: the KPI as of a date counts lines up to it.
    incurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
