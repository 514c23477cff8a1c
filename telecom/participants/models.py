"""People, registrations, passes, codes and check-ins: the hub every way of attending ends in.

Every way of coming to an edition (a visitor pass, exhibitor staff, an approved
accreditation, an accepted VIP invitation, a speaker slot) ends as one
Registration of a Person in a category; participant KPIs count people and
check-ins from these tables, so a person with two roles is one participant.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, UTCDateTime, str_enum
from telecom.extensions import db


class JobFunction(enum.StrEnum):
    EXECUTIVE = "executive"
    TECHNICAL = "technical"
    SALES_MARKETING = "sales_marketing"
    GOVERNMENT_POLICY = "government_policy"
    RESEARCH_ACADEMIA = "research_academia"
    INVESTOR = "investor"
    STUDENT = "student"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(JOB_FUNCTION_LABELS[self])


JOB_FUNCTION_LABELS = {
    JobFunction.EXECUTIVE: _l("Executive management"),
    JobFunction.TECHNICAL: _l("Engineering and technical"),
    JobFunction.SALES_MARKETING: _l("Sales and marketing"),
    JobFunction.GOVERNMENT_POLICY: _l("Government, policy and regulation"),
    JobFunction.RESEARCH_ACADEMIA: _l("Research and academia"),
    JobFunction.INVESTOR: _l("Investment and finance"),
    JobFunction.STUDENT: _l("Student"),
    JobFunction.OTHER: _l("Other"),
}


class VisitPurpose(enum.StrEnum):
    """The trade-visitor classification of exhibition statistics (UFI / ISO 25639)."""

    PROFESSIONAL = "professional"  # trade visitor
    GENERAL = "general"  # general-interest visitor

    @property
    def label(self) -> str:
        return str(VISIT_PURPOSE_LABELS[self])


VISIT_PURPOSE_LABELS = {
    VisitPurpose.PROFESSIONAL: _l("Professional: business, procurement or policy"),
    VisitPurpose.GENERAL: _l("General interest"),
}


class Person(IdMixin, TimestampMixin, db.Model):
    """A human, unique by normalised e-mail; may or may not hold an account."""

    __tablename__ = "people"

    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    organisation_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    job_title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    country: Mapped[str | None] = mapped_column(String(2))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    job_function: Mapped[JobFunction | None] = mapped_column(str_enum(JobFunction))
    # exhibitors.models.Sector values; kept as text so people do not depend on exhibitors.
    sector: Mapped[str | None] = mapped_column(String(30))
    accessibility_needs: Mapped[str] = mapped_column(Text, nullable=False, default="")
    locale: Mapped[str | None] = mapped_column(String(10))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Erasure anonymises the row in place, so registrations and check-ins still count.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registrations: Mapped[list[Registration]] = relationship(back_populates="person")


class RegistrationCategory(enum.StrEnum):
    VISITOR = "visitor"
    EXHIBITOR_STAFF = "exhibitor_staff"
    MEDIA = "media"
    VIP = "vip"
    DELEGATION = "delegation"
    SPEAKER = "speaker"
    FORUM_DELEGATE = "forum_delegate"
    ORGANIZER_STAFF = "organizer_staff"

    @property
    def label(self) -> str:
        return str(REGISTRATION_CATEGORY_LABELS[self])


REGISTRATION_CATEGORY_LABELS = {
    RegistrationCategory.VISITOR: _l("Visitor"),
    RegistrationCategory.EXHIBITOR_STAFF: _l("Exhibitor staff"),
    RegistrationCategory.MEDIA: _l("Media"),
    RegistrationCategory.VIP: _l("VIP"),
    RegistrationCategory.DELEGATION: _l("Delegation"),
    RegistrationCategory.SPEAKER: _l("Speaker"),
    RegistrationCategory.FORUM_DELEGATE: _l("Forum delegate"),
    RegistrationCategory.ORGANIZER_STAFF: _l("Organizer staff"),
}


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # e-mail not confirmed yet, or a paid pass not paid yet
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(REGISTRATION_STATUS_LABELS[self])


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Pending"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}


class PassType(IdMixin, TimestampMixin, db.Model):
    """What a visitor can register for at an edition (day pass, full pass, forum pass...)."""

    __tablename__ = "pass_types"
    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Comma-separated RegistrationCategory values the pass may be issued to;
    # the first is the category of a public registration.
    categories: Mapped[str] = mapped_column(String(200), nullable=False, default="visitor")
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal("0"))
    # The days it admits; a pass valid for fewer days than that range (a day
    # pass) lets the visitor choose which day(s) within it.
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    days_valid: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    sale_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sale_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    forum_access: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    invitation_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Free invitation codes each exhibitor may hand out for this pass.
    exhibitor_invitations: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Registrations that hold a place (pending or confirmed), kept under the
    # row lock so capacity is never exceeded.
    issued: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Registration(IdMixin, TimestampMixin, db.Model):
    """One person attending one edition in one category."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("person_id", "edition_id", "category"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    category: Mapped[RegistrationCategory] = mapped_column(
        str_enum(RegistrationCategory), nullable=False
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus), nullable=False, default=RegistrationStatus.PENDING
    )
    # The exhibitor a staff registration belongs to (category exhibitor_staff).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    pass_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("pass_types.id", ondelete="SET NULL"), index=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    forum_access: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    purpose: Mapped[VisitPurpose | None] = mapped_column(str_enum(VisitPurpose))
    # Bumped when a badge is re-issued: older QR codes stop working.
    badge_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # A photo printed on the badge (media, speakers): a stored name under the
    # "badge_photos" upload folder, re-encoded without metadata.
    photo_file: Mapped[str | None] = mapped_column(String(64))
    # A VIP's protocol category (telecom.protocol.models.ProtocolCategory value).
    protocol_category: Mapped[str | None] = mapped_column(String(10))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    invitation_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation_codes.id", ondelete="SET NULL")
    )
    promo_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("promo_codes.id", ondelete="SET NULL")
    )

    person: Mapped[Person] = relationship(back_populates="registrations", lazy="joined")


class InvitationCode(IdMixin, TimestampMixin, db.Model):
    """A single-use code an exhibitor gives a customer for a free pass."""

    __tablename__ = "invitation_codes"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    pass_type_id: Mapped[int] = mapped_column(
        ForeignKey("pass_types.id", ondelete="CASCADE"), nullable=False
    )
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    invitee_email: Mapped[str] = mapped_column(String(320), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DiscountKind(enum.StrEnum):
    PERCENT = "percent"
    AMOUNT = "amount"


class PromoCode(IdMixin, TimestampMixin, db.Model):
    """An organizer's discount code with a maximum number of uses."""

    __tablename__ = "promo_codes"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    kind: Mapped[DiscountKind] = mapped_column(str_enum(DiscountKind), nullable=False)
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    max_uses: Mapped[int] = mapped_column(Integer, nullable=False)
    # Raised by a conditional UPDATE (uses < max_uses), never read-then-written.
    uses: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pass_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("pass_types.id", ondelete="CASCADE")
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class CheckInPoint(enum.StrEnum):
    GATE = "gate"
    SESSION = "session"  # a forum session door; `point_ref` names the session


class CheckIn(IdMixin, db.Model):
    """A person admitted at a point on a day (in the edition's time zone).

    Unique per person, day and point, so a person counts once per day at the
    gate and once per forum session however often their badge is scanned.
    """

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("person_id", "edition_id", "day", "point", "point_ref"),
        Index("ix_check_ins_edition_day", "edition_id", "day"),
        # The KPIs group an edition's check-ins by person (who came, on how many
        # days, at which points, on which registration, by when): with every column
        # they read in the index, that is one ordered index scan and no table
        # reads (bench/kpi.py). Lookups by person alone use the unique index.
        Index(
            "ix_check_ins_edition_person",
            "edition_id",
            "person_id",
            "point",
            "registration_id",
            "scanned_at",
            "point_ref",
        ),
    )

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    category: Mapped[RegistrationCategory] = mapped_column(
        str_enum(RegistrationCategory), nullable=False
    )
    day: Mapped[date] = mapped_column(Date, nullable=False)
    point: Mapped[CheckInPoint] = mapped_column(str_enum(CheckInPoint), nullable=False)
    # "" at the gate; the forum session id at a session door.
    point_ref: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ScanResult(enum.StrEnum):
    WELCOME = "welcome"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_VALID_TODAY = "not_valid_today"
    CANCELLED = "cancelled"
    WRONG_EDITION = "wrong_edition"
    UNKNOWN = "unknown"  # unreadable, forged, or an old re-issued badge
    NO_ACCESS = "no_access"  # a forum session the badge does not open

    @property
    def label(self) -> str:
        return str(SCAN_RESULT_LABELS[self])


SCAN_RESULT_LABELS = {
    ScanResult.WELCOME: _l("Welcome"),
    ScanResult.ALREADY_CHECKED_IN: _l("Already checked in today"),
    ScanResult.NOT_VALID_TODAY: _l("Not valid today"),
    ScanResult.CANCELLED: _l("Cancelled"),
    ScanResult.WRONG_EDITION: _l("Wrong edition"),
    ScanResult.UNKNOWN: _l("Unknown or invalid badge"),
    ScanResult.NO_ACCESS: _l("No access to this session"),
}


class ScanAttempt(IdMixin, db.Model):
    """Every scan, admitted or not; `scan_id` makes a replayed upload harmless."""

    __tablename__ = "scan_attempts"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scan_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    code: Mapped[str] = mapped_column(String(200), nullable=False)
    point: Mapped[CheckInPoint] = mapped_column(str_enum(CheckInPoint), nullable=False)
    point_ref: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    result: Mapped[ScanResult] = mapped_column(str_enum(ScanResult), nullable=False)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id", ondelete="SET NULL"))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
