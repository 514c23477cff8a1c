"""Shared pieces of the invitation, import, token, precedence and protocol-list tests.

Invitations go through the real services (create, send, and the VIP's own
accept / decline in rsvp.py) wherever the test is about them; the list and
precedence tests build rows with the models (`make_vip`), because there what
matters is the order and the filters, not how a VIP came to be accepted.

The edition starts in a month, so invitations can still be answered and
meeting slots booked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage, Message
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.audit import AuditEntry, entries_for_object
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.protocol.models import (
    DelegationMember,
    InvitationStatus,
    ProtocolCategory,
    VipInvitation,
)
from telecom.protocol.services import invitations, rsvp
from telecom.protocol.services.invitations import InvitationData
from tests.helpers import make_edition, make_organizer, make_user

SLUG = "telecom-world-next"
ZONE = "Europe/Zurich"
MINISTER_EMAIL = "amina.diallo@mict.example.gov"
FOCAL_POINT_EMAIL = "protocol.office@mict.example.gov"
CONTACT = "protocol@telecom-world.example"  # the settings' default contact address


def local_today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def upcoming_edition(slug: str = SLUG, **changes: object) -> Edition:
    """An edition that starts in a month and lasts four days."""
    start = local_today() + timedelta(days=30)
    values: dict = {
        "name": "ITU TELECOM World Next",
        "city": "Geneva",
        "country": "CH",
        "venue": "Palexpo",
        "timezone": ZONE,
        "start_date": start,
        "end_date": start + timedelta(days=3),
    }
    values.update(changes)
    return make_edition(slug, **values)


def officer(email: str = "pia@telecom-world.example") -> User:
    """A member of the protocol staff (the same account when asked again)."""
    existing = db.session.scalar(select(User).where(User.email == email))
    return existing or make_user(email, roles={Role.PROTOCOL}, full_name="Pia Protocol")


def organizer() -> User:
    return make_organizer()


def minister(**changes: object) -> InvitationData:
    """A minister who receives the invitation herself."""
    values: dict = {
        "full_name": "Amina Diallo",
        "title": "Minister of Digital Economy",
        "form_of_address": "H.E. Ms",
        "category": ProtocolCategory.MIN,
        "country": "SN",
        "organisation": "",
        "email": MINISTER_EMAIL,
        "focal_point_name": "",
        "took_office_on": date(2019, 4, 7),
    }
    values.update(changes)
    return InvitationData(**values)


def through_focal_point(**changes: object) -> InvitationData:
    """The same minister, invited through her office's focal point."""
    values: dict = {"email": FOCAL_POINT_EMAIL, "focal_point_name": "Mr Ousmane Ndiaye"}
    values.update(changes)
    return minister(**values)


def invite(edition: Edition, actor: User, data: InvitationData | None = None) -> VipInvitation:
    """An invitation created and sent (status "invited")."""
    invitation = invitations.create_invitation(edition, data or minister(), actor=actor)
    return invitations.send_invitation(invitation, actor=actor)


def travel(edition: Edition) -> rsvp.RsvpDetails:
    return rsvp.RsvpDetails(
        arrival_on=edition.start_date - timedelta(days=1), departure_on=edition.end_date,
        arrival_flight="SN 2283", departure_flight="SN 2284",
    )  # fmt: skip


ADVISER = rsvp.MemberData("Moussa Sarr", "Senior Adviser", "moussa.sarr@mict.example.gov")
AIDE = rsvp.MemberData("Fatou Ba", "Aide-de-camp", "fatou.ba@mict.example.gov")


def accepted(edition: Edition, actor: User, data: InvitationData | None = None) -> VipInvitation:
    """Invited, then accepted by the VIP through the RSVP service with two delegation members."""
    invitation = invite(edition, actor, data)
    return rsvp.accept(
        invitation, travel(edition), [ADVISER, AIDE], vip_email=MINISTER_EMAIL, passport=None
    )


def in_status(status: InvitationStatus, edition: Edition, actor: User) -> VipInvitation:
    """An invitation brought to `status` the way it happens in use."""
    if status == InvitationStatus.DRAFT:
        return invitations.create_invitation(edition, minister(), actor=actor)
    if status == InvitationStatus.INVITED:
        return invite(edition, actor)
    if status == InvitationStatus.ACCEPTED:
        return accepted(edition, actor)
    if status == InvitationStatus.DECLINED:
        return rsvp.decline(invite(edition, actor))
    return invitations.revoke(invite(edition, actor), "Replaced by the deputy.", actor=actor)


def make_vip(
    edition: Edition,
    full_name: str,
    category: ProtocolCategory = ProtocolCategory.MIN,
    *,
    country: str | None = None,
    organisation: str = "",
    took_office_on: date | None = None,
    status: InvitationStatus = InvitationStatus.ACCEPTED,
    arrival_on: date | None = None,
    departure_on: date | None = None,
    members: int = 0,
    form_of_address: str = "",
    title: str = "",
) -> VipInvitation:
    """An invitation row as it would stand after the VIP's reply (no mail, no registration)."""
    slug = "".join(char for char in full_name.lower() if char.isalnum())[:40] or "vip"
    invitation = VipInvitation(
        edition_id=edition.id, full_name=full_name, category=category, country=country,
        organisation=organisation or ("" if country else "Some Organisation"),
        email=f"{slug}@vip.example.org", took_office_on=took_office_on, status=status,
        arrival_on=arrival_on, departure_on=departure_on, form_of_address=form_of_address,
        title=title,
        sent_at=None if status == InvitationStatus.DRAFT else datetime.now(UTC),
    )  # fmt: skip
    for number in range(members):
        invitation.members.append(
            DelegationMember(full_name=f"Member {number + 1} of {full_name}",
                             email=f"m{number + 1}.{slug}@vip.example.org")
        )  # fmt: skip
    db.session.add(invitation)
    commit()
    return invitation


def reload(invitation: VipInvitation) -> VipInvitation:
    """The invitation as stored now."""
    db.session.expire_all()
    fresh = db.session.get(VipInvitation, invitation.id)
    assert fresh is not None
    return fresh


def invitation_count(edition: Edition) -> int:
    return int(
        db.session.scalar(
            select(func.count(VipInvitation.id)).where(VipInvitation.edition_id == edition.id)
        )
        or 0
    )


def audit_actions(invitation: VipInvitation) -> list[str]:
    """The invitation's audit actions, oldest first."""
    return [
        entry.action for entry in reversed(entries_for_object("vip_invitations", invitation.id))
    ]


def audit_count() -> int:
    return int(db.session.scalar(select(func.count(AuditEntry.id))) or 0)


def text_of(message: Message) -> str:
    """The plain-text body of a message, with or without attachments."""
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def rsvp_link_in(message: Message) -> str:
    """The personal RSVP link in a message."""
    links = [word for word in text_of(message).split() if "/rsvp/" in word]
    assert len(links) == 1, f"expected one RSVP link, found {links}"
    return links[0]


def token_of(link: str) -> str:
    """The token part of an RSVP link (/rsvp/<token>)."""
    path = urlsplit(link).path
    assert path.startswith("/rsvp/")
    return path.removeprefix("/rsvp/")
