"""Invitations, delegations and meeting rooms for the protocol staff's page tests.

Invitations are made row by row with the models (the invitation forms are
tested through the pages themselves); an accepted invitation goes through the
real RSVP service so it has real registrations and badges. The edition lies in
the future: the RSVP and meeting bookings refuse an edition that is over, and
a meeting slot that has started.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from telecom.auth.models import User
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
from telecom.protocol.services import meetings, rsvp
from telecom.protocol.services.crypto import PassportData
from telecom.protocol.services.rsvp import MemberData, RsvpDetails
from tests.core import visible_text
from tests.helpers import csrf_token_from, html, make_edition, make_user

SLUG = "telecom-world-next"
BASE = f"/protocol/editions/{SLUG}"
INVITATIONS = f"{BASE}/invitations"
NEW = f"{INVITATIONS}/new"
IMPORT = f"{INVITATIONS}/import"
PDF = f"{BASE}/protocol-list.pdf"
XLSX = f"{BASE}/protocol-list.xlsx"
SCHEDULE = f"{BASE}/meetings"
ROOMS = f"{BASE}/meetings/rooms"
SETTINGS = f"{BASE}/settings"

C = ProtocolCategory
S = InvitationStatus


def future_edition(slug: str = SLUG) -> Edition:
    """An edition some weeks ahead, four days long, in Budapest."""
    start = date.today() + timedelta(days=60)
    return make_edition(
        slug, name="ITU TELECOM World Next", start_date=start, end_date=start + timedelta(days=3)
    )


def make_protocol_officer(
    email: str = "protocol@example.org", full_name: str = "Pat Protocol"
) -> User:
    return make_user(email, roles={Role.PROTOCOL}, full_name=full_name)


def make_invitation(
    edition: Edition,
    full_name: str = "Maria Example",
    *,
    category: ProtocolCategory = C.MIN,
    country: str | None = "KE",
    took_office_on: date | None = None,
    status: InvitationStatus = S.DRAFT,
    email: str | None = None,
    form_of_address: str = "H.E.",
    title: str = "Minister of ICT",
    organisation: str = "",
    focal_point_name: str = "",
    arrival_on: date | None = None,
    departure_on: date | None = None,
) -> VipInvitation:
    """An invitation in `status`, made directly (no mail is sent)."""
    slug = re.sub(r"[^a-z]+", ".", full_name.lower()).strip(".")
    invitation = VipInvitation(
        edition_id=edition.id,
        full_name=full_name,
        title=title,
        form_of_address=form_of_address,
        category=category,
        country=country,
        organisation=organisation,
        email=email or f"{slug}@gov.example",
        focal_point_name=focal_point_name,
        took_office_on=took_office_on,
        status=status,
        token_version=1,
        sent_at=None if status is S.DRAFT else datetime.now(UTC) - timedelta(days=3),
        arrival_on=arrival_on,
        departure_on=departure_on,
    )
    db.session.add(invitation)
    commit()
    return invitation


def accept_with_delegation(
    invitation: VipInvitation,
    *,
    members: tuple[tuple[str, str, str], ...] = (
        ("Amina Aide", "Chief of staff", "amina@gov.example"),
        ("Ben Bodyguard", "Security", "ben@gov.example"),
    ),
    passport: PassportData | None = None,
    vip_email: str = "",
) -> VipInvitation:
    """The VIP accepts through the real RSVP service: registrations and badges for everyone."""
    edition = db.session.get(Edition, invitation.edition_id)
    assert edition is not None
    if invitation.status is S.DRAFT:
        invitation.status = S.INVITED
        invitation.sent_at = datetime.now(UTC) - timedelta(days=3)
        commit()
    return rsvp.accept(
        invitation,
        RsvpDetails(
            arrival_on=edition.start_date - timedelta(days=1),
            departure_on=edition.end_date,
            arrival_flight="KQ 1234",
            departure_flight="KQ 1235",
            dietary_needs="Halal",
            accessibility_needs="Step-free access",
        ),
        [MemberData(full_name=n, function=f, email=e) for n, f, e in members],
        vip_email=vip_email or invitation.email,
        passport=passport,
    )


def passport_details(edition: Edition) -> PassportData:
    return PassportData(
        number="K12345678",
        nationality="KE",
        issued_on=date.today() - timedelta(days=400),
        expires_on=edition.end_date + timedelta(days=3000),
        full_name_as_in_passport="MARIA WANJIRU EXAMPLE",
    )


def make_room(edition: Edition, name: str = "Salon Danube", **values: object) -> MeetingRoom:
    room = MeetingRoom(
        edition_id=edition.id,
        name=name,
        capacity=values.get("capacity", 12),
        location=values.get("location", "Hall A, level 1"),
        active=values.get("active", True),
    )
    db.session.add(room)
    commit()
    return room


def make_slots(
    edition: Edition, room: MeetingRoom, day: date | None = None, first: str = "09:00",
    last: str = "12:00",
) -> list[MeetingSlot]:  # fmt: skip
    """Back-to-back slots made by the real service (90 minutes by default)."""
    day = day or edition.start_date
    officer = db.session.get(User, make_protocol_officer("slots@example.org").id)
    meetings.generate_slots(room, day, time.fromisoformat(first), time.fromisoformat(last),
                            actor=officer)  # fmt: skip
    return meetings.slots_for(edition, day=day, room_id=room.id)


def invitation_url(invitation: VipInvitation) -> str:
    return f"{INVITATIONS}/{invitation.id}"


def press(
    client: FlaskClient, page_url: str, action_url: str, data: dict | None = None
) -> TestResponse:
    """Press a button of a page, as a browser would: with the page's CSRF token."""
    page = client.get(page_url)
    assert page.status_code == 200, f"GET {page_url} answered {page.status_code}"
    return client.post(action_url, data={"csrf_token": csrf_token_from(html(page)), **(data or {})})


def after_redirect(client: FlaskClient, response: TestResponse) -> str:
    """What the user reads on the page the action led to (its flash message included)."""
    assert response.status_code == 302, response.status_code
    return visible_text(client.get(response.headers["Location"]))


def reload(instance: object) -> object:
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)  # type: ignore[attr-defined]
