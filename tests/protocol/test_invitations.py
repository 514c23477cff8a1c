"""Protocol staff's invitations: creating and correcting them, sending, resending, reminding
and revoking (with every forbidden transition), the mail each step sends, and who may act.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from flask import Flask

from telecom.auth.models import User
from telecom.core.audit import entries_for_object
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import Registration, RegistrationStatus
from telecom.protocol.models import InvitationStatus, MeetingSlot, ProtocolCategory, VipInvitation
from telecom.protocol.services import ProtocolError, invitations, meetings
from telecom.protocol.services.invitations import InvitationData
from telecom.protocol.services.tokens import invitation_from_token
from tests.concurrency import run_at_once
from tests.helpers import MailSink, make_user
from tests.protocol.support_invitations import (
    CONTACT,
    FOCAL_POINT_EMAIL,
    MINISTER_EMAIL,
    accepted,
    audit_actions,
    audit_count,
    in_status,
    invitation_count,
    invite,
    minister,
    officer,
    organizer,
    reload,
    rsvp_link_in,
    text_of,
    through_focal_point,
    token_of,
    upcoming_edition,
)

S = InvitationStatus
ACTIONS = ("send", "resend", "remind", "revoke")
REASON = "The minister has left office."

# What each staff action does from each status; every pair not listed is refused.
ALLOWED = {
    (S.DRAFT, "send"): S.INVITED,
    (S.INVITED, "resend"): S.INVITED,
    (S.ACCEPTED, "resend"): S.ACCEPTED,
    (S.DECLINED, "resend"): S.DECLINED,
    (S.INVITED, "remind"): S.INVITED,
    (S.DRAFT, "revoke"): S.REVOKED,
    (S.INVITED, "revoke"): S.REVOKED,
    (S.ACCEPTED, "revoke"): S.REVOKED,
    (S.DECLINED, "revoke"): S.REVOKED,
}


def act(action: str, invitation, actor: User):  # type: ignore[no-untyped-def]
    if action == "send":
        return invitations.send_invitation(invitation, actor=actor)
    if action == "resend":
        return invitations.resend(invitation, actor=actor)
    if action == "remind":
        return invitations.remind(invitation, actor=actor)
    return invitations.revoke(invitation, REASON, actor=actor)


# --- Creating and editing ----------------------------------------------------------------


def test_a_new_invitation_is_a_draft_with_tidy_values_and_an_audit_entry(app: Flask) -> None:
    edition = upcoming_edition()
    pia = officer()

    invitation = invitations.create_invitation(
        edition,
        InvitationData(
            full_name="  Amina   Diallo ", title="Minister of Digital Economy",
            form_of_address="H.E. Ms", category=ProtocolCategory.MIN, country="Senegal",
            email=" Amina.Diallo@MICT.example.gov ", took_office_on=date(2019, 4, 7),
        ),
        actor=pia,
    )  # fmt: skip

    invitation = reload(invitation)
    assert invitation.status == S.DRAFT
    assert invitation.full_name == "Amina Diallo"
    assert invitation.country == "SN"  # an English name becomes the ISO code
    assert invitation.email == MINISTER_EMAIL
    assert invitation.created_by_id == pia.id
    assert invitation.sent_at is None
    [entry] = entries_for_object("vip_invitations", invitation.id)
    assert (entry.action, entry.actor_id) == ("create", pia.id)
    assert entry.after["category"] == "MIN"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"full_name": "  "}, "full_name", "name"),
        ({"full_name": "x" * 201}, "full_name", "at most 200"),
        ({"category": None}, "category", "protocol category"),
        ({"category": "HOD"}, "category", "protocol category"),
        ({"country": "Narnia"}, "country", "not a country"),
        ({"country": "", "organisation": ""}, "country", "organisation"),
        ({"email": ""}, "email", "e-mail"),
        ({"email": "amina@"}, "email", "valid e-mail"),
        ({"email": "amina at mict.example.gov"}, "email", "valid e-mail"),
        ({"took_office_on": date.today() + timedelta(days=3)}, "took_office_on", "past"),
        ({"took_office_on": "2019-04-07"}, "took_office_on", "YYYY-MM-DD"),
        ({"form_of_address": "H.E. " * 20}, "form_of_address", "at most 60"),
    ],
)
def test_a_wrong_value_is_refused_beside_its_field_and_nothing_is_saved(
    app: Flask, changes: dict, field: str, words: str
) -> None:
    edition = upcoming_edition()
    with pytest.raises(ProtocolError) as refused:
        invitations.create_invitation(edition, minister(**changes), actor=officer())
    assert refused.value.field == field
    assert words in refused.value.message
    assert invitation_count(edition) == 0


def test_a_vip_without_country_needs_an_organisation(app: Flask) -> None:
    edition = upcoming_edition()
    invitation = invitations.create_invitation(
        edition,
        minister(full_name="Houlin Zhao", category=ProtocolCategory.UN, country="",
                 organisation="International Telecommunication Union", email="sg@itu.example"),
        actor=officer(),
    )  # fmt: skip
    assert (invitation.country, invitation.organisation) == (
        None, "International Telecommunication Union",
    )  # fmt: skip


def test_the_same_person_is_not_invited_twice_but_a_focal_point_may_serve_several(
    app: Flask,
) -> None:
    edition = upcoming_edition()
    pia = officer()
    first = invitations.create_invitation(edition, through_focal_point(), actor=pia)

    with pytest.raises(ProtocolError) as refused:
        invitations.create_invitation(
            edition, through_focal_point(full_name="AMINA DIALLO"), actor=pia
        )
    assert refused.value.field == "full_name"
    assert "already invited" in refused.value.message
    # The same focal point, for the deputy minister: another person.
    deputy = invitations.create_invitation(
        edition,
        through_focal_point(full_name="Moussa Ndiaye", category=ProtocolCategory.DMIN),
        actor=pia,
    )
    assert deputy.email == first.email == FOCAL_POINT_EMAIL
    # Once revoked, the person may be invited again; another edition is another list.
    invitations.revoke(first, "Sent too early.", actor=pia)
    again = invitations.create_invitation(edition, through_focal_point(), actor=pia)
    assert again.id != first.id
    other = upcoming_edition("telecom-world-later")
    invitations.create_invitation(other, through_focal_point(), actor=pia)


def test_correcting_an_invitation_is_audited_with_before_and_after(app: Flask) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia)

    invitations.update_invitation(
        invitation, minister(title="Minister of Communication", took_office_on=None), actor=pia
    )

    invitation = reload(invitation)
    assert invitation.title == "Minister of Communication"
    assert invitation.took_office_on is None
    assert invitation.status == S.INVITED  # a correction changes no status
    entry = entries_for_object("vip_invitations", invitation.id)[0]
    assert entry.action == "update"
    assert entry.before["title"] == "Minister of Digital Economy"
    assert entry.after["title"] == "Minister of Communication"
    assert (entry.before["took_office_on"], entry.after["took_office_on"]) == ("2019-04-07", None)

    # Saving the same values again writes no second entry.
    invitations.update_invitation(
        invitation, minister(title="Minister of Communication", took_office_on=None), actor=pia
    )
    assert audit_actions(invitation).count("update") == 1


def test_a_wrong_correction_is_refused_and_changes_nothing(app: Flask) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia)
    with pytest.raises(ProtocolError) as refused:
        invitations.update_invitation(invitation, minister(email="nobody"), actor=pia)
    assert refused.value.field == "email"
    assert reload(invitation).email == MINISTER_EMAIL


def test_a_revoked_invitation_cannot_be_corrected(app: Flask) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = in_status(S.REVOKED, edition, pia)
    with pytest.raises(Conflict) as refused:
        invitations.update_invitation(invitation, minister(title="Changed"), actor=pia)
    assert "the invitation is “Revoked”" in refused.value.message
    assert reload(invitation).title == "Minister of Digital Economy"


def test_a_category_corrected_after_acceptance_follows_onto_the_vip_registration(
    app: Flask, mail: MailSink
) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = accepted(edition, pia)
    registration = db.session.get(Registration, invitation.registration_id)
    assert registration is not None and registration.protocol_category == "MIN"

    invitations.update_invitation(invitation, minister(category=ProtocolCategory.VVIP), actor=pia)

    db.session.expire_all()
    registration = db.session.get(Registration, invitation.registration_id)
    assert registration is not None and registration.protocol_category == "VVIP"


def test_staff_get_invitations_of_the_edition_they_ask_for_only(app: Flask) -> None:
    edition = upcoming_edition()
    other = upcoming_edition("telecom-world-later")
    pia = officer()
    invitation = invitations.create_invitation(edition, minister(), actor=pia)

    assert invitations.get_invitation(edition, invitation.id, actor=pia).id == invitation.id
    with pytest.raises(NotFound):
        invitations.get_invitation(other, invitation.id, actor=pia)
    with pytest.raises(NotFound):
        invitations.get_invitation(edition, invitation.id + 1000, actor=pia)


# --- Who may act --------------------------------------------------------------------------


def _everything(edition, invitation, actor):  # type: ignore[no-untyped-def]
    yield lambda: invitations.create_invitation(edition, minister(full_name="X Y"), actor=actor)
    yield lambda: invitations.update_invitation(invitation, minister(title="T"), actor=actor)
    yield lambda: invitations.get_invitation(edition, invitation.id, actor=actor)
    yield lambda: invitations.import_invitations(
        edition, b"name,category,country,email\nX Y,MIN,FR,x@y.example\n", actor=actor
    )
    yield lambda: invitations.send_invitation(invitation, actor=actor)
    yield lambda: invitations.resend(invitation, actor=actor)
    yield lambda: invitations.remind(invitation, actor=actor)
    yield lambda: invitations.revoke(invitation, REASON, actor=actor)


@pytest.mark.parametrize("role", [None, Role.PARTICIPANT, Role.MEDIA_REVIEWER, Role.CHECKIN_STAFF])
def test_only_protocol_staff_and_organizers_handle_invitations(
    app: Flask, mail: MailSink, role: Role | None
) -> None:
    edition = upcoming_edition()
    invitation = invitations.create_invitation(edition, minister(), actor=officer())
    outsider = make_user("outsider@example.org", roles={role} if role else set())
    audit_before = audit_count()

    attempts = [
        *_everything(edition, invitation, outsider),
        *_everything(edition, invitation, None),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()

    assert reload(invitation).status == S.DRAFT
    assert invitation_count(edition) == 1
    assert audit_count() == audit_before
    assert mail.messages == []


def test_an_organizer_may_do_everything_protocol_staff_do(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    olga = organizer()
    invitation = invitations.create_invitation(edition, minister(), actor=olga)
    invitations.update_invitation(invitation, minister(title="Minister"), actor=olga)
    invitations.send_invitation(invitation, actor=olga)
    invitations.remind(invitation, actor=olga)
    invitations.resend(invitation, actor=olga)
    invitations.revoke(invitation, REASON, actor=olga)
    assert reload(invitation).status == S.REVOKED
    assert audit_actions(invitation) == ["create", "update", "send", "remind", "resend", "revoke"]


# --- The state machine --------------------------------------------------------------------


def test_the_service_table_is_the_documented_state_machine() -> None:
    table = {
        (source, target)
        for source, targets in invitations.ALLOWED_TRANSITIONS.items()
        for target in targets
    }
    changes = {(source, target) for (source, _a), target in ALLOWED.items() if source != target}
    assert table == changes
    assert set(invitations.ALLOWED_TRANSITIONS) == set(S)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", list(S), ids=[s.value for s in S])
def test_every_action_from_every_status(
    app: Flask, mail: MailSink, status: InvitationStatus, action: str
) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = in_status(status, edition, pia)
    assert invitation.status == status
    version_before = invitation.token_version
    audit_before = audit_actions(invitation)
    mails_before = len(mail.wait_for(len(mail.messages)))

    target = ALLOWED.get((status, action))
    if target is None:
        with pytest.raises(Conflict) as refused:
            act(action, invitation, pia)
        assert f"the invitation is “{status.label}”" in refused.value.message
        invitation = reload(invitation)
        assert invitation.status == status
        assert invitation.token_version == version_before
        assert audit_actions(invitation) == audit_before
        assert len(mail.messages) == mails_before
        return

    act(action, invitation, pia)

    invitation = reload(invitation)
    assert invitation.status == target
    assert audit_actions(invitation) == [*audit_before, action]
    entry = entries_for_object("vip_invitations", invitation.id)[0]
    assert (entry.before["status"], entry.after["status"]) == (status.value, target.value)
    # A new link for resend and revoke (old links die), the same one otherwise.
    bumped = action in ("resend", "revoke")
    assert invitation.token_version == version_before + (1 if bumped else 0)
    if action == "revoke" and status == S.DRAFT:
        assert len(mail.messages) == mails_before  # nobody outside knew of a draft
        return
    [message] = mail.wait_for(mails_before + 1)[mails_before:]
    assert message["To"] == MINISTER_EMAIL


# --- Mail -----------------------------------------------------------------------------------


def test_the_invitation_mail_addresses_the_vip_and_carries_the_personal_link(
    app: Flask, mail: MailSink
) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invitations.create_invitation(edition, minister(), actor=pia)

    invitations.send_invitation(invitation, actor=pia)

    [message] = mail.wait_for(1)
    assert message["To"] == MINISTER_EMAIL
    assert message["Subject"] == "Invitation to ITU TELECOM World Next"
    body = text_of(message)
    assert body.startswith("Dear H.E. Ms Amina Diallo,")
    assert "we have the honour to invite you" in body
    assert "Palexpo" in body and "Geneva" in body
    assert "on behalf of H.E." not in body  # she answers herself
    assert CONTACT in body
    opened = invitation_from_token(token_of(rsvp_link_in(message)))
    assert opened.id == invitation.id
    invitation = reload(invitation)
    assert invitation.status == S.INVITED
    assert invitation.sent_at is not None


def test_a_focal_point_is_addressed_by_name_and_replies_on_behalf_of_the_vip(
    app: Flask, mail: MailSink
) -> None:
    edition = upcoming_edition()
    invitation = invite(edition, officer(), through_focal_point())

    [message] = mail.wait_for(1)
    assert message["To"] == FOCAL_POINT_EMAIL
    body = text_of(message)
    assert body.startswith("Dear Mr Ousmane Ndiaye,")
    assert "focal point of H.E. Ms Amina Diallo, Minister of Digital Economy" in body
    assert "to invite H.E. Ms Amina Diallo to attend" in body
    assert "reply on behalf of H.E. Ms Amina Diallo" in body
    assert invitation_from_token(token_of(rsvp_link_in(message))).id == invitation.id


def test_a_resend_says_the_earlier_link_no_longer_works(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia, through_focal_point())

    invitations.resend(invitation, actor=pia)

    message = mail.wait_for(2)[1]
    assert message["To"] == FOCAL_POINT_EMAIL
    body = text_of(message)
    assert body.startswith("Dear Mr Ousmane Ndiaye,")
    assert "replaces the link we sent before, which no longer works" in body
    assert invitation_from_token(token_of(rsvp_link_in(message))).id == invitation.id
    assert reload(invitation).token_version == 2


def test_a_reminder_is_courteous_and_sets_the_reminder_date(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia, through_focal_point())

    invitations.remind(invitation, actor=pia)

    message = mail.wait_for(2)[1]
    assert message["Subject"] == "Reminder: invitation to ITU TELECOM World Next"
    body = text_of(message)
    assert "kindly remind you of the invitation of H.E. Ms Amina Diallo" in body
    assert "reply on behalf of H.E. Ms Amina Diallo" in body
    assert invitation_from_token(token_of(rsvp_link_in(message))).id == invitation.id
    invitation = reload(invitation)
    assert invitation.reminded_at is not None
    assert invitation.token_version == 1


# --- Revocation ----------------------------------------------------------------------------


def test_revoking_an_accepted_invitation_cancels_badges_and_bookings_and_mails_a_notice(
    app: Flask, mail: MailSink
) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = accepted(edition, pia)
    registration_ids = [invitation.registration_id] + [
        member.registration_id for member in invitation.members
    ]
    assert len(registration_ids) == 3 and None not in registration_ids
    room = meetings.create_room(edition, "Bilateral room 1", 8, "Hall 2", actor=pia)
    meetings.generate_slots(room, edition.start_date, time(9, 0), time(12, 0), actor=pia)
    [first_slot, *_] = meetings.slots_for(edition, edition.start_date)
    meetings.book_slot(first_slot.id, invitation, counterpart="Minister of Finland", actor=pia)
    mails_before = len(mail.wait_for(1))

    invitations.revoke(invitation, "Security advice: the visit is cancelled.", actor=pia)

    invitation = reload(invitation)
    assert invitation.status == S.REVOKED
    assert invitation.revoked_at is not None
    for registration_id in registration_ids:
        registration = db.session.get(Registration, registration_id)
        assert registration is not None
        assert registration.status == RegistrationStatus.CANCELLED
    slot = db.session.get(MeetingSlot, first_slot.id)
    assert slot is not None and slot.invitation_id is None and slot.counterpart == ""
    # The reason is kept for protocol staff, and never sent to the VIP.
    entry = entries_for_object("vip_invitations", invitation.id)[0]
    assert (entry.action, entry.after["reason"]) == (
        "revoke", "Security advice: the visit is cancelled.",
    )  # fmt: skip
    [notice] = mail.wait_for(mails_before + 1)[mails_before:]
    assert notice["To"] == MINISTER_EMAIL
    assert notice["Subject"] == "Your invitation to ITU TELECOM World Next"
    body = text_of(notice)
    assert body.startswith("Dear H.E. Ms Amina Diallo,")
    assert "We regret to inform you" in body
    assert "Security advice" not in body
    assert CONTACT in body


def test_revoking_needs_a_reason(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia)
    for reason in ("", "   ", None, "x" * 4001):
        with pytest.raises(ProtocolError) as refused:
            invitations.revoke(invitation, reason, actor=pia)  # type: ignore[arg-type]
        assert refused.value.field == "reason"
    assert reload(invitation).status == S.INVITED
    assert len(mail.wait_for(1)) == 1


# --- Two members of staff at once (PostgreSQL) ------------------------------------------------


def test_two_staff_sending_at_once_send_one_invitation(
    app: Flask, mail: MailSink, racing_app: Flask
) -> None:
    edition = upcoming_edition()
    pia, olga = officer(), organizer()
    invitation = invitations.create_invitation(edition, minister(), actor=pia)
    invitation_id, actor_ids = invitation.id, (pia.id, olga.id)

    def send(user_id: int) -> Callable[[], object]:
        def call() -> object:
            racer_invitation = db.session.get(VipInvitation, invitation_id)
            return invitations.send_invitation(
                racer_invitation, actor=db.session.get(User, user_id)
            )

        return call

    results, errors = run_at_once(racing_app, [send(actor_ids[0]), send(actor_ids[1])])

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and "the invitation is “Invited”" in errors[0].message
    assert audit_actions(reload(invitation)) == ["create", "send"]
    mail.wait_for(1)
    assert len(mail.messages) == 1


def test_the_same_file_imported_twice_at_once_creates_each_invitation_once(
    app: Flask, racing_app: Flask
) -> None:
    edition = upcoming_edition()
    pia, olga = officer(), organizer()
    edition_id, actor_ids = edition.id, (pia.id, olga.id)
    data = b"name,category,country,email\nAmina Diallo,MIN,SN,amina@mict.example.gov\n"

    def run(user_id: int) -> Callable[[], object]:
        def call() -> object:
            racer_edition = db.session.get(Edition, edition_id)
            actor = db.session.get(User, user_id)
            return invitations.import_invitations(racer_edition, data, actor=actor)

        return call

    results, errors = run_at_once(racing_app, [run(actor_ids[0]), run(actor_ids[1])])

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], invitations.ImportRejected)
    assert "already invited" in errors[0].errors[0].message
    assert invitation_count(edition) == 1


def test_a_resend_to_the_vip_herself_speaks_of_her_invitation(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia, minister(title=""))
    invitations.resend(invitation, actor=pia)
    body = text_of(mail.wait_for(2)[1])
    assert body.startswith("Dear H.E. Ms Amina Diallo,")
    assert "new personal link for your invitation to ITU TELECOM World Next" in body


def test_a_focal_point_mail_reads_well_without_a_title(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    invite(edition, officer(), through_focal_point(title=""))
    body = text_of(mail.wait_for(1)[0])
    assert "focal point of H.E. Ms Amina Diallo. On behalf of the organizers" in body
