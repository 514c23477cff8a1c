"""Person and Registration: the hub every way of attending ends in.

This is the part the exhibitor-staff feature needs; passes, badges and
check-in (the participants issue) build on these two tables.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, str_enum
from telecom.extensions import db


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
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


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

    person: Mapped[Person] = relationship(back_populates="registrations", lazy="joined")
