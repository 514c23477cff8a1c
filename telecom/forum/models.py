"""The forum: rooms, tracks, sessions, speakers, seat reservations with a waiting list, ratings.

Session attendance is a CheckIn at point "session" whose point_ref is the
session id (telecom.participants), so "forum participants" are unique people
checked in at one session or more, counted from the same hub as everyone else.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, UTCDateTime, str_enum
from telecom.extensions import db


class SessionKind(enum.StrEnum):
    LEADERS_SUMMIT = "leaders_summit"
    KEYNOTE = "keynote"
    PLENARY = "plenary"
    PANEL = "panel"
    WORKSHOP = "workshop"
    NETWORKING = "networking"

    @property
    def label(self) -> str:
        return str(SESSION_KIND_LABELS[self])


SESSION_KIND_LABELS = {
    SessionKind.LEADERS_SUMMIT: _l("Leaders' Summit"),
    SessionKind.KEYNOTE: _l("Keynote"),
    SessionKind.PLENARY: _l("Plenary"),
    SessionKind.PANEL: _l("Panel"),
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.NETWORKING: _l("Networking"),
}


class SessionAccess(enum.StrEnum):
    FORUM_PASS = "forum_pass"  # noqa: S105 - any registration with forum access, not a secret
    INVITATION = "invitation"  # people on the session's invitee list (and its speakers)
    VIP = "vip"  # VIP and delegation registrations

    @property
    def label(self) -> str:
        return str(SESSION_ACCESS_LABELS[self])


SESSION_ACCESS_LABELS = {
    SessionAccess.FORUM_PASS: _l("Any forum pass"),
    SessionAccess.INVITATION: _l("Invitation only"),
    SessionAccess.VIP: _l("VIP only"),
}


class SpeakerStatus(enum.StrEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the organizer took the invitation back

    @property
    def label(self) -> str:
        return str(SPEAKER_STATUS_LABELS[self])


SPEAKER_STATUS_LABELS = {
    SpeakerStatus.INVITED: _l("Invited"),
    SpeakerStatus.CONFIRMED: _l("Confirmed"),
    SpeakerStatus.DECLINED: _l("Declined"),
    SpeakerStatus.WITHDRAWN: _l("Withdrawn"),
}


class SpeakerRole(enum.StrEnum):
    SPEAKER = "speaker"
    MODERATOR = "moderator"

    @property
    def label(self) -> str:
        return str(SPEAKER_ROLE_LABELS[self])


SPEAKER_ROLE_LABELS = {
    SpeakerRole.SPEAKER: _l("Speaker"),
    SpeakerRole.MODERATOR: _l("Moderator"),
}


class ReservationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"  # holds a seat
    WAITING = "waiting"  # on the waiting list, in order of `waiting_since`
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(RESERVATION_STATUS_LABELS[self])


RESERVATION_STATUS_LABELS = {
    ReservationStatus.CONFIRMED: _l("Seat reserved"),
    ReservationStatus.WAITING: _l("On the waiting list"),
    ReservationStatus.CANCELLED: _l("Cancelled"),
}


class ForumSettings(IdMixin, TimestampMixin, db.Model):
    """Per edition: whether the programme is public."""

    __tablename__ = "forum_settings"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # Set while the programme is public; changes made while it is public are
    # logged and mailed to the people registered for the changed session.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ForumRoom(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "forum_rooms"
    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    location: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Track(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "forum_tracks"
    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    colour: Mapped[str] = mapped_column(String(7), nullable=False, default="#1d4ed8")


class ForumSession(IdMixin, TimestampMixin, db.Model):
    """A session of the programme; times are UTC, shown in the edition's time zone."""

    __tablename__ = "forum_sessions"
    __table_args__ = (
        Index("ix_forum_sessions_edition_starts", "edition_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind), nullable=False)
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_rooms.id", ondelete="SET NULL"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_tracks.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # None: the room's capacity.
    capacity: Mapped[int | None] = mapped_column(Integer)
    access: Mapped[SessionAccess] = mapped_column(
        str_enum(SessionAccess), nullable=False, default=SessionAccess.FORUM_PASS
    )
    # Confirmed reservations, kept under the session's row lock so capacity is never exceeded.
    seats_taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    room: Mapped[ForumRoom | None] = relationship(lazy="joined")
    track: Mapped[Track | None] = relationship(lazy="joined")
    speakers: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="session",
        order_by="SessionSpeaker.position",
        cascade="all, delete-orphan",
    )


class Speaker(IdMixin, TimestampMixin, db.Model):
    """A person invited to speak at an edition; confirmed speakers get a speaker registration."""

    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("edition_id", "email"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    job_title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    country: Mapped[str | None] = mapped_column(String(2))
    bio: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # A stored name in the "speaker_photos" upload folder, re-encoded without metadata.
    photo_file: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[SpeakerStatus] = mapped_column(
        str_enum(SpeakerStatus), nullable=False, default=SpeakerStatus.INVITED
    )
    # Bumped when the invitation is re-sent or withdrawn: older links stop working.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )

    sessions: Mapped[list[SessionSpeaker]] = relationship(back_populates="speaker")


class SessionSpeaker(IdMixin, db.Model):
    __tablename__ = "session_speakers"
    __table_args__ = (UniqueConstraint("session_id", "speaker_id"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("forum_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[SpeakerRole] = mapped_column(
        str_enum(SpeakerRole), nullable=False, default=SpeakerRole.SPEAKER
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    session: Mapped[ForumSession] = relationship(back_populates="speakers")
    speaker: Mapped[Speaker] = relationship(back_populates="sessions", lazy="joined")


class SessionInvitee(IdMixin, TimestampMixin, db.Model):
    """Who may reserve a seat in an invitation-only session."""

    __tablename__ = "session_invitees"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("forum_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )


class SeatReservation(IdMixin, TimestampMixin, db.Model):
    """A person's seat in a session, or their place on its waiting list (one row per pair)."""

    __tablename__ = "seat_reservations"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        Index("ix_seat_reservations_waiting", "session_id", "status", "waiting_since"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("forum_sessions.id", ondelete="CASCADE"), nullable=False
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    status: Mapped[ReservationStatus] = mapped_column(str_enum(ReservationStatus), nullable=False)
    # The waiting list's order: first come, first promoted.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionRating(IdMixin, db.Model):
    """One attendee's rating of one session (1-5), given once, after attending."""

    __tablename__ = "session_ratings"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_1_to_5"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("forum_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    score: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
