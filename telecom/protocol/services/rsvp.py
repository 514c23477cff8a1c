"""The VIP's answer: accept or decline, travel details, the delegation, passport details.

The RSVP page calls these with the invitation its token opened and `actor`
None (the link is the proof; no account is needed). Protocol staff may answer
on a VIP's behalf (a reply received by telephone): they pass themselves as
`actor`, which must then hold Role.PROTOCOL or Role.ORGANIZER.

Accepting gives the VIP a confirmed Registration of category VIP (carrying the
protocol category) and each delegation member one of category delegation, and
mails every badge to the invitation address in one message: the VIP's office
or focal point hands them out. Declining (and a revocation, through
`withdraw_all`) cancels those registrations, so their badges stop scanning.
Accepting again after a decline grants them once more with new badge versions
(granted.grant_registration), so a badge printed before the decline stays void.

Every change runs under the invitation's row lock (`lock_invitation`), so a
double-submitted form or a reply crossing a revocation cannot leave two
delegations or a half-cancelled one. Passport details are stored only
encrypted (crypto.py) and never reach an audit entry, a mail or a log line.

Errors name the field they belong to (ProtocolError.field): the fields of
`RsvpDetails` and `PassportData`, "vip_email", "members" (the list as a
whole) and "members-<index>-<field>" for one member row (index as given, from
0, the way WTForms names FieldList rows), so the form shows them in place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.countries import is_valid_country
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.participants.services import badges, people
from telecom.participants.services.granted import grant_registration, withdraw_registration
from telecom.protocol.models import DelegationMember, InvitationStatus, VipInvitation
from telecom.protocol.services import ProtocolError, lock_invitation, require_protocol_staff
from telecom.protocol.services.crypto import (
    PassportData,
    decrypt_passport,
    encrypt_passport,
    require_passport_encryption,
)

__all__ = [
    "MAX_MEMBERS",
    "MemberData",
    "PassportData",
    "RsvpDetails",
    "accept",
    "decline",
    "passport_for_staff",
    "reprint_vip_badge",
    "update_members",
    "withdraw_all",
]

S = InvitationStatus
MAX_MEMBERS = 20
# Travel days may start a fortnight before the edition and end a fortnight after it:
# official visits often add meetings around the event, never months of them.
TRAVEL_MARGIN = timedelta(days=14)
MAX_NAME_LENGTH = 200  # delegation_members.full_name / function, people.full_name
MAX_EMAIL_LENGTH = 320
MAX_FLIGHT_LENGTH = 60  # vip_invitations.arrival_flight / departure_flight
MAX_NEEDS_LENGTH = 2000
MAX_NOTE_LENGTH = 2000
# Passport numbers are letters and digits (ICAO 9303 allows up to 9; some states use more).
_PASSPORT_NUMBER = re.compile(r"^[A-Z0-9]{4,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The two categories protocol staff handle; reprint_vip_badge refuses any other.
PROTOCOL_REGISTRATION_CATEGORIES = frozenset(
    {RegistrationCategory.VIP, RegistrationCategory.DELEGATION}
)

INVITATION_AUDIT_FIELDS = (
    "status", "responded_at", "arrival_on", "departure_on", "arrival_flight",
    "departure_flight", "dietary_needs", "accessibility_needs", "person_id", "registration_id",
)  # fmt: skip
MEMBER_AUDIT_FIELDS = ("full_name", "function", "email", "person_id", "registration_id",
                       "removed_at")  # fmt: skip


@dataclass
class RsvpDetails:
    """Travel and needs as the RSVP form gives them; dates are days, flights free text."""

    arrival_on: date | None = None
    departure_on: date | None = None
    arrival_flight: str = ""
    departure_flight: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""


@dataclass
class MemberData:
    """One person accompanying the VIP; each gets a badge of category delegation."""

    full_name: str
    function: str = ""
    email: str = ""


# --- Small helpers ----------------------------------------------------------------------


def _edition_of(invitation: VipInvitation) -> Edition:
    edition = db.session.get(Edition, invitation.edition_id)
    assert edition is not None
    return edition


def _contact_email(edition: Edition) -> str:
    from telecom.protocol.services.settings import protocol_settings

    return protocol_settings(edition).contact_email


def _invitation_snapshot(invitation: VipInvitation) -> dict[str, Any]:
    # Whether passport details are on file, never what they say (nor the ciphertext).
    return {
        **audit.snapshot(invitation, INVITATION_AUDIT_FIELDS),
        "passport_on_file": invitation.passport_encrypted is not None,
    }


def _require_staff_if_given(actor: User | None) -> None:
    """None is the VIP through the link; anyone else acting must be protocol staff."""
    if actor is not None:
        require_protocol_staff(actor)


def _today(edition: Edition) -> date:
    return edition.local_date(utcnow())


def _not_after_the_edition(edition: Edition) -> None:
    if _today(edition) > edition.end_date:
        raise Conflict(
            _(
                "%(edition)s is over: the reply to this invitation can no longer be changed.",
                edition=edition.name,
            )
        )


def _status_refusal(invitation: VipInvitation, edition: Edition) -> Conflict:
    if invitation.status == S.REVOKED:
        return Conflict(
            _(
                "This invitation has been withdrawn. Please contact the protocol team at "
                "%(contact)s.",
                contact=_contact_email(edition),
            )
        )
    if invitation.status == S.DRAFT:
        return Conflict(_("This invitation has not been sent yet, so it cannot be answered."))
    if invitation.status == S.DECLINED:
        return Conflict(_("This invitation has already been declined."))
    return Conflict(
        _(
            "This is not possible: the invitation is “%(status)s”. Reload the page to see where "
            "it stands.",
            status=invitation.status.label,
        )
    )


def _text(value: object, field: str, limit: int, *, required: str | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text and required is not None:
        raise ProtocolError(required, field)
    if len(text) > limit:
        raise ProtocolError(_("Write at most %(count)d characters.", count=limit), field)
    return text


def _email(value: object, field: str) -> str:
    email = people.normalise_email(value) if isinstance(value, str) else ""
    if not email:
        raise ProtocolError(_("Enter an e-mail address."), field)
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email) or email.endswith(".invalid"):
        raise ProtocolError(_("Enter a valid e-mail address."), field)
    return email


def _salutation(invitation: VipInvitation) -> str:
    """The VIP as protocol addresses them: "H.E. Ms Ana Silva"."""
    return " ".join(part for part in (invitation.form_of_address, invitation.full_name) if part)


def _addressee(invitation: VipInvitation) -> str:
    return invitation.focal_point_name or _salutation(invitation)


def _mail(
    invitation: VipInvitation,
    edition: Edition,
    subject: Any,
    template: str,
    *,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    **context: Any,
) -> None:
    """Queue a message to the invitation address (the VIP's office or focal point)."""
    person = db.session.get(Person, invitation.person_id) if invitation.person_id else None
    queue_mail(
        invitation.email,
        subject,
        template,
        locale=person.locale if person is not None else None,
        attachments=attachments,
        edition=edition,
        invitation=invitation,
        addressee=_addressee(invitation),
        vip_name=_salutation(invitation),
        on_behalf=bool(invitation.focal_point_name),
        contact_email=_contact_email(edition),
        **context,
    )


# --- Validation -------------------------------------------------------------------------


def _check_details(details: RsvpDetails, edition: Edition) -> RsvpDetails:
    arrival = details.arrival_on
    departure = details.departure_on
    for name, day in (("arrival_on", arrival), ("departure_on", departure)):
        if day is not None and not isinstance(day, date):
            raise ProtocolError(_("Enter a date as YYYY-MM-DD."), name)
    earliest = edition.start_date - TRAVEL_MARGIN
    latest = edition.end_date + TRAVEL_MARGIN
    if arrival is not None and not earliest <= arrival <= edition.end_date:
        raise ProtocolError(
            _("The arrival must be between %(first)s and the last day of the event, %(last)s.",
              first=format_date(earliest), last=format_date(edition.end_date)),
            "arrival_on",
        )  # fmt: skip
    if departure is not None and not edition.start_date <= departure <= latest:
        raise ProtocolError(
            _("The departure must be between the first day of the event, %(first)s, and "
              "%(last)s.", first=format_date(edition.start_date), last=format_date(latest)),
            "departure_on",
        )  # fmt: skip
    if arrival is not None and departure is not None and departure < arrival:
        raise ProtocolError(_("The departure cannot be before the arrival."), "departure_on")
    return RsvpDetails(
        arrival_on=arrival,
        departure_on=departure,
        arrival_flight=_text(details.arrival_flight, "arrival_flight", MAX_FLIGHT_LENGTH),
        departure_flight=_text(details.departure_flight, "departure_flight", MAX_FLIGHT_LENGTH),
        dietary_needs=_text(details.dietary_needs, "dietary_needs", MAX_NEEDS_LENGTH),
        accessibility_needs=_text(
            details.accessibility_needs, "accessibility_needs", MAX_NEEDS_LENGTH
        ),
    )


def _is_blank_member(member: MemberData) -> bool:
    # An empty row of the form (one is always offered) is not a member.
    return not any(
        isinstance(value, str) and value.strip()
        for value in (member.full_name, member.function, member.email)
    )


def _check_members(
    members: Sequence[MemberData], *, vip_email: str | None
) -> list[tuple[int, MemberData]]:
    """The non-blank rows, cleaned, with their index in the form; refuses duplicates."""
    rows = [(index, member) for index, member in enumerate(members)
            if not _is_blank_member(member)]  # fmt: skip
    if len(rows) > MAX_MEMBERS:
        raise ProtocolError(
            _("A delegation has at most %(count)d members besides the VIP.", count=MAX_MEMBERS),
            "members",
        )
    cleaned: list[tuple[int, MemberData]] = []
    seen: set[str] = set()
    for index, member in rows:
        prefix = f"members-{index}-"
        full_name = _text(member.full_name, prefix + "full_name", MAX_NAME_LENGTH,
                          required=_("Enter the member's name."))  # fmt: skip
        function = _text(member.function, prefix + "function", MAX_NAME_LENGTH)
        email = _email(member.email, prefix + "email")
        if vip_email is not None and email == vip_email:
            raise ProtocolError(
                _("This is the VIP's address: each member needs their own e-mail address."),
                prefix + "email",
            )
        if email in seen:
            raise ProtocolError(
                _("Two members have this address: each member needs their own."),
                prefix + "email",
            )
        seen.add(email)
        cleaned.append((index, MemberData(full_name=full_name, function=function, email=email)))
    return cleaned


def _is_blank_passport(passport: PassportData) -> bool:
    return not any(
        (isinstance(value, str) and value.strip()) or isinstance(value, date)
        for value in (
            passport.number, passport.nationality, passport.issued_on, passport.expires_on,
            passport.full_name_as_in_passport,
        )
    )  # fmt: skip


def _check_passport(passport: PassportData, edition: Edition) -> PassportData:
    # Messages never repeat the values: they could end up in a log or a screenshot.
    require_passport_encryption()
    number = passport.number if isinstance(passport.number, str) else ""
    number = re.sub(r"[\s-]", "", number).upper()
    if not number:
        raise ProtocolError(_("Enter the passport number."), "number")
    if not _PASSPORT_NUMBER.match(number):
        raise ProtocolError(
            _("A passport number has 4 to 20 letters and digits; check it."), "number"
        )
    nationality = passport.nationality.strip().upper() if isinstance(
        passport.nationality, str) else ""  # fmt: skip
    if not nationality or not is_valid_country(nationality):
        raise ProtocolError(_("Choose the nationality in the passport."), "nationality")
    full_name = _text(
        passport.full_name_as_in_passport, "full_name_as_in_passport", MAX_NAME_LENGTH,
        required=_("Enter the name exactly as it is printed in the passport."),
    )  # fmt: skip
    issued, expires = passport.issued_on, passport.expires_on
    if issued is not None and not isinstance(issued, date):
        raise ProtocolError(_("Enter a date as YYYY-MM-DD."), "issued_on")
    if not isinstance(expires, date):
        raise ProtocolError(_("Enter the passport's expiry date."), "expires_on")
    if issued is not None and issued > _today(edition):
        raise ProtocolError(_("The date of issue cannot be in the future."), "issued_on")
    if issued is not None and expires <= issued:
        raise ProtocolError(_("The expiry date must be after the date of issue."), "expires_on")
    if expires < edition.end_date:
        raise ProtocolError(
            _("This passport expires before the event ends: give the details of the passport "
              "the VIP will travel with."),
            "expires_on",
        )  # fmt: skip
    return PassportData(
        number=number,
        nationality=nationality,
        issued_on=issued,
        expires_on=expires,
        full_name_as_in_passport=full_name,
    )


# --- Registrations ----------------------------------------------------------------------


def _vip_person(invitation: VipInvitation, vip_email: str) -> Person:
    return people.find_or_create_person(
        vip_email,
        full_name=invitation.full_name,
        organisation_name=invitation.organisation,
        country=invitation.country,
        job_title=invitation.title[:MAX_NAME_LENGTH],
    )


def _check_vip_not_elsewhere(invitation: VipInvitation, person: Person) -> None:
    """One person is the VIP of one answered invitation per edition (one VIP registration)."""
    other = db.session.scalar(
        select(VipInvitation.id).where(
            VipInvitation.edition_id == invitation.edition_id,
            VipInvitation.id != invitation.id,
            VipInvitation.person_id == person.id,
            VipInvitation.status == S.ACCEPTED,
        )
    )
    if other is not None:
        raise ProtocolError(
            _("This address is already that of the VIP of another invitation. Give this VIP's "
              "own e-mail address."),
            "vip_email",
        )  # fmt: skip


def _check_members_not_elsewhere(
    invitation: VipInvitation, rows: list[tuple[int, MemberData]]
) -> None:
    """A person accompanies one accepted delegation (their one delegation registration)."""
    emails = [member.email for _index, member in rows]
    if not emails:
        return
    taken = set(
        db.session.scalars(
            select(DelegationMember.email)
            .join(VipInvitation, VipInvitation.id == DelegationMember.invitation_id)
            .where(
                VipInvitation.edition_id == invitation.edition_id,
                VipInvitation.id != invitation.id,
                VipInvitation.status == S.ACCEPTED,
                DelegationMember.removed_at.is_(None),
                DelegationMember.email.in_(emails),
            )
        )
    )
    for index, member in rows:
        if member.email in taken:
            raise ProtocolError(
                _("This person is already a member of another delegation at this event."),
                f"members-{index}-email",
            )


def _member_snapshot(member: DelegationMember) -> dict[str, Any]:
    return audit.snapshot(member, MEMBER_AUDIT_FIELDS)


def _active_members(invitation: VipInvitation) -> list[DelegationMember]:
    return [member for member in invitation.members if member.removed_at is None]


def _apply_members(
    invitation: VipInvitation,
    edition: Edition,
    rows: list[tuple[int, MemberData]],
    *,
    actor: User | None,
) -> tuple[list[DelegationMember], list[DelegationMember]]:
    """Make the active members those of `rows`, matched by e-mail; (added, removed).

    Kept members keep their row and registration (a changed name or function
    is recorded); removed ones keep their row, marked removed, and their
    registration is cancelled. Registrations for the current members are
    granted by the caller (only an accepted invitation has them).
    """
    now = utcnow()
    current = {member.email: member for member in _active_members(invitation)}
    wanted = {member.email: member for _index, member in rows}
    added: list[DelegationMember] = []
    removed: list[DelegationMember] = []
    for email, member in current.items():
        if email in wanted:
            data = wanted[email]
            if (member.full_name, member.function) != (data.full_name, data.function):
                before = _member_snapshot(member)
                member.full_name, member.function = data.full_name, data.function
                audit.record(
                    "update_delegation_member", member, actor=actor, edition_id=edition.id,
                    before=before, after=_member_snapshot(member),
                )  # fmt: skip
            continue
        before = _member_snapshot(member)
        member.removed_at = now
        if member.registration_id is not None:
            withdraw_registration(member.registration_id, actor=actor)
        audit.record(
            "remove_delegation_member", member, actor=actor, edition_id=edition.id,
            before=before, after=_member_snapshot(member),
        )  # fmt: skip
        removed.append(member)
    for _index, data in rows:
        if data.email in current:
            continue
        member = DelegationMember(
            invitation=invitation, full_name=data.full_name, function=data.function,
            email=data.email,
        )  # fmt: skip
        db.session.add(member)
        db.session.flush()
        audit.record(
            "add_delegation_member", member, actor=actor, edition_id=edition.id,
            after=_member_snapshot(member),
        )  # fmt: skip
        added.append(member)
    return added, removed


def _grant_member(
    invitation: VipInvitation, edition: Edition, member: DelegationMember, *, actor: User | None
) -> Registration:
    person = db.session.get(Person, member.person_id) if member.person_id else None
    if person is None or person.erased_at is not None:
        person = people.find_or_create_person(
            member.email,
            full_name=member.full_name,
            job_title=member.function,
            organisation_name=invitation.organisation,
            country=invitation.country,
        )
    registration = grant_registration(person, edition, RegistrationCategory.DELEGATION,
                                      actor=actor)  # fmt: skip
    if (member.person_id, member.registration_id) != (person.id, registration.id):
        before = _member_snapshot(member)
        member.person_id, member.registration_id = person.id, registration.id
        audit.record(
            "grant_delegation_member", member, actor=actor, edition_id=edition.id,
            before=before, after=_member_snapshot(member),
        )  # fmt: skip
    return registration


def _same_people_conflict() -> Conflict:
    return Conflict(
        _("Someone saved the same people at the same moment. Please submit the form again.")
    )


# --- Accept, decline ----------------------------------------------------------------------


@atomic
def accept(
    invitation: VipInvitation,
    details: RsvpDetails,
    members: Sequence[MemberData],
    *,
    vip_email: str,
    passport: PassportData | None,
    actor: User | None = None,
) -> VipInvitation:
    """Accept (or update an accepted reply): registrations for the VIP and the delegation.

    invited → accepted; accepted → accepted updates the reply; declined →
    accepted is allowed until the edition ends. `vip_email` is the VIP's own
    address (their Person); when a focal point is named, the invitation
    address is the focal point's and is refused here. `members` is the whole
    delegation as it should now be (blank rows are ignored; missing members
    are removed, their badges cancelled). `passport` None keeps what is on
    file (the form never shows it back); given, it replaces it, encrypted.
    One mail to the invitation address carries every current badge.
    """
    _require_staff_if_given(actor)
    invitation = lock_invitation(invitation)
    edition = _edition_of(invitation)
    if invitation.status not in (S.INVITED, S.ACCEPTED, S.DECLINED):
        raise _status_refusal(invitation, edition)
    _not_after_the_edition(edition)
    updating = invitation.status == S.ACCEPTED

    cleaned = _check_details(details, edition)
    email = _email(vip_email, "vip_email")
    if invitation.focal_point_name and email == people.normalise_email(invitation.email):
        raise ProtocolError(
            _("This is the address of the focal point, %(name)s. Give the VIP's own e-mail "
              "address: their badge is issued to it.", name=invitation.focal_point_name),
            "vip_email",
        )  # fmt: skip
    rows = _check_members(members, vip_email=email)
    blob: bytes | None = None
    if passport is not None and not _is_blank_passport(passport):
        blob = encrypt_passport(_check_passport(passport, edition))

    before = _invitation_snapshot(invitation)
    try:
        person = _vip_person(invitation, email)
        _check_vip_not_elsewhere(invitation, person)
        _check_members_not_elsewhere(invitation, rows)
        if invitation.registration_id is not None:
            previous = db.session.get(Registration, invitation.registration_id)
            if previous is not None and previous.person_id != person.id:
                # The VIP's address was corrected: the badge issued to the old one goes.
                withdraw_registration(previous.id, actor=actor)
        registration = grant_registration(
            person, edition, RegistrationCategory.VIP, actor=actor,
            protocol_category=invitation.category.value,
        )  # fmt: skip
        _apply_members(invitation, edition, rows, actor=actor)
        member_registrations = [
            _grant_member(invitation, edition, member, actor=actor)
            for member in _active_members(invitation)
        ]
        invitation.status = S.ACCEPTED
        invitation.responded_at = utcnow()
        invitation.arrival_on = cleaned.arrival_on
        invitation.departure_on = cleaned.departure_on
        invitation.arrival_flight = cleaned.arrival_flight
        invitation.departure_flight = cleaned.departure_flight
        invitation.dietary_needs = cleaned.dietary_needs
        invitation.accessibility_needs = cleaned.accessibility_needs
        invitation.person_id = person.id
        invitation.registration_id = registration.id
        if blob is not None:
            invitation.passport_encrypted = blob
        db.session.flush()
    except IntegrityError:
        # Two answers creating the same person at once; the second one retries.
        raise _same_people_conflict() from None
    audit.record(
        "update_rsvp" if updating else "accept", invitation, actor=actor,
        edition_id=edition.id, before=before, after=_invitation_snapshot(invitation),
    )  # fmt: skip
    registrations = [registration, *member_registrations]
    _mail(
        invitation,
        edition,
        _l("%(edition)s: your participation is confirmed", edition=edition.name)
        if not updating
        else _l("%(edition)s: your reply has been updated", edition=edition.name),
        "protocol_accepted.txt",
        attachments=[badges.badge_attachment(r) for r in registrations],
        updated=updating,
        members=_active_members(invitation),
        passport_on_file=invitation.passport_encrypted is not None,
    )
    commit()
    return invitation


def _release_meeting_slots(invitation: VipInvitation, *, actor: User | None) -> None:
    # Imported here: the meeting-rooms module is another part of the package.
    from telecom.protocol.services import meetings

    meetings.release_all(invitation, actor=actor)


def withdraw_all(invitation: VipInvitation, *, actor: User | None) -> list[Registration]:
    """Cancel the VIP's and the delegation's registrations and forget the passport details.

    For decline and revoke, inside the caller's transaction (which holds the
    invitation's lock, checked the actor, writes its own audit entry and
    commits). Member rows stay, so an acceptance later brings them back with
    new badges; the passport details go, since nobody travels on them now.
    Returns the registrations it cancelled.
    """
    cancelled: list[Registration] = []
    ids = [invitation.registration_id] + [member.registration_id for member in invitation.members]
    for registration_id in ids:
        if registration_id is None:
            continue
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            continue
        withdrawn = withdraw_registration(registration_id, actor=actor)
        if withdrawn is not None:
            cancelled.append(withdrawn)
    invitation.passport_encrypted = None
    db.session.flush()
    return cancelled


@atomic
def decline(
    invitation: VipInvitation, *, actor: User | None = None, note: str = ""
) -> VipInvitation:
    """invited | accepted → declined: every badge of the delegation stops working.

    Meeting-room bookings are released and the passport details deleted. The
    note (why, or who replied) is kept in the audit entry for protocol staff.
    A declined invitation can still be accepted until the edition ends.
    """
    _require_staff_if_given(actor)
    note = _text(note, "note", MAX_NOTE_LENGTH)
    invitation = lock_invitation(invitation)
    edition = _edition_of(invitation)
    if invitation.status not in (S.INVITED, S.ACCEPTED):
        raise _status_refusal(invitation, edition)
    _not_after_the_edition(edition)
    had_badges = invitation.status == S.ACCEPTED
    before = _invitation_snapshot(invitation)
    withdraw_all(invitation, actor=actor)
    _release_meeting_slots(invitation, actor=actor)
    invitation.status = S.DECLINED
    invitation.responded_at = utcnow()
    db.session.flush()
    audit.record(
        "decline", invitation, actor=actor, edition_id=edition.id, before=before,
        after={**_invitation_snapshot(invitation), "note": note},
    )  # fmt: skip
    _mail(
        invitation,
        edition,
        _l("%(edition)s: we have received your reply", edition=edition.name),
        "protocol_declined.txt",
        had_badges=had_badges,
    )
    commit()
    return invitation


@atomic
def update_members(
    invitation: VipInvitation, members: Sequence[MemberData], *, actor: User | None = None
) -> list[DelegationMember]:
    """Change an accepted delegation: new members get a badge, removed ones lose theirs.

    `members` is the whole delegation as it should now be. Added members'
    badges are mailed to the invitation address; a change that adds or
    removes nobody sends nothing. Returns the current members.
    """
    _require_staff_if_given(actor)
    invitation = lock_invitation(invitation)
    edition = _edition_of(invitation)
    if invitation.status != S.ACCEPTED:
        if invitation.status in (S.REVOKED, S.DRAFT):
            raise _status_refusal(invitation, edition)
        raise Conflict(_("The delegation can be changed once the invitation is accepted."))
    _not_after_the_edition(edition)
    vip = db.session.get(Person, invitation.person_id) if invitation.person_id else None
    rows = _check_members(members, vip_email=vip.email if vip is not None else None)
    try:
        _check_members_not_elsewhere(invitation, rows)
        added, removed = _apply_members(invitation, edition, rows, actor=actor)
        added_registrations = [
            _grant_member(invitation, edition, member, actor=actor) for member in added
        ]
        db.session.flush()
    except IntegrityError:
        raise _same_people_conflict() from None
    if added or removed:
        _mail(
            invitation,
            edition,
            _l("%(edition)s: your delegation has been updated", edition=edition.name),
            "protocol_member_added.txt",
            attachments=[badges.badge_attachment(r) for r in added_registrations],
            added=added,
            removed=removed,
        )
    commit()
    return _active_members(invitation)


# --- Protocol staff -----------------------------------------------------------------------


@atomic
def passport_for_staff(invitation: VipInvitation, *, actor: User | None) -> PassportData | None:
    """The VIP's passport details for protocol staff and organizers (None: none on file).

    Each reading is audited as "view_passport" (who, when; never the values).
    PassportUnreadable (a Conflict with a clear message) when the configured
    keys cannot decrypt them.
    """
    actor = require_protocol_staff(actor)
    blob = invitation.passport_encrypted
    if blob is None:
        return None
    details = decrypt_passport(blob)
    audit.record("view_passport", invitation, actor=actor, edition_id=invitation.edition_id)
    commit()
    return details


def reprint_vip_badge(
    registration_id: int, *, actor: User | None, edition: Edition | None = None
) -> Registration:
    """Re-issue a VIP's or a delegation member's badge for printing; the old badge stops working.

    Protocol staff and organizers; `edition` restricts it to that edition's
    registrations. Any other category (a visitor's badge) is NotFound, as for
    a registration that does not exist. Audited by badges.reissue_badge.
    """
    actor = require_protocol_staff(actor)
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.category not in PROTOCOL_REGISTRATION_CATEGORIES
        or (edition is not None and registration.edition_id != edition.id)
    ):
        raise NotFound(_("There is no such VIP or delegation badge."))
    return badges.reissue_badge(registration, actor=actor)
