"""VIPs and protocol: invitations with RSVP, delegations, bilateral meeting rooms.

Heads of state, ministers, regulators, ambassadors and CEOs come by invitation
and are handled by protocol staff. An accepted invitation holds the VIP's
Registration (category VIP, with the protocol category) and one Registration
of category delegation per accompanying member, so the "VIPs" KPI counts
people from the same hub as every other participant.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, UTCDateTime, str_enum
from telecom.extensions import db


class ProtocolCategory(enum.StrEnum):
    """ITU's protocol categories; `rank` orders precedence (1 first)."""

    VVIP = "VVIP"  # head of state or government, vice-president, deputy PM, crown prince
    UN = "UN"  # head of a UN agency
    MIN = "MIN"  # minister
    DMIN = "DMIN"  # deputy minister attending with the minister
    REG = "REG"  # head of a regulator
    AMB = "AMB"  # ambassador, special envoy, head of a regional organisation
    CEO = "CEO"  # industry leader

    @property
    def rank(self) -> int:
        return PROTOCOL_RANKS[self]

    @property
    def label(self) -> str:
        return str(PROTOCOL_CATEGORY_LABELS[self])


PROTOCOL_RANKS = {
    ProtocolCategory.VVIP: 1,
    ProtocolCategory.UN: 2,
    ProtocolCategory.MIN: 3,
    ProtocolCategory.DMIN: 4,
    ProtocolCategory.REG: 5,
    ProtocolCategory.AMB: 6,
    ProtocolCategory.CEO: 7,
}

PROTOCOL_CATEGORY_LABELS = {
    ProtocolCategory.VVIP: _l(
        "Head of State or Government, Vice-President, Deputy Prime Minister, Crown Prince"
    ),
    ProtocolCategory.UN: _l("Head of a United Nations agency"),
    ProtocolCategory.MIN: _l("Minister"),
    ProtocolCategory.DMIN: _l("Deputy Minister (attending with the Minister)"),
    ProtocolCategory.REG: _l("Head of a regulatory authority"),
    ProtocolCategory.AMB: _l("Ambassador, special envoy, head of a regional organisation"),
    ProtocolCategory.CEO: _l("Industry leader (CEO)"),
}


class InvitationStatus(enum.StrEnum):
    DRAFT = "draft"  # created or imported, not sent yet
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return str(INVITATION_STATUS_LABELS[self])


INVITATION_STATUS_LABELS = {
    InvitationStatus.DRAFT: _l("Not sent"),
    InvitationStatus.INVITED: _l("Invited"),
    InvitationStatus.ACCEPTED: _l("Accepted"),
    InvitationStatus.DECLINED: _l("Declined"),
    InvitationStatus.REVOKED: _l("Revoked"),
}


class ProtocolSettings(IdMixin, TimestampMixin, db.Model):
    """Per edition: bilateral meeting rules and how long an RSVP link stays valid."""

    __tablename__ = "protocol_settings"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    slot_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=90)
    max_slots_per_day: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    rsvp_valid_days: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    contact_email: Mapped[str] = mapped_column(
        String(320), nullable=False, default="protocol@telecom-world.example"
    )


class VipInvitation(IdMixin, TimestampMixin, db.Model):
    """One leader invited to one edition; the RSVP link opens only this invitation."""

    __tablename__ = "vip_invitations"
    __table_args__ = (Index("ix_vip_invitations_edition_status", "edition_id", "status"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # "Minister of ICT"
    form_of_address: Mapped[str] = mapped_column(String(60), nullable=False, default="")  # H.E.
    category: Mapped[ProtocolCategory] = mapped_column(str_enum(ProtocolCategory), nullable=False)
    country: Mapped[str | None] = mapped_column(String(2))
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Where the invitation goes: the VIP's own address or a focal point's.
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    focal_point_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    took_office_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus), nullable=False, default=InvitationStatus.DRAFT
    )
    # Bumped by resend and revoke: every RSVP link carries it, so older links stop working.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Filled through the RSVP page.
    arrival_on: Mapped[date | None] = mapped_column(Date)
    departure_on: Mapped[date | None] = mapped_column(Date)
    arrival_flight: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    departure_flight: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    dietary_needs: Mapped[str] = mapped_column(Text, nullable=False, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Passport details, encrypted with PROTOCOL_ENCRYPTION_KEY (Fernet); never stored in clear.
    passport_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    members: Mapped[list[DelegationMember]] = relationship(
        back_populates="invitation", order_by="DelegationMember.id", cascade="all, delete-orphan"
    )


class DelegationMember(IdMixin, TimestampMixin, db.Model):
    """Someone accompanying the VIP; gets a badge of category delegation."""

    __tablename__ = "delegation_members"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("vip_invitations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    function: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    # Removed members keep their row (and cancelled registration) for the record.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invitation: Mapped[VipInvitation] = relationship(back_populates="members")


class MeetingRoom(IdMixin, TimestampMixin, db.Model):
    """A bilateral meeting room of an edition."""

    __tablename__ = "meeting_rooms"
    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    capacity: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    slots: Mapped[list[MeetingSlot]] = relationship(
        back_populates="room", order_by="MeetingSlot.starts_at", cascade="all, delete-orphan"
    )


class MeetingSlot(IdMixin, TimestampMixin, db.Model):
    """A bookable time in a room. Booking sets `invitation_id` by a conditional
    UPDATE (only while it is NULL), so a slot is never double-booked."""

    __tablename__ = "meeting_slots"
    __table_args__ = (
        UniqueConstraint("room_id", "starts_at"),
        Index("ix_meeting_slots_invitation_day", "invitation_id", "day"),
    )

    room_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_rooms.id", ondelete="CASCADE"), nullable=False
    )
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # The local day (edition time zone), for the per-delegation daily limit.
    day: Mapped[date] = mapped_column(Date, nullable=False)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("vip_invitations.id", ondelete="SET NULL")
    )
    counterpart: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    room: Mapped[MeetingRoom] = relationship(back_populates="slots")
