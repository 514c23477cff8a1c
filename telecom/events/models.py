"""Edition (the hub every other record belongs to) and candidate venues."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, str_enum
from telecom.extensions import db


class Edition(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "editions"

    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    city: Mapped[str] = mapped_column(String(100), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)  # ISO 3166-1 alpha-2
    venue: Mapped[str] = mapped_column(String(200), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="CHF")
    # The period over which web traffic counts toward the edition's KPI.
    campaign_start: Mapped[date | None] = mapped_column(Date)
    campaign_end: Mapped[date | None] = mapped_column(Date)

    candidate_venues: Mapped[list[CandidateVenue]] = relationship(
        back_populates="edition",
        cascade="all, delete-orphan",
        order_by="CandidateVenue.id",
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        """The calendar date of `moment` where the edition takes place."""
        return moment.astimezone(self.tz).date()

    def day_starts_at(self, day: date) -> datetime:
        """Midnight at the start of `day` in the edition's time zone."""
        return datetime.combine(day, time.min, self.tz)

    def day_ends_at(self, day: date) -> datetime:
        """The last moment of `day` in the edition's time zone (a deadline date means "by then")."""
        return self.day_starts_at(day + timedelta(days=1)) - timedelta(microseconds=1)

    @property
    def chosen_venue(self) -> CandidateVenue | None:
        return next((c for c in self.candidate_venues if c.status == CandidateStatus.CHOSEN), None)

    def __repr__(self) -> str:
        return f"<Edition {self.slug}>"


class CandidateStatus(enum.StrEnum):
    BID_RECEIVED = "bid_received"
    SHORTLISTED = "shortlisted"
    CHOSEN = "chosen"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(CANDIDATE_STATUS_LABELS[self])


CANDIDATE_STATUS_LABELS = {
    CandidateStatus.BID_RECEIVED: _l("Bid received"),
    CandidateStatus.SHORTLISTED: _l("Shortlisted"),
    CandidateStatus.CHOSEN: _l("Chosen"),
    CandidateStatus.NOT_SELECTED: _l("Not selected"),
    CandidateStatus.WITHDRAWN: _l("Withdrawn"),
}


class CandidateVenue(IdMixin, TimestampMixin, db.Model):
    """A host-selection bid for an edition; at most one per edition is chosen."""

    __tablename__ = "candidate_venues"
    __table_args__ = (
        Index(
            "uq_candidate_venues_one_chosen",
            "edition_id",
            unique=True,
            sqlite_where=text("status = 'chosen'"),
            postgresql_where=text("status = 'chosen'"),
        ),
    )

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    city: Mapped[str] = mapped_column(String(100), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    venue: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # evaluation score, 0-100
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[CandidateStatus] = mapped_column(
        str_enum(CandidateStatus),
        nullable=False,
        default=CandidateStatus.BID_RECEIVED,
    )

    edition: Mapped[Edition] = relationship(back_populates="candidate_venues")
