"""Exhibitor data model: organisations, halls, booths, bookings and prices.

Geometry is in metres; money is Numeric(12, 2) in the edition's currency.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
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
from wtforms import SelectChoice

from telecom.core.models import IdMixin, TimestampMixin, UTCDateTime, str_enum
from telecom.extensions import db


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members have a translatable label in `_labels()`."""

    @property
    def label(self) -> str:
        return str(self._labels()[self])

    @classmethod
    def _labels(cls) -> dict:  # overridden by each enum
        raise NotImplementedError

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        return [SelectChoice(member.value, member.label) for member in cls]


class Sector(LabelledEnum):
    OPERATOR = "operator"
    EQUIPMENT_VENDOR = "equipment_vendor"
    SOFTWARE_SERVICES = "software_services"
    STARTUP_SME = "startup_sme"
    GOVERNMENT_REGULATOR = "government_regulator"
    ACADEMIA = "academia"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    E_HEALTH = "e_health"
    EDUCATION = "education"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.OPERATOR: _l("Operator"),
            cls.EQUIPMENT_VENDOR: _l("Equipment vendor"),
            cls.SOFTWARE_SERVICES: _l("Software and services"),
            cls.STARTUP_SME: _l("Start-up / SME"),
            cls.GOVERNMENT_REGULATOR: _l("Government / regulator"),
            cls.ACADEMIA: _l("Academia"),
            cls.INTERNATIONAL_ORGANISATION: _l("International organisation"),
            cls.E_HEALTH: _l("e-Health"),
            cls.EDUCATION: _l("Education"),
            cls.OTHER: _l("Other"),
        }


class TurnoverBand(LabelledEnum):
    """Annual turnover bands, in USD: the Objective 6 exhibitor KPI's categories."""

    UNDER_10M = "under_10m"
    FROM_10M_TO_100M = "10m_100m"
    FROM_100M_TO_1B = "100m_1b"
    FROM_1B_TO_10B = "1b_10b"
    OVER_10B = "over_10b"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.UNDER_10M: _l("Under USD 10 M"),
            cls.FROM_10M_TO_100M: _l("USD 10–100 M"),
            cls.FROM_100M_TO_1B: _l("USD 100 M–1 B"),
            cls.FROM_1B_TO_10B: _l("USD 1–10 B"),
            cls.OVER_10B: _l("Over USD 10 B"),
        }


class RateCategory(LabelledEnum):
    """Who pays which rate: ITU exhibitions have given reduced rates to these."""

    STANDARD = "standard"
    SME = "sme"
    GOVERNMENT = "government"
    NGO = "ngo"
    UN_BODY = "un_body"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.STANDARD: _l("Standard rate"),
            cls.SME: _l("SME rate"),
            cls.GOVERNMENT: _l("Government rate"),
            cls.NGO: _l("NGO rate"),
            cls.UN_BODY: _l("UN body rate"),
        }


class PavilionKind(LabelledEnum):
    NATIONAL = "national"
    THEMATIC = "thematic"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.NATIONAL: _l("National pavilion"), cls.THEMATIC: _l("Thematic pavilion")}


class CoExhibitorStatus(LabelledEnum):
    PENDING = "pending"  # invited by the pavilion, waiting for the organizer
    APPROVED = "approved"
    REJECTED = "rejected"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PENDING: _l("Awaiting approval"),
            cls.APPROVED: _l("Approved"),
            cls.REJECTED: _l("Rejected"),
        }


class Organisation(IdMixin, TimestampMixin, db.Model):
    """An exhibiting organisation at one edition (or a co-exhibitor in a pavilion)."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("edition_id", "legal_name"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    legal_name: Mapped[str] = mapped_column(String(200), nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector), nullable=False)
    turnover_band: Mapped[TurnoverBand] = mapped_column(str_enum(TurnoverBand), nullable=False)
    rate_category: Mapped[RateCategory] = mapped_column(
        str_enum(RateCategory), nullable=False, default=RateCategory.STANDARD
    )
    website: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    billing_address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    vat_number: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    # Stored under instance/uploads; the name is random, the type checked by content.
    logo_file: Mapped[str | None] = mapped_column(String(100))
    logo_content_type: Mapped[str | None] = mapped_column(String(50))

    pavilion_kind: Mapped[PavilionKind | None] = mapped_column(str_enum(PavilionKind))
    # A co-exhibitor belongs to a pavilion, which pays for the space.
    pavilion_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    co_exhibitor_status: Mapped[CoExhibitorStatus | None] = mapped_column(
        str_enum(CoExhibitorStatus)
    )

    pavilion: Mapped[Organisation | None] = relationship(
        remote_side="Organisation.id", back_populates="co_exhibitors"
    )
    co_exhibitors: Mapped[list[Organisation]] = relationship(back_populates="pavilion")
    members: Mapped[list[OrganisationMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    bookings: Mapped[list[BoothBooking]] = relationship(back_populates="organisation")

    @property
    def is_pavilion(self) -> bool:
        return self.pavilion_kind is not None

    @property
    def is_co_exhibitor(self) -> bool:
        return self.pavilion_id is not None


class OrganisationMember(IdMixin, TimestampMixin, db.Model):
    """An account that may manage an organisation (its exhibitor contacts)."""

    __tablename__ = "organisation_members"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation: Mapped[Organisation] = relationship(back_populates="members")


class ExhibitionSettings(IdMixin, TimestampMixin, db.Model):
    """Per-edition exhibition rules and prices (one row per edition)."""

    __tablename__ = "exhibition_settings"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    hold_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    # Minutes before expiry at which the "hold about to expire" mail goes out.
    hold_reminder_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    max_active_holds: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    price_space_only: Mapped[Decimal] = mapped_column(
        Numeric(12, 2), nullable=False, default=Decimal("450.00")
    )
    price_shell_scheme: Mapped[Decimal] = mapped_column(
        Numeric(12, 2), nullable=False, default=Decimal("520.00")
    )
    surcharge_corner_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("5.00")
    )
    surcharge_peninsula_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("10.00")
    )
    surcharge_island_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("15.00")
    )
    discount_sme_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("20.00")
    )
    discount_government_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("15.00")
    )
    discount_ngo_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("25.00")
    )
    discount_un_body_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("25.00")
    )
    # Booth staff allowed: base + 1 per `staff_sqm_per_extra` sqm booked.
    staff_base: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    staff_sqm_per_extra: Mapped[int] = mapped_column(Integer, nullable=False, default=9)


class Hall(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "halls"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    width: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)  # metres, x axis
    depth: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)  # metres, y axis

    booths: Mapped[list[Booth]] = relationship(back_populates="hall", order_by="Booth.code")

    @property
    def area(self) -> Decimal:
        return self.width * self.depth


class BoothType(LabelledEnum):
    SPACE_ONLY = "space_only"
    SHELL_SCHEME = "shell_scheme"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.SPACE_ONLY: _l("Space only"), cls.SHELL_SCHEME: _l("Shell scheme")}


# Open sides decide the layout: the more aisles a booth faces, the more it costs.
OPEN_SIDE_LAYOUTS = {1: _l("Inline"), 2: _l("Corner"), 3: _l("Peninsula"), 4: _l("Island")}


class Booth(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "booths"
    __table_args__ = (
        UniqueConstraint("edition_id", "code"),
        CheckConstraint("open_sides BETWEEN 1 AND 4", name="open_sides_range"),
        CheckConstraint("width > 0 AND depth > 0", name="positive_size"),
    )

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    hall_id: Mapped[int] = mapped_column(
        ForeignKey("halls.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    x: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)
    y: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)
    width: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)
    depth: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)
    booth_type: Mapped[BoothType] = mapped_column(str_enum(BoothType), nullable=False)
    open_sides: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Space reserved for a pavilion: only the pavilion organisation may take it.
    pavilion_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    price_override: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    blocked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    blocked_reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    hall: Mapped[Hall] = relationship(back_populates="booths")
    pavilion: Mapped[Organisation | None] = relationship()
    bookings: Mapped[list[BoothBooking]] = relationship(back_populates="booth")

    @property
    def area(self) -> Decimal:
        return self.width * self.depth

    @property
    def layout_label(self) -> str:
        return str(OPEN_SIDE_LAYOUTS[self.open_sides])


class BookingState(LabelledEnum):
    HELD = "held"
    CONFIRMED = "confirmed"  # by an organizer without payment, or awaiting payment
    PAID = "paid"
    RELEASED = "released"  # a hold that expired or was let go
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.HELD: _l("Held"),
            cls.CONFIRMED: _l("Confirmed"),
            cls.PAID: _l("Paid"),
            cls.RELEASED: _l("Released"),
            cls.CANCELLED: _l("Cancelled"),
        }


ACTIVE_BOOKING_STATES = (BookingState.HELD, BookingState.CONFIRMED, BookingState.PAID)
_ACTIVE_SQL = "state IN ('held', 'confirmed', 'paid')"


class BoothBooking(IdMixin, TimestampMixin, db.Model):
    """An organisation's claim on a booth, from hold to payment or release.

    At most one active booking per booth: the partial unique index is the
    backstop behind the row lock the booking service takes.
    """

    __tablename__ = "booth_bookings"
    __table_args__ = (
        Index(
            "uq_booth_bookings_one_active",
            "booth_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_booth_bookings_state_held_until", "state", "held_until"),
    )

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    booth_id: Mapped[int] = mapped_column(
        ForeignKey("booths.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    state: Mapped[BookingState] = mapped_column(str_enum(BookingState), nullable=False)
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    booth: Mapped[Booth] = relationship(back_populates="bookings")
    organisation: Mapped[Organisation] = relationship(back_populates="bookings")

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_BOOKING_STATES
