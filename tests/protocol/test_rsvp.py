"""The VIP's reply: accepting gives the VIP and the delegation registrations whose badges come
in one mail and open the gate; declining (or withdrawing) cancels them; accepting again gives
new badges; the delegation can change; refusals name their field; protocol staff re-print.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry, entries_for_object
from telecom.core.db import commit
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.core.outbox import OutboxMessage
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    ScanResult,
)
from telecom.participants.services import badges
from telecom.protocol.models import (
    DelegationMember,
    InvitationStatus,
    MeetingRoom,
    MeetingSlot,
    ProtocolCategory,
    VipInvitation,
)
from telecom.protocol.services import ProtocolError, rsvp
from telecom.protocol.services.rsvp import MemberData
from tests.concurrency import run_at_once
from tests.helpers import MailSink, make_edition, make_organizer, make_user
from tests.participants.badge_support import make_registration
from tests.protocol.support_rsvp import (
    ADVISER,
    AIDE,
    FOCAL_POINT_EMAIL,
    MINISTER_EMAIL,
    SPOKESPERSON,
    attachments_of,
    code_is_current,
    make_invitation,
    member_registrations,
    opens_the_gate,
    protocol_officer,
    registration,
    reload,
    running_edition,
    scan_at_gate,
    text_of,
    travel,
)

S = InvitationStatus


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- Accepting --------------------------------------------------------------------------------


def test_acceptance_registers_the_vip_and_the_delegation_and_mails_every_badge(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    rsvp.accept(
        invitation, travel(edition), [ADVISER, AIDE], vip_email=MINISTER_EMAIL, passport=None
    )

    invitation = reload(invitation)
    assert invitation.status == S.ACCEPTED and invitation.responded_at is not None
    assert invitation.arrival_on == edition.start_date - timedelta(days=1)
    assert (invitation.arrival_flight, invitation.departure_flight) == ("SN 2283", "SN 2284")
    assert invitation.dietary_needs == "Halal"
    vip = registration(invitation.registration_id)
    assert vip.category == RegistrationCategory.VIP
    assert vip.protocol_category == "MIN"
    assert vip.status == RegistrationStatus.CONFIRMED
    assert (vip.valid_from, vip.valid_until) == (edition.start_date, edition.end_date)
    person = db.session.get(Person, vip.person_id)
    assert (person.email, person.full_name, person.country) == (
        MINISTER_EMAIL,
        "Amina Diallo",
        "SN",
    )
    assert invitation.person_id == person.id
    delegation = member_registrations(invitation)
    assert set(delegation) == {ADVISER.email, AIDE.email}
    for email, member_registration in delegation.items():
        assert member_registration.category == RegistrationCategory.DELEGATION
        assert member_registration.status == RegistrationStatus.CONFIRMED
        assert member_registration.person.email == email
    assert delegation[ADVISER.email].person.full_name == "Moussa Sarr"

    # One message to the invitation address, with one PDF badge per person.
    [message] = mail.wait_for(1)
    assert message["To"] == MINISTER_EMAIL
    assert message["Subject"] == "ITU TELECOM World Now: your participation is confirmed"
    body = text_of(message)
    assert "Dear H.E. Ms Amina Diallo," in body
    assert "Thank you for accepting the invitation to ITU TELECOM World Now" in body
    assert "- Moussa Sarr, Senior Adviser" in body and "- Fatou Ba, Aide-de-camp" in body
    attached = attachments_of(message)
    everyone = [vip, delegation[ADVISER.email], delegation[AIDE.email]]
    assert sorted(name for name, _type, _data in attached) == sorted(
        badges.badge_filename(r) for r in everyone
    )
    for _name, content_type, data in attached:
        assert content_type == "application/pdf" and data.startswith(b"%PDF")

    # Each badge opens the gate.
    for each in everyone:
        assert scan_at_gate(edition, badges.badge_code(each)) == ScanResult.WELCOME


def test_a_vip_without_a_delegation_gets_one_badge(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition, category=ProtocolCategory.VVIP)

    rsvp.accept(invitation, travel(edition), [], vip_email=MINISTER_EMAIL, passport=None)

    vip = registration(reload(invitation).registration_id)
    assert vip.protocol_category == "VVIP"
    [message] = mail.wait_for(1)
    [(_name, content_type, _data)] = attachments_of(message)
    assert content_type == "application/pdf"
    assert "Delegation: none" in text_of(message)


def test_a_focal_point_answers_with_the_vips_own_address(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition, email=FOCAL_POINT_EMAIL, focal_point_name="Awa Ndiaye")

    with pytest.raises(ProtocolError) as refused:
        rsvp.accept(
            invitation,
            travel(edition),
            [ADVISER],
            vip_email=" Protocol.Office@MICT.example.gov ",
            passport=None,
        )
    assert refused.value.field == "vip_email"
    assert "focal point, Awa Ndiaye" in refused.value.message
    assert reload(invitation).status == S.INVITED
    assert _count(Registration) == 0 and _count(Person) == 0

    rsvp.accept(invitation, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=None)

    invitation = reload(invitation)
    assert registration(invitation.registration_id).person.email == MINISTER_EMAIL
    # The badges go to the focal point, who asked for them.
    [message] = mail.wait_for(1)
    assert message["To"] == FOCAL_POINT_EMAIL
    body = text_of(message)
    assert "Dear Awa Ndiaye," in body
    assert "on behalf of H.E. Ms Amina Diallo" in body
    assert len(attachments_of(message)) == 2


def test_blank_member_rows_are_ignored(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    rsvp.accept(
        invitation,
        travel(edition),
        [MemberData("", "", ""), ADVISER, MemberData(" ", "", "")],
        vip_email=MINISTER_EMAIL,
        passport=None,
    )

    assert set(member_registrations(reload(invitation))) == {ADVISER.email}


def test_a_reply_from_protocol_staff_is_theirs_in_the_audit_log(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    pia = protocol_officer()

    rsvp.accept(
        invitation, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=None, actor=pia
    )

    [entry] = [
        e for e in entries_for_object("vip_invitations", invitation.id) if e.action == "accept"
    ]
    assert entry.actor_id == pia.id
    assert entry.before["status"] == "invited" and entry.after["status"] == "accepted"


def test_someone_else_logged_in_cannot_reply_for_the_vip(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    visitor = make_user("visitor@example.org")

    with pytest.raises(Forbidden):
        rsvp.accept(
            invitation, travel(edition), [], vip_email=MINISTER_EMAIL, passport=None, actor=visitor
        )
    with pytest.raises(Forbidden):
        rsvp.decline(invitation, actor=visitor)

    assert reload(invitation).status == S.INVITED


# --- Refusals name their field ----------------------------------------------------------------


def _many(count: int) -> list[MemberData]:
    return [
        MemberData(f"Member {i}", "Adviser", f"member{i}@mict.example.gov") for i in range(count)
    ]


REFUSALS = {
    "departure before arrival": (
        lambda e: {
            "details": travel(
                e, arrival_on=e.start_date + timedelta(days=1), departure_on=e.start_date
            )
        },
        "departure_on",
        "cannot be before the arrival",
    ),
    "arrival months early": (
        lambda e: {"details": travel(e, arrival_on=e.start_date - timedelta(days=60))},
        "arrival_on",
        "The arrival must be between",
    ),
    "arrival after the event": (
        lambda e: {
            "details": travel(
                e,
                arrival_on=e.end_date + timedelta(days=1),
                departure_on=e.end_date + timedelta(days=2),
            )
        },
        "arrival_on",
        "The arrival must be between",
    ),
    "departure months later": (
        lambda e: {"details": travel(e, departure_on=e.end_date + timedelta(days=40))},
        "departure_on",
        "The departure must be between",
    ),
    "a flight number as long as a letter": (
        lambda e: {"details": travel(e, arrival_flight="SN " * 30)},
        "arrival_flight",
        "at most 60 characters",
    ),
    "no VIP address": (lambda e: {"vip_email": "  "}, "vip_email", "Enter an e-mail address"),
    "a VIP address without a domain": (
        lambda e: {"vip_email": "amina@localhost"},
        "vip_email",
        "valid e-mail address",
    ),
    "a member without a name": (
        lambda e: {"members": [ADVISER, MemberData("", "Aide", "aide@mict.example.gov")]},
        "members-1-full_name",
        "Enter the member's name",
    ),
    "a member with a broken address": (
        lambda e: {"members": [MemberData("Moussa Sarr", "Adviser", "moussa.sarr")]},
        "members-0-email",
        "valid e-mail address",
    ),
    "two members with one address": (
        lambda e: {"members": [ADVISER, MemberData("M. Sarr", "", "MOUSSA.SARR@mict.example.gov")]},
        "members-1-email",
        "Two members have this address",
    ),
    "a member with the VIP's address": (
        lambda e: {"members": [MemberData("Amina D.", "", MINISTER_EMAIL)]},
        "members-0-email",
        "the VIP's address",
    ),
    "the error row counts blank rows too": (
        lambda e: {"members": [MemberData("", "", ""), MemberData("Fatou Ba", "", "fatou@")]},
        "members-1-email",
        "valid e-mail address",
    ),
    "twenty-one members": (
        lambda e: {"members": _many(21)},
        "members",
        "at most 20 members",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_wrong_reply_is_refused_beside_its_field_and_changes_nothing(
    app: Flask, mail: MailSink, case: str
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    make_values, field, message = REFUSALS[case]
    values = {
        "members": [ADVISER],
        "vip_email": MINISTER_EMAIL,
        "details": travel(edition),
        **make_values(edition),
    }

    with pytest.raises(ProtocolError) as refused:
        rsvp.accept(
            invitation,
            values["details"],
            values["members"],
            vip_email=values["vip_email"],
            passport=None,
        )

    assert refused.value.field == field
    assert message in refused.value.message
    assert reload(invitation).status == S.INVITED
    assert _count(Registration) == 0 and _count(DelegationMember) == 0
    assert _count(OutboxMessage) == 0


def test_twenty_members_are_accepted(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    rsvp.accept(invitation, travel(edition), _many(20), vip_email=MINISTER_EMAIL, passport=None)

    assert len(member_registrations(reload(invitation))) == 20
    [message] = mail.wait_for(1)
    assert len(attachments_of(message)) == 21


def test_travel_dates_are_optional(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    rsvp.accept(
        invitation,
        travel(edition, arrival_on=None, departure_on=None),
        [],
        vip_email=MINISTER_EMAIL,
        passport=None,
    )

    invitation = reload(invitation)
    assert invitation.status == S.ACCEPTED and invitation.arrival_on is None


def test_one_person_is_in_one_delegation_and_is_the_vip_of_one_invitation(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    minister = make_invitation(edition)
    deputy = make_invitation(edition, full_name="Ousmane Kane", email="o.kane@mict.example.gov")
    rsvp.accept(minister, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=None)

    with pytest.raises(ProtocolError) as refused:
        rsvp.accept(
            deputy,
            travel(edition),
            [AIDE, ADVISER],
            vip_email="o.kane@mict.example.gov",
            passport=None,
        )
    assert refused.value.field == "members-1-email"
    assert "another delegation" in refused.value.message
    with pytest.raises(ProtocolError) as refused:
        rsvp.accept(deputy, travel(edition), [AIDE], vip_email=MINISTER_EMAIL, passport=None)
    assert refused.value.field == "vip_email"

    assert reload(deputy).status == S.INVITED
    # The minister's delegation is untouched.
    assert (
        registration(member_registrations(reload(minister))[ADVISER.email].id).status
        == RegistrationStatus.CONFIRMED
    )


# --- Which invitations may be answered ----------------------------------------------------------


def test_drafts_and_revoked_invitations_cannot_be_answered(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    draft = make_invitation(edition, status=S.DRAFT)
    revoked = make_invitation(
        edition, full_name="Ousmane Kane", email="o.kane@example.gov", status=S.REVOKED
    )

    with pytest.raises(Conflict, match="not been sent"):
        rsvp.accept(draft, travel(edition), [], vip_email=MINISTER_EMAIL, passport=None)
    with pytest.raises(Conflict, match=r"withdrawn.*protocol@telecom-world\.example"):
        rsvp.accept(revoked, travel(edition), [], vip_email="o.kane@example.gov", passport=None)
    with pytest.raises(Conflict, match="withdrawn"):
        rsvp.decline(revoked)
    with pytest.raises(Conflict, match="not been sent"):
        rsvp.decline(draft)

    assert _count(Registration) == 0 and _count(OutboxMessage) == 0


# --- Declining ----------------------------------------------------------------------------------


def test_declining_an_invitation_registers_nobody(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    rsvp.decline(invitation, note="The minister is abroad that week.")

    invitation = reload(invitation)
    assert invitation.status == S.DECLINED and invitation.responded_at is not None
    assert _count(Registration) == 0
    [entry] = [
        e for e in entries_for_object("vip_invitations", invitation.id) if e.action == "decline"
    ]
    assert entry.after["note"] == "The minister is abroad that week."
    [message] = mail.wait_for(1)
    assert message["To"] == MINISTER_EMAIL
    assert message["Subject"] == "ITU TELECOM World Now: we have received your reply"
    body = text_of(message)
    assert "the invitation to ITU TELECOM World Now is declined" in body
    assert "badges" not in body
    assert attachments_of(message) == []
    with pytest.raises(Conflict, match="already been declined"):
        rsvp.decline(invitation)


def test_declining_after_accepting_cancels_every_badge_and_frees_the_meeting_rooms(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(
        invitation, travel(edition), [ADVISER, AIDE], vip_email=MINISTER_EMAIL, passport=None
    )
    invitation = reload(invitation)
    codes = {
        r.id: badges.badge_code(r)
        for r in [
            registration(invitation.registration_id),
            *member_registrations(invitation).values(),
        ]
    }
    room = MeetingRoom(edition_id=edition.id, name="Bilateral Room A", capacity=10)
    db.session.add(room)
    db.session.flush()
    starts = edition.day_starts_at(edition.start_date) + timedelta(hours=9)
    slot = MeetingSlot(
        room_id=room.id,
        edition_id=edition.id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        day=edition.start_date,
        invitation_id=invitation.id,
        counterpart="Minister of ICT of Hungary",
    )
    db.session.add(slot)
    commit()

    rsvp.decline(invitation)

    invitation = reload(invitation)
    assert invitation.status == S.DECLINED
    for registration_id, code in codes.items():
        assert registration(registration_id).status == RegistrationStatus.CANCELLED
        assert scan_at_gate(edition, code) == ScanResult.CANCELLED
    # The delegation is remembered for a later acceptance, without badges.
    assert {m.email for m in invitation.members if m.removed_at is None} == {
        ADVISER.email,
        AIDE.email,
    }
    slot = db.session.get(MeetingSlot, slot.id)
    assert slot.invitation_id is None and slot.counterpart == ""
    message = mail.wait_for(2)[-1]
    assert "The badges issued for the delegation no longer work" in text_of(message)


def test_accepting_again_after_declining_gives_new_badges(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(invitation, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=None)
    invitation = reload(invitation)
    vip_id = invitation.registration_id
    adviser_id = member_registrations(invitation)[ADVISER.email].id
    old_codes = {
        vip_id: badges.badge_code(registration(vip_id)),
        adviser_id: badges.badge_code(registration(adviser_id)),
    }
    rsvp.decline(invitation)

    rsvp.accept(invitation, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=None)

    invitation = reload(invitation)
    assert invitation.status == S.ACCEPTED
    # The same registrations come back, confirmed, with a new badge version.
    assert invitation.registration_id == vip_id
    assert member_registrations(invitation)[ADVISER.email].id == adviser_id
    for registration_id, old_code in old_codes.items():
        again = registration(registration_id)
        assert again.status == RegistrationStatus.CONFIRMED and again.badge_version == 2
        assert not code_is_current(old_code, registration_id)
        assert scan_at_gate(edition, old_code) == ScanResult.UNKNOWN
        assert scan_at_gate(edition, badges.badge_code(again)) == ScanResult.WELCOME
    message = mail.wait_for(3)[-1]
    assert sorted(name for name, _t, _d in attachments_of(message)) == sorted(
        badges.badge_filename(registration(i)) for i in old_codes
    )


def test_after_the_edition_a_declined_invitation_can_no_longer_be_accepted(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.decline(invitation)
    edition.start_date -= timedelta(days=10)
    edition.end_date = edition.start_date + timedelta(days=3)
    commit()

    with pytest.raises(Conflict, match="is over"):
        rsvp.accept(invitation, travel(edition), [], vip_email=MINISTER_EMAIL, passport=None)

    assert reload(invitation).status == S.DECLINED
    assert _count(Registration) == 0


# --- Changing an accepted reply -----------------------------------------------------------------


def test_a_new_acceptance_updates_the_reply_and_the_delegation(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(
        invitation, travel(edition), [ADVISER, AIDE], vip_email=MINISTER_EMAIL, passport=None
    )
    invitation = reload(invitation)
    before = member_registrations(invitation)
    adviser_code = badges.badge_code(before[ADVISER.email])
    aide_code = badges.badge_code(before[AIDE.email])

    rsvp.accept(
        invitation,
        travel(edition, arrival_flight="TK 1035"),
        [MemberData("Moussa Sarr", "Chief of Staff", ADVISER.email), SPOKESPERSON],
        vip_email=MINISTER_EMAIL,
        passport=None,
    )

    invitation = reload(invitation)
    assert invitation.status == S.ACCEPTED and invitation.arrival_flight == "TK 1035"
    after = member_registrations(invitation)
    assert set(after) == {ADVISER.email, SPOKESPERSON.email}
    # The adviser keeps the same badge; the aide's badge is cancelled.
    assert after[ADVISER.email].id == before[ADVISER.email].id
    assert opens_the_gate(edition, adviser_code)
    assert scan_at_gate(edition, aide_code) == ScanResult.CANCELLED
    [aide] = [m for m in invitation.members if m.email == AIDE.email]
    assert aide.removed_at is not None
    [adviser] = [m for m in invitation.members if m.email == ADVISER.email]
    assert adviser.function == "Chief of Staff"
    assert next(e.action for e in entries_for_object("vip_invitations", invitation.id)) == (
        "update_rsvp"
    )
    message = mail.wait_for(2)[-1]
    assert message["Subject"] == "ITU TELECOM World Now: your reply has been updated"
    assert len(attachments_of(message)) == 3


def test_a_corrected_vip_address_moves_the_vip_badge(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(
        invitation, travel(edition), [], vip_email="amina.d@mict.example.gov", passport=None
    )
    first = reload(invitation).registration_id

    rsvp.accept(invitation, travel(edition), [], vip_email=MINISTER_EMAIL, passport=None)

    invitation = reload(invitation)
    assert registration(first).status == RegistrationStatus.CANCELLED
    assert registration(invitation.registration_id).person.email == MINISTER_EMAIL
    assert registration(invitation.registration_id).status == RegistrationStatus.CONFIRMED


def test_members_added_get_badges_and_members_removed_lose_them(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(
        invitation, travel(edition), [ADVISER, AIDE], vip_email=MINISTER_EMAIL, passport=None
    )
    aide_id = member_registrations(reload(invitation))[AIDE.email].id

    current = rsvp.update_members(invitation, [ADVISER, SPOKESPERSON])

    assert {m.email for m in current} == {ADVISER.email, SPOKESPERSON.email}
    invitation = reload(invitation)
    assert registration(aide_id).status == RegistrationStatus.CANCELLED
    spokesperson = member_registrations(invitation)[SPOKESPERSON.email]
    assert spokesperson.category == RegistrationCategory.DELEGATION
    assert opens_the_gate(edition, badges.badge_code(spokesperson))
    message = mail.wait_for(2)[-1]
    assert message["To"] == MINISTER_EMAIL
    assert message["Subject"] == "ITU TELECOM World Now: your delegation has been updated"
    body = text_of(message)
    assert "- Ibrahima Fall, Spokesperson" in body
    assert "No longer in the delegation" in body and "- Fatou Ba" in body
    # Only the new member's badge is attached.
    [(filename, content_type, data)] = attachments_of(message)
    assert filename == badges.badge_filename(spokesperson)
    assert content_type == "application/pdf" and data.startswith(b"%PDF")
    actions = {e.action for e in db.session.scalars(select(AuditEntry))}
    assert {"add_delegation_member", "remove_delegation_member"} <= actions

    # The same list again changes nothing and mails nothing.
    rsvp.update_members(invitation, [SPOKESPERSON, ADVISER])
    assert len(mail.wait_for(2)) == 2


def test_the_delegation_changes_only_once_accepted(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    with pytest.raises(Conflict, match="once the invitation is accepted"):
        rsvp.update_members(invitation, [ADVISER])

    assert _count(DelegationMember) == 0


def test_a_member_removed_and_added_again_gets_a_working_badge(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(invitation, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=None)
    rsvp.update_members(invitation, [])
    rsvp.update_members(invitation, [ADVISER])

    adviser = member_registrations(reload(invitation))[ADVISER.email]
    assert adviser.status == RegistrationStatus.CONFIRMED and adviser.badge_version == 2
    assert opens_the_gate(edition, badges.badge_code(adviser))


# --- Withdrawing (used by revoke) ---------------------------------------------------------------


def test_withdraw_all_cancels_the_vips_and_the_delegations_registrations(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(
        invitation, travel(edition), [ADVISER, AIDE], vip_email=MINISTER_EMAIL, passport=None
    )
    invitation = reload(invitation)
    ids = {invitation.registration_id, *(r.id for r in member_registrations(invitation).values())}

    cancelled = rsvp.withdraw_all(invitation, actor=None)
    commit()

    assert {r.id for r in cancelled} == ids
    for registration_id in ids:
        assert registration(registration_id).status == RegistrationStatus.CANCELLED
    # Twice is harmless.
    assert rsvp.withdraw_all(reload(invitation), actor=None) == []


# --- Re-printing a badge at the protocol desk ---------------------------------------------------


def test_protocol_staff_reprint_a_vip_badge_and_the_old_one_stops_working(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(invitation, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=None)
    invitation = reload(invitation)
    vip_id = invitation.registration_id
    old_code = badges.badge_code(registration(vip_id))
    pia = protocol_officer()

    reprinted = rsvp.reprint_vip_badge(vip_id, actor=pia, edition=edition)

    assert reprinted.id == vip_id and reprinted.badge_version == 2
    assert not code_is_current(old_code, vip_id)
    assert scan_at_gate(edition, old_code) == ScanResult.UNKNOWN
    new_code = badges.badge_code(registration(vip_id))
    assert code_is_current(new_code, vip_id)
    assert scan_at_gate(edition, new_code) == ScanResult.WELCOME
    [entry] = [
        e for e in entries_for_object("registrations", vip_id) if e.action == "reissue_badge"
    ]
    assert entry.actor_id == pia.id

    # A delegation member's badge too, and organizers may as well.
    adviser_id = member_registrations(invitation)[ADVISER.email].id
    assert rsvp.reprint_vip_badge(adviser_id, actor=make_organizer()).badge_version == 2


def test_reprinting_is_for_vip_and_delegation_badges_of_protocol_staff_only(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(invitation, travel(edition), [], vip_email=MINISTER_EMAIL, passport=None)
    vip_id = reload(invitation).registration_id
    visitor = make_registration(edition, "vera@example.org")
    other_edition = make_edition("telecom-world-other")
    pia = protocol_officer()

    with pytest.raises(NotFound):
        rsvp.reprint_vip_badge(visitor.id, actor=pia)
    with pytest.raises(NotFound):
        rsvp.reprint_vip_badge(vip_id, actor=pia, edition=other_edition)
    with pytest.raises(NotFound):
        rsvp.reprint_vip_badge(987654, actor=pia)
    with pytest.raises(Forbidden):
        rsvp.reprint_vip_badge(vip_id, actor=make_user("someone@example.org"))
    with pytest.raises(Forbidden):
        rsvp.reprint_vip_badge(vip_id, actor=None)

    assert registration(vip_id).badge_version == 1
    assert registration(visitor.id).badge_version == 1


def test_a_cancelled_vip_badge_is_not_reprinted(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(invitation, travel(edition), [], vip_email=MINISTER_EMAIL, passport=None)
    vip_id = reload(invitation).registration_id
    rsvp.decline(invitation)

    with pytest.raises(NotFound, match="cancelled"):
        rsvp.reprint_vip_badge(vip_id, actor=protocol_officer())


# --- At the same moment (PostgreSQL) ------------------------------------------------------------


def test_a_reply_sent_twice_at_once_makes_one_delegation(  # type: ignore[no-untyped-def]
    app: Flask, mail: MailSink, racing_app: Flask
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    invitation_id, edition_id = invitation.id, edition.id

    def reply():
        racer = db.session.get(VipInvitation, invitation_id)
        racer_edition = db.session.get(Edition, edition_id)
        return rsvp.accept(
            racer, travel(racer_edition), [ADVISER, AIDE], vip_email=MINISTER_EMAIL, passport=None
        )

    results, errors = run_at_once(racing_app, [reply, reply, reply])

    assert errors == [] and len(results) == 3
    db.session.expire_all()
    invitation = reload(invitation)
    assert invitation.status == S.ACCEPTED
    assert len(invitation.members) == 2
    assert _count(Registration) == 3
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.status == RegistrationStatus.CONFIRMED)
        )
        == 3
    )


def test_a_reply_crossing_a_decline_leaves_one_consistent_answer(  # type: ignore[no-untyped-def]
    app: Flask, mail: MailSink, racing_app: Flask
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    rsvp.accept(invitation, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=None)
    invitation_id, edition_id = invitation.id, edition.id

    def accept_again():
        racer = db.session.get(VipInvitation, invitation_id)
        racer_edition = db.session.get(Edition, edition_id)
        return rsvp.accept(
            racer, travel(racer_edition), [ADVISER, AIDE], vip_email=MINISTER_EMAIL, passport=None
        )

    def decline():
        return rsvp.decline(db.session.get(VipInvitation, invitation_id))

    results, errors = run_at_once(racing_app, [accept_again, decline])

    assert errors == [] and len(results) == 2
    invitation = reload(invitation)
    statuses = {
        r.status
        for r in db.session.scalars(select(Registration))
        if r.id == invitation.registration_id
        or r.id in {m.registration_id for m in invitation.members if m.removed_at is None}
    }
    # Whichever came last decided: all badges work (accepted) or none does (declined).
    if invitation.status == S.ACCEPTED:
        assert statuses == {RegistrationStatus.CONFIRMED}
    else:
        assert invitation.status == S.DECLINED
        assert statuses == {RegistrationStatus.CANCELLED}
