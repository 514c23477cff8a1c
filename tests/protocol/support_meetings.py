"""Helpers for the meeting-room and protocol-settings tests: editions ahead, protocol staff,
accepted invitations made with the models, rooms with slots made through the services.

Invitations are built row by row with status "accepted" (as if the RSVP had
come back), so these tests depend only on the meeting services; rooms and
slots go through the real services, as protocol staff would make them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from telecom.auth.models import User
from telecom.auth.services import get_user_by_email
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.protocol.models import (
    InvitationStatus,
    MeetingRoom,
    MeetingSlot,
    ProtocolCategory,
    VipInvitation,
)
from telecom.protocol.services import meetings
from tests.helpers import make_edition, make_user

__test__ = False  # helpers only

ZONE = "Europe/Budapest"


def edition_ahead(
    slug: str = "telecom-world-ahead", *, days_ahead: int = 30, timezone: str = ZONE
) -> Edition:
    """A four-day edition starting `days_ahead` days from today (its slots can be booked)."""
    start = date.today() + timedelta(days=days_ahead)
    return make_edition(
        slug, name="ITU TELECOM World Ahead", timezone=timezone,
        start_date=start, end_date=start + timedelta(days=3),
    )  # fmt: skip


def protocol_officer(email: str = "paula.protocol@example.org") -> User:
    return get_user_by_email(email) or make_user(
        email, roles={Role.PROTOCOL}, full_name="Paula Protocol"
    )


def participant(email: str = "peter.participant@example.org") -> User:
    return get_user_by_email(email) or make_user(
        email, roles={Role.PARTICIPANT}, full_name="Peter Participant"
    )


def accepted_invitation(
    edition: Edition,
    full_name: str = "Amina Diallo",
    *,
    country: str = "SN",
    category: ProtocolCategory = ProtocolCategory.MIN,
    status: InvitationStatus = InvitationStatus.ACCEPTED,
) -> VipInvitation:
    """An invitation whose VIP has accepted (or any other `status`)."""
    now = datetime.now(UTC)
    invitation = VipInvitation(
        edition_id=edition.id, full_name=full_name, title="Minister of Digital Economy",
        form_of_address="H.E.", category=category, country=country,
        email=f"{full_name.lower().replace(' ', '.')}@ministry.example.org",
        status=status, sent_at=now - timedelta(days=20),
        responded_at=now - timedelta(days=10) if status != InvitationStatus.INVITED else None,
    )  # fmt: skip
    db.session.add(invitation)
    commit()
    return invitation


def delegations(edition: Edition, count: int) -> list[VipInvitation]:
    return [accepted_invitation(edition, f"Minister Number {n}") for n in range(1, count + 1)]


def room_with_slots(
    edition: Edition,
    name: str = "Bilateral Room 1",
    *,
    day: date | None = None,
    first: time = time(9),
    last: time = time(18),
    actor: User | None = None,
) -> MeetingRoom:
    """A room with back-to-back slots on `day` (the edition's second day by default)."""
    actor = actor or protocol_officer()
    room = meetings.create_room(edition, name, 8, "Hall A, first floor", actor=actor)
    meetings.generate_slots(
        room, day or edition.start_date + timedelta(days=1), first, last, actor=actor
    )
    return room


def slots_of(room: MeetingRoom) -> list[MeetingSlot]:
    edition = db.session.get(Edition, room.edition_id)
    assert edition is not None
    return meetings.slots_for(edition, room_id=room.id)


def local_hours(slots: list[MeetingSlot], edition: Edition) -> list[str]:
    """The slots' start times as the programme prints them, in the edition's time zone."""
    return [slot.starts_at.astimezone(edition.tz).strftime("%H:%M") for slot in slots]
