"""Shared pieces of the RSVP page tests: an edition ahead, invitations made with the models,
their links, meeting slots, and the reply form as a browser would post it.

Invitations are built row by row (status "invited", as if the invitation mail
had gone) so these tests do not depend on the protocol staff's pages; the link
comes from the real token service, so the page opens what a VIP would open.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from werkzeug.test import TestResponse

from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.protocol.models import (
    InvitationStatus,
    MeetingRoom,
    MeetingSlot,
    ProtocolCategory,
    VipInvitation,
)
from telecom.protocol.services.tokens import RSVP_SALT, rsvp_token
from tests.core import form_values
from tests.helpers import make_edition

SLUG = "telecom-world-next"
ZONE = "Europe/Budapest"
FOCAL_POINT = "protocol.office@mict.example.gov"
MINISTER_EMAIL = "amina.diallo@mict.example.gov"


def future_edition(slug: str = SLUG) -> Edition:
    """An edition six weeks ahead (RSVP dates must fall around it)."""
    start = date.today() + timedelta(days=42)
    return make_edition(
        slug, name="ITU TELECOM World Next", timezone=ZONE,
        start_date=start, end_date=start + timedelta(days=3),
    )  # fmt: skip


def make_invitation(
    edition: Edition,
    *,
    full_name: str = "Amina Diallo",
    title: str = "Minister of Digital Economy",
    form_of_address: str = "H.E. Ms",
    category: ProtocolCategory = ProtocolCategory.MIN,
    country: str | None = "SN",
    email: str = MINISTER_EMAIL,
    focal_point_name: str = "",
    took_office_on: date | None = date(2019, 4, 7),
    status: InvitationStatus = InvitationStatus.INVITED,
) -> VipInvitation:
    """An invitation already sent (status "invited" unless told otherwise)."""
    invitation = VipInvitation(
        edition_id=edition.id, full_name=full_name, title=title,
        form_of_address=form_of_address, category=category, country=country,
        organisation="", email=email, focal_point_name=focal_point_name,
        took_office_on=took_office_on, status=status,
        sent_at=datetime.now(UTC) if status != InvitationStatus.DRAFT else None,
    )  # fmt: skip
    db.session.add(invitation)
    commit()
    return invitation


def rsvp_path(invitation: VipInvitation) -> str:
    return f"/rsvp/{rsvp_token(invitation)}"


def path_of(token: str) -> str:
    return f"/rsvp/{token}"


def old_token(invitation: VipInvitation, age: timedelta) -> str:
    """A genuine link for the invitation, as if it had been mailed `age` ago.

    Signed with the real key and salt; only the time stamp inside is older.
    """

    class IssuedEarlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age.total_seconds())

    serializer = URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=RSVP_SALT, signer=IssuedEarlier
    )
    return str(serializer.dumps([invitation.id, invitation.token_version]))


def reload(invitation: VipInvitation) -> VipInvitation:
    db.session.expire_all()
    fresh = db.session.get(VipInvitation, invitation.id)
    assert fresh is not None
    return fresh


# --- the reply form -------------------------------------------------------------------------


def stay(edition: Edition) -> dict[str, str]:
    """Arrival the day before the edition, departure on its last day."""
    return {
        "arrival_on": (edition.start_date - timedelta(days=1)).isoformat(),
        "arrival_flight": "SN 2283",
        "departure_on": edition.end_date.isoformat(),
        "departure_flight": "SN 2284",
    }


def members_typed(*members: tuple[str, str, str]) -> dict[str, str]:
    """Delegation rows as typed: (name, function, e-mail), from the first row."""
    typed: dict[str, str] = {}
    for index, (name, function, email) in enumerate(members):
        typed[f"members-{index}-full_name"] = name
        typed[f"members-{index}-function"] = function
        typed[f"members-{index}-email"] = email
    return typed


def acceptance(edition: Edition, **extra: str) -> dict[str, str]:
    """An acceptance with the minister's own address, dates, needs and consent."""
    return {
        "response": "accept",
        "vip_email": MINISTER_EMAIL,
        **stay(edition),
        "dietary_needs": "Halal",
        "accessibility_needs": "",
        "consent": "y",
        **extra,
    }


def reply(client: FlaskClient, path: str, typed: dict[str, str]) -> TestResponse:
    """Open the RSVP page, keep what its form shows, overwrite `typed`, and post it."""
    page = client.get(path)
    assert page.status_code == 200, f"GET {path} answered {page.status_code}"
    values = form_values(page)
    assert "csrf_token" in values, "the reply form has no CSRF token"
    values.update(typed)
    return client.post(path, data=values)


# --- bilateral meeting slots ------------------------------------------------------------------


def make_room(edition: Edition, name: str = "Bilateral Room A") -> MeetingRoom:
    room = MeetingRoom(edition_id=edition.id, name=name, capacity=12, location="Hall B, level 1")
    db.session.add(room)
    commit()
    return room


def make_slot(room: MeetingRoom, day: date, hour: int, minute: int = 0) -> MeetingSlot:
    """A 90-minute slot starting at `hour`:`minute` local time on `day`."""
    starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))
    slot = MeetingSlot(
        room_id=room.id, edition_id=room.edition_id, day=day,
        starts_at=starts.astimezone(UTC), ends_at=(starts + timedelta(minutes=90)).astimezone(UTC),
    )  # fmt: skip
    db.session.add(slot)
    commit()
    return slot
