"""Shared pieces of the RSVP service tests: an edition running now, invitations made with the
models, the reply as the form would give it, the gate scanner, and reading the mail.

The edition runs from yesterday to the day after tomorrow (in its own time
zone), so a reply is still allowed and a badge can be scanned at the gate
right now, as on the first days of the event. Invitations are built row by
row with status "invited" (as if the invitation mail had gone), so these
tests do not depend on the protocol staff's invitation services.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage, Message
from zoneinfo import ZoneInfo

from sqlalchemy import select

from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import Registration, ScanResult
from telecom.participants.services import badges, checkin
from telecom.protocol.models import InvitationStatus, ProtocolCategory, VipInvitation
from telecom.protocol.services.crypto import PassportData
from telecom.protocol.services.rsvp import MemberData, RsvpDetails
from tests.helpers import make_edition, make_user

SLUG = "telecom-world-now"
ZONE = "Europe/Budapest"
MINISTER_EMAIL = "amina.diallo@mict.example.gov"
FOCAL_POINT_EMAIL = "protocol.office@mict.example.gov"
# Distinctive values, so finding them anywhere (a log line, an audit entry) means a leak.
PASSPORT_NUMBER = "DQ7351946"
PASSPORT_NAME = "AMINA KHADIJA DIALLO-NDIAYE"


def local_today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def running_edition(slug: str = SLUG) -> Edition:
    """An edition that started yesterday and ends the day after tomorrow."""
    today = local_today()
    return make_edition(
        slug,
        name="ITU TELECOM World Now",
        timezone=ZONE,
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=2),
    )


def make_invitation(
    edition: Edition,
    *,
    full_name: str = "Amina Diallo",
    title: str = "Minister of Digital Economy",
    form_of_address: str = "H.E. Ms",
    category: ProtocolCategory = ProtocolCategory.MIN,
    country: str | None = "SN",
    organisation: str = "",
    email: str = MINISTER_EMAIL,
    focal_point_name: str = "",
    status: InvitationStatus = InvitationStatus.INVITED,
) -> VipInvitation:
    """An invitation already sent (status "invited" unless told otherwise)."""
    invitation = VipInvitation(
        edition_id=edition.id,
        full_name=full_name,
        title=title,
        form_of_address=form_of_address,
        category=category,
        country=country,
        organisation=organisation,
        email=email,
        focal_point_name=focal_point_name,
        status=status,
        sent_at=datetime.now(UTC) if status != InvitationStatus.DRAFT else None,
    )
    db.session.add(invitation)
    commit()
    return invitation


def protocol_officer(email: str = "pia@telecom-world.example") -> User:
    return make_user(email, roles={Role.PROTOCOL}, full_name="Pia Protocol")


def travel(edition: Edition, **changes: object) -> RsvpDetails:
    """Arrival the day before the edition, departure on its last day, with flights."""
    values: dict = {
        "arrival_on": edition.start_date - timedelta(days=1),
        "departure_on": edition.end_date,
        "arrival_flight": "SN 2283",
        "departure_flight": "SN 2284",
        "dietary_needs": "Halal",
        "accessibility_needs": "",
    }
    values.update(changes)
    return RsvpDetails(**values)


ADVISER = MemberData("Moussa Sarr", "Senior Adviser", "moussa.sarr@mict.example.gov")
AIDE = MemberData("Fatou Ba", "Aide-de-camp", "fatou.ba@mict.example.gov")
SPOKESPERSON = MemberData("Ibrahima Fall", "Spokesperson", "ibrahima.fall@mict.example.gov")


def passport(edition: Edition, **changes: object) -> PassportData:
    values: dict = {
        "number": PASSPORT_NUMBER,
        "nationality": "SN",
        "issued_on": date(2021, 3, 1),
        "expires_on": edition.end_date + timedelta(days=3 * 365),
        "full_name_as_in_passport": PASSPORT_NAME,
    }
    values.update(changes)
    return PassportData(**values)


def reload(invitation: VipInvitation) -> VipInvitation:
    db.session.expire_all()
    fresh = db.session.get(VipInvitation, invitation.id)
    assert fresh is not None
    return fresh


def registration(registration_id: int | None) -> Registration:
    assert registration_id is not None
    found = db.session.get(Registration, registration_id)
    assert found is not None
    return found


def member_registrations(invitation: VipInvitation) -> dict[str, Registration]:
    """The active members' registrations by member e-mail."""
    return {
        member.email: registration(member.registration_id)
        for member in invitation.members
        if member.removed_at is None
    }


def scan_at_gate(edition: Edition, code: str) -> ScanResult:
    """What the gate scanner says now for `code` (a fresh scan each time)."""
    staff = db.session.scalar(select(User).where(User.email == "gate@telecom-world.example"))
    if staff is None:
        staff = make_user("gate@telecom-world.example", roles={Role.CHECKIN_STAFF})
    outcome = checkin.scan(
        edition,
        code=code,
        scan_id=str(uuid.uuid4()),
        scanned_at=datetime.now(UTC),
        point="gate",
        staff=staff,
    )
    return outcome.result


def opens_the_gate(edition: Edition, code: str) -> bool:
    """A badge opens the gate when it is welcomed, or was already welcomed today."""
    return scan_at_gate(edition, code) in (ScanResult.WELCOME, ScanResult.ALREADY_CHECKED_IN)


def code_is_current(code: str, registration_id: int) -> bool:
    claim = badges.verify_code(code)
    db.session.expire_all()
    return claim is not None and badges.is_current(claim, registration(registration_id))


def text_of(message: Message) -> str:
    """The plain-text body of a message, with or without attachments."""
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def attachments_of(message: Message) -> list[tuple[str, str, bytes]]:
    assert isinstance(message, EmailMessage)
    return [
        (part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
    ]
