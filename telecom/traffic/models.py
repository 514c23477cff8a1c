"""Daily web-traffic aggregates, and the short-lived rows that make unique counts possible.

A unique visitor is the hash of a random salt of the day with the client's
address and user agent. The salt and the day's hashes (`TrafficSalt`,
`VisitorMark`) exist only until the day ends, then are deleted, so no stored
value can be tied back to a person; what stays are the counts per day
(`TrafficDay`, site-wide) and per day and page (`PageDay`). Imported figures of
past editions are `TrafficDay` rows with source "imported".
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from telecom.core.models import IdMixin, TimestampMixin, str_enum
from telecom.extensions import db


class TrafficSource(enum.StrEnum):
    COUNTED = "counted"  # by the request hook
    IMPORTED = "imported"  # from a CSV of an earlier site's statistics


class TrafficDay(IdMixin, TimestampMixin, db.Model):
    """Site-wide page views and unique visitors of one day (UTC)."""

    __tablename__ = "traffic_days"

    day: Mapped[date] = mapped_column(Date, nullable=False, unique=True)
    page_views: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unique_visitors: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    source: Mapped[TrafficSource] = mapped_column(
        str_enum(TrafficSource), nullable=False, default=TrafficSource.COUNTED
    )


class PageDay(IdMixin, db.Model):
    """Page views and unique visitors of one page (the URL path) on one day."""

    __tablename__ = "traffic_page_days"
    __table_args__ = (UniqueConstraint("day", "path", name="uq_traffic_page_days_day_path"),)

    day: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    path: Mapped[str] = mapped_column(String(200), nullable=False)
    page_views: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unique_visitors: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class TrafficSalt(db.Model):
    """The random salt of the current day; deleted once the day is over."""

    __tablename__ = "traffic_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)


class VisitorMark(IdMixin, db.Model):
    """A visitor hash seen today, site-wide (path "") or on one page; deleted after the day."""

    __tablename__ = "traffic_visitor_marks"
    __table_args__ = (
        UniqueConstraint("day", "path", "digest", name="uq_traffic_visitor_marks_day_path_digest"),
    )

    day: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    path: Mapped[str] = mapped_column(String(200), nullable=False)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
