"""The RSVP pages, as the VIP or the focal point uses them with the personal link.

No account: the signed token in the address is the only key. A link that no
longer works (tampered, expired, replaced by a resend, revoked) gets a clear
page, never a 500; a reply creates the VIP's and the delegation's
registrations with their badges mailed (read from the local SMTP sink); a
refusal keeps what was typed; bilateral meeting slots are booked within the
daily limit; every form needs its CSRF token.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.participants.models import Registration, RegistrationCategory, RegistrationStatus
from telecom.protocol.models import DelegationMember, InvitationStatus, MeetingSlot
from telecom.protocol.services import invitations as invitation_services
from telecom.protocol.services.tokens import rsvp_token
from tests.core import form_values, path_for, rules_under, visible_text
from tests.helpers import csrf_token_from, make_user
from tests.protocol.support_rsvp_views import (
    FOCAL_POINT,
    MINISTER_EMAIL,
    acceptance,
    future_edition,
    make_invitation,
    make_room,
    make_slot,
    members_typed,
    old_token,
    path_of,
    reload,
    reply,
    rsvp_path,
)

PASSPORT_NUMBER = "A01234567"
TWO_MEMBERS = (
    ("Moussa Ndiaye", "Chief of Staff", "moussa.ndiaye@mict.example.gov"),
    ("Fatou Sarr", "Adviser, spectrum policy", "fatou.sarr@mict.example.gov"),
)


@pytest.fixture
def edition(app):  # type: ignore[no-untyped-def]
    return future_edition()


@pytest.fixture
def minister(edition):  # type: ignore[no-untyped-def]
    return make_invitation(edition)


@pytest.fixture
def protocol_officer(app) -> User:
    return make_user("paul.protocol@itu.example", roles={Role.PROTOCOL}, full_name="Paul Protocol")


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def accepted(client, edition, invitation, *members: tuple[str, str, str]):  # type: ignore[no-untyped-def]
    """The minister has accepted (with these members); the response of the reply."""
    response = reply(
        client, rsvp_path(invitation), {**acceptance(edition), **members_typed(*members)}
    )
    assert response.status_code == 302, visible_text(response)
    return response


def assert_private(response) -> None:  # type: ignore[no-untyped-def]
    """The token in the address is never passed on or kept by a cache."""
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "private, no-store"


# --- Opening the link ------------------------------------------------------------------------


def test_the_link_opens_the_invitation_addressed_to_the_vip(client, edition, minister):
    response = client.get(rsvp_path(minister))
    assert response.status_code == 200
    assert_private(response)
    page = visible_text(response)
    assert "H.E. Ms Amina Diallo" in page
    assert "Minister of Digital Economy" in page
    assert "ITU TELECOM World Next" in page
    assert "Senegal" in page
    assert "protocol@telecom-world.example" in page  # whom to ask
    values = form_values(response)
    # Sent to the minister's own address: it is the VIP's address too.
    assert values["vip_email"] == MINISTER_EMAIL
    # Five empty delegation rows and a way to add more, without JavaScript.
    assert [name for name in values if name.endswith("-full_name") and "members" in name] == [
        f"members-{i}-full_name" for i in range(5)
    ]
    assert 'name="more_rows"' in response.text
    # Passport details may be given (keys are configured in testing), and the page says how
    # they are kept.
    assert 'name="passport-number"' in response.text
    assert "stored encrypted" in page and "seen only by the protocol staff" in page


def test_through_a_focal_point_the_vip_address_is_asked_for(client, edition):
    invitation = make_invitation(edition, email=FOCAL_POINT, focal_point_name="Ibrahima Fall")
    response = client.get(rsvp_path(invitation))
    page = visible_text(response)
    assert "Dear Ibrahima Fall, on behalf of H.E. Ms Amina Diallo" in page
    # The focal point's address is never offered as the minister's own.
    assert form_values(response)["vip_email"] == ""


def test_without_encryption_keys_passport_details_are_not_asked_for(app, client, minister):
    app.config["PROTOCOL_ENCRYPTION_KEYS"] = ""
    response = client.get(rsvp_path(minister))
    assert 'name="passport-number"' not in response.text
    assert "Passport details are not collected online" in visible_text(response)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda token: token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"),
                     id="signature-changed"),
        pytest.param(lambda token: token[: len(token) // 2], id="truncated"),
        pytest.param(lambda token: "X" + token[1:], id="payload-changed"),
        pytest.param(lambda token: "not-a-token", id="garbage"),
        pytest.param(lambda token: token + "A" * 500, id="far-too-long"),
    ],
)  # fmt: skip
def test_a_tampered_link_gets_a_clear_page(client, minister, spoil):
    response = client.get(path_of(spoil(rsvp_token(minister))))
    assert response.status_code == 404
    assert_private(response)
    page = visible_text(response)
    assert "This invitation link does not work" in page
    assert "This invitation link is not valid" in page
    assert "H.E. Ms Amina Diallo" not in page
    # Posting to it changes nothing either.
    posted = client.post(path_of(spoil(rsvp_token(minister))), data={"response": "decline"})
    assert posted.status_code in (400, 404)
    assert reload(minister).status == InvitationStatus.INVITED


def test_an_expired_link_says_whom_to_ask(client, minister):
    token = old_token(minister, timedelta(days=61))  # links live 60 days by default
    response = client.get(path_of(token))
    assert response.status_code == 404
    assert_private(response)
    page = visible_text(response)
    assert "expired" in page
    assert "protocol@telecom-world.example" in page
    # A link 59 days old still works.
    assert client.get(path_of(old_token(minister, timedelta(days=59)))).status_code == 200


def test_a_revoked_invitation_link_no_longer_works(client, minister, protocol_officer, mail):
    path = rsvp_path(minister)
    assert client.get(path).status_code == 200
    invitation_services.revoke(minister, "The delegation is led by another minister.",
                               actor=protocol_officer)  # fmt: skip
    response = client.get(path)
    assert response.status_code == 404
    page = visible_text(response)
    assert "withdrawn" in page
    assert "protocol@telecom-world.example" in page


def test_after_a_resend_only_the_new_link_works(client, minister, protocol_officer, mail):
    old_path = rsvp_path(minister)
    invitation_services.resend(minister, actor=protocol_officer)
    response = client.get(old_path)
    assert response.status_code == 404
    assert "replaced by a newer one" in visible_text(response)
    assert client.get(rsvp_path(reload(minister))).status_code == 200


# --- Accepting -----------------------------------------------------------------------------


def test_accepting_with_two_members_registers_everyone_and_mails_the_badges(
    client, edition, minister, mail
):
    response = accepted(client, edition, minister, *TWO_MEMBERS)
    assert response.headers["Location"].endswith("/confirmed")

    invitation = reload(minister)
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.arrival_on == edition.start_date - timedelta(days=1)
    assert invitation.arrival_flight == "SN 2283"
    assert invitation.dietary_needs == "Halal"
    found = registrations()
    by_category = {}
    for registration in found:
        by_category.setdefault(registration.category, []).append(registration)
    vip = by_category[RegistrationCategory.VIP]
    assert [r.person.email for r in vip] == [MINISTER_EMAIL]
    assert vip[0].protocol_category == "MIN"
    assert sorted(r.person.email for r in by_category[RegistrationCategory.DELEGATION]) == sorted(
        member[2] for member in TWO_MEMBERS
    )
    assert all(r.status == RegistrationStatus.CONFIRMED for r in found)

    # The badges leave by mail, to the address the invitation was sent to.
    mail.wait_for(1)
    sent = mail.to(MINISTER_EMAIL)
    assert sent
    attachments = [a for message in sent for a in message.iter_attachments() if a.get_filename()]
    assert len(attachments) >= 3
    assert all(a.get_content_type() == "application/pdf" for a in attachments)

    # The confirmation page lists them, and offers bilateral meetings.
    confirmation = client.get(response.headers["Location"])
    assert confirmation.status_code == 200
    assert_private(confirmation)
    page = visible_text(confirmation)
    assert "the invitation is accepted" in page
    for name, function, _email in TWO_MEMBERS:
        assert name in page and function in page
    assert "Amina Diallo" in page
    assert "Bilateral meetings" in page


def test_an_accepted_reply_can_be_changed_and_members_added_or_removed(client, edition, minister,
                                                                      mail):  # fmt: skip
    accepted(client, edition, minister, *TWO_MEMBERS)
    page = client.get(rsvp_path(reload(minister)))
    values = form_values(page)
    # What was saved is shown again (two members, then empty rows).
    assert values["members-0-full_name"] == "Moussa Ndiaye"
    assert values["members-1-email"] == "fatou.sarr@mict.example.gov"
    assert values["response"] == "accept"
    # Fatou is replaced by Awa.
    values.update({
        "members-1-full_name": "Awa Ba", "members-1-function": "Press officer",
        "members-1-email": "awa.ba@mict.example.gov", "departure_flight": "AF 718",
    })  # fmt: skip
    response = client.post(rsvp_path(reload(minister)), data=values)
    assert response.status_code == 302, visible_text(response)
    invitation = reload(minister)
    assert invitation.departure_flight == "AF 718"
    current = sorted(m.full_name for m in invitation.members if m.removed_at is None)
    assert current == ["Awa Ba", "Moussa Ndiaye"]
    by_email = {r.person.email: r for r in registrations()}
    assert by_email["fatou.sarr@mict.example.gov"].status == RegistrationStatus.CANCELLED
    assert by_email["awa.ba@mict.example.gov"].status == RegistrationStatus.CONFIRMED


def test_member_email_errors_are_shown_beside_the_row_and_keep_everything_typed(
    client, edition, minister, mail
):
    typed = {
        **acceptance(edition, dietary_needs="No pork, no alcohol"),
        # Row 1 left empty; rows 0 and 2 share an address, row 3 has a broken one.
        **members_typed(
            TWO_MEMBERS[0], ("", "", ""), ("Fatou Sarr", "Adviser", TWO_MEMBERS[0][2]),
        ),
    }  # fmt: skip
    response = reply(client, rsvp_path(minister), typed)
    assert response.status_code == 200
    assert_private(response)
    values = form_values(response)
    # Everything typed is still there.
    assert values["members-0-full_name"] == "Moussa Ndiaye"
    assert values["members-2-full_name"] == "Fatou Sarr"
    assert values["members-2-email"] == TWO_MEMBERS[0][2]
    assert values["dietary_needs"] == "No pork, no alcohol"
    assert values["arrival_flight"] == "SN 2283"
    # The message is beside the third row's e-mail, the one that repeats the first.
    assert 'id="members-2-email-errors"' in response.text
    assert 'id="members-0-email-errors"' not in response.text
    assert reload(minister).status == InvitationStatus.INVITED
    assert registrations() == []

    # A malformed address is caught on the form itself, with the same care.
    typed.update({"members-2-email": "fatou.sarr-at-mict"})
    response = reply(client, rsvp_path(minister), typed)
    assert 'id="members-2-email-errors"' in response.text
    assert "Enter a valid e-mail address." in visible_text(response)
    assert form_values(response)["members-2-email"] == "fatou.sarr-at-mict"
    assert registrations() == []


def test_a_member_without_a_name_or_address_is_refused(client, edition, minister):
    typed = {**acceptance(edition), **members_typed(("", "Chief of Staff", "cos@mict.example.gov"),
                                                     ("Awa Ba", "", ""))}  # fmt: skip
    response = reply(client, rsvp_path(minister), typed)
    page = visible_text(response)
    assert "Enter the member's name." in page
    assert "Enter the member's own e-mail address" in page
    assert registrations() == []


def test_the_focal_point_address_is_never_taken_as_the_vip_address(client, edition):
    invitation = make_invitation(edition, email=FOCAL_POINT, focal_point_name="Ibrahima Fall")
    response = reply(client, rsvp_path(invitation), acceptance(edition, vip_email=FOCAL_POINT))
    assert response.status_code == 200
    assert 'id="vip_email-errors"' in response.text
    assert form_values(response)["vip_email"] == FOCAL_POINT
    assert registrations() == []


def test_travel_and_passport_refusals_are_shown_beside_their_fields(client, edition, minister):
    typed = {
        **acceptance(edition),
        "arrival_on": edition.end_date.isoformat(),
        "departure_on": edition.start_date.isoformat(),
    }
    response = reply(client, rsvp_path(minister), typed)
    assert 'id="departure_on-errors"' in response.text
    assert "The departure cannot be before the arrival." in visible_text(response)
    assert form_values(response)["arrival_on"] == edition.end_date.isoformat()

    # A passport that expires during the event is refused beside its expiry date.
    typed = {
        **acceptance(edition),
        "passport-full_name_as_in_passport": "DIALLO AMINA",
        "passport-number": PASSPORT_NUMBER,
        "passport-nationality": "SN",
        "passport-expires_on": edition.start_date.isoformat(),
    }
    response = reply(client, rsvp_path(minister), typed)
    assert 'id="passport-expires_on-errors"' in response.text
    assert "This passport expires before the event ends" in visible_text(response)
    invitation = reload(minister)
    assert invitation.status == InvitationStatus.INVITED
    assert invitation.passport_encrypted is None


def test_accepting_needs_consent(client, edition, minister):
    typed = acceptance(edition)
    typed.pop("consent")
    response = reply(client, rsvp_path(minister), typed)
    assert "Agree to the processing of the details to accept." in visible_text(response)
    assert reload(minister).status == InvitationStatus.INVITED


def test_more_rows_adds_empty_rows_and_keeps_what_was_typed(client, edition, minister):
    typed = {**acceptance(edition), **members_typed(*TWO_MEMBERS), "more_rows": "1"}
    response = reply(client, rsvp_path(minister), typed)
    assert response.status_code == 200
    values = form_values(response)
    rows = [name for name in values if name.startswith("members-") and name.endswith("-email")]
    assert len(rows) == 10
    assert values["members-1-full_name"] == "Fatou Sarr"
    assert values["arrival_flight"] == "SN 2283"
    # Nothing was sent: more rows is not a reply.
    assert "is-invalid" not in response.text
    assert reload(minister).status == InvitationStatus.INVITED

    # Up to twenty rows, then the button is gone.
    values.update({"more_rows": "1"})
    for _ in range(3):
        values = {**form_values(client.post(rsvp_path(minister), data=values)), "more_rows": "1"}
    last = client.post(rsvp_path(minister), data=values)
    rows = [n for n in form_values(last) if n.startswith("members-") and n.endswith("-email")]
    assert len(rows) == 20
    assert 'name="more_rows"' not in last.text


def test_passport_details_are_stored_encrypted_and_never_shown_back(client, edition, minister,
                                                                    mail):  # fmt: skip
    typed = {
        **acceptance(edition),
        "passport-full_name_as_in_passport": "DIALLO AMINA",
        "passport-number": PASSPORT_NUMBER,
        "passport-nationality": "SN",
        "passport-issued_on": "2021-02-03",
        "passport-expires_on": "2031-02-02",
    }
    response = reply(client, rsvp_path(minister), typed)
    assert response.status_code == 302, visible_text(response)
    invitation = reload(minister)
    assert invitation.passport_encrypted
    assert PASSPORT_NUMBER.encode() not in invitation.passport_encrypted
    confirmation = client.get(response.headers["Location"])
    assert "on file" in visible_text(confirmation)
    assert PASSPORT_NUMBER not in confirmation.text
    page = client.get(rsvp_path(invitation))
    assert "Passport details are on file" in visible_text(page)
    assert PASSPORT_NUMBER not in page.text
    assert "DIALLO AMINA" not in page.text
    # Changing something else keeps them on file.
    values = form_values(page)
    values["arrival_flight"] = "TK 1035"
    assert client.post(rsvp_path(invitation), data=values).status_code == 302
    assert reload(minister).passport_encrypted == invitation.passport_encrypted


# --- Declining ----------------------------------------------------------------------------


def test_declining_registers_nobody(client, edition, minister, mail):
    typed = {"response": "decline", "note": "The minister is abroad that week."}
    response = reply(client, rsvp_path(minister), typed)
    assert response.status_code == 302
    assert reload(minister).status == InvitationStatus.DECLINED
    assert registrations() == []
    page = client.get(response.headers["Location"])
    assert "The invitation was declined" in visible_text(page)


def test_declining_after_accepting_cancels_the_badges(client, edition, minister, mail):
    accepted(client, edition, minister, *TWO_MEMBERS)
    assert len(registrations()) == 3
    response = reply(client, rsvp_path(reload(minister)), {"response": "decline"})
    assert response.status_code == 302, visible_text(response)
    assert reload(minister).status == InvitationStatus.DECLINED
    assert {r.status for r in registrations()} == {RegistrationStatus.CANCELLED}
    # The confirmation page is for accepted invitations only.
    confirmation = client.get(f"{rsvp_path(reload(minister))}/confirmed")
    assert confirmation.status_code == 302


def test_a_reply_must_say_accept_or_decline(client, minister):
    response = reply(client, rsvp_path(minister), {})
    assert "Choose whether the invitation is accepted." in visible_text(response)
    assert reload(minister).status == InvitationStatus.INVITED


# --- Bilateral meetings --------------------------------------------------------------------


def confirmation_path(invitation) -> str:  # type: ignore[no-untyped-def]
    return f"{rsvp_path(reload(invitation))}/confirmed"


def book(client, invitation, slot, counterpart: str = ""):  # type: ignore[no-untyped-def]
    page = client.get(confirmation_path(invitation))
    token = csrf_token_from(page.text)
    return client.post(
        f"{rsvp_path(reload(invitation))}/meetings/book",
        data={"csrf_token": token, "slot_id": str(slot.id), "counterpart": counterpart},
        follow_redirects=True,
    )


def booked_by(invitation) -> list[int]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(db.session.scalars(
        select(MeetingSlot.id).where(MeetingSlot.invitation_id == invitation.id)
        .order_by(MeetingSlot.id)
    ))  # fmt: skip


@pytest.fixture
def slots(edition):  # type: ignore[no-untyped-def]
    """Three slots in room A on the first day, one in room B on the second."""
    room_a, room_b = make_room(edition), make_room(edition, "Bilateral Room B")
    first, second = edition.start_date, edition.start_date + timedelta(days=1)
    return [make_slot(room_a, first, 9), make_slot(room_a, first, 11),
            make_slot(room_a, first, 14), make_slot(room_b, second, 10, 30)]  # fmt: skip


def test_free_slots_are_shown_by_day_and_room(client, edition, minister, slots, mail):
    accepted(client, edition, minister)
    page = client.get(confirmation_path(minister))
    text = visible_text(page)
    assert "Bilateral Room A" in text and "Bilateral Room B" in text
    assert "9:00" in text and "10:30" in text  # local time in Budapest
    assert "at most 2 per day" in text
    assert page.text.count('name="slot_id"') == 4


def test_a_delegation_books_two_slots_a_day_and_no_more(client, edition, minister, slots, mail):
    accepted(client, edition, minister)
    first = book(client, minister, slots[0], "Ministry of ICT of Rwanda")
    assert "The meeting slot is booked" in visible_text(first)
    assert book(client, minister, slots[1]).status_code == 200
    assert booked_by(minister) == [slots[0].id, slots[1].id]

    third = visible_text(book(client, minister, slots[2]))
    assert "This delegation already has 2 meetings on" in third
    assert "the most allowed per day" in third
    assert booked_by(minister) == [slots[0].id, slots[1].id]
    # Another day is another allowance.
    book(client, minister, slots[3])
    assert booked_by(minister) == [slots[0].id, slots[1].id, slots[3].id]

    page = visible_text(client.get(confirmation_path(minister)))
    assert "with Ministry of ICT of Rwanda" in page
    assert "Booked by your delegation on this day: 2 of at most 2." in page

    # Cancelling frees the slot, and a third one on the first day can now be booked.
    token = csrf_token_from(client.get(confirmation_path(minister)).text)
    cancelled = client.post(
        f"{rsvp_path(reload(minister))}/meetings/{slots[0].id}/cancel",
        data={"csrf_token": token}, follow_redirects=True,
    )  # fmt: skip
    assert "The booking is cancelled" in visible_text(cancelled)
    book(client, minister, slots[2])
    assert booked_by(minister) == [slots[1].id, slots[2].id, slots[3].id]


def test_a_slot_taken_by_another_delegation_is_refused_clearly(client, edition, minister, slots,
                                                              mail):  # fmt: skip
    other = make_invitation(edition, full_name="Jean Dupont", email="jean.dupont@gov.example",
                            country="FR", form_of_address="H.E. Mr")  # fmt: skip
    accepted(client, edition, minister)
    page_before = client.get(confirmation_path(minister))  # slot 0 still shown as free
    reply(client, rsvp_path(other), {**acceptance(edition, vip_email="jean.dupont@gov.example")})
    other_client = client.application.test_client()
    assert book(other_client, other, slots[0]).status_code == 200
    assert booked_by(other) == [slots[0].id]

    response = client.post(
        f"{rsvp_path(reload(minister))}/meetings/book",
        data={"csrf_token": csrf_token_from(page_before.text), "slot_id": str(slots[0].id)},
        follow_redirects=True,
    )
    assert "just booked by another delegation" in visible_text(response)
    assert booked_by(minister) == []


def test_only_an_accepted_invitation_books_slots(client, edition, minister, slots):
    page = client.get(rsvp_path(minister))
    response = client.post(
        f"{rsvp_path(minister)}/meetings/book",
        data={"csrf_token": csrf_token_from(page.text), "slot_id": str(slots[0].id)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert booked_by(minister) == []


# --- CSRF ------------------------------------------------------------------------------------


def test_forms_without_their_token_are_refused(client, edition, minister, slots, mail):
    path = rsvp_path(minister)
    client.get(path)  # a session exists
    response = client.post(path, data={**acceptance(edition), **members_typed(*TWO_MEMBERS)})
    assert response.status_code == 400
    assert "Form expired" in visible_text(response)
    assert_private(response)
    assert reload(minister).status == InvitationStatus.INVITED
    assert registrations() == []

    accepted(client, edition, minister)
    refused = client.post(f"{rsvp_path(reload(minister))}/meetings/book",
                          data={"slot_id": str(slots[0].id)})  # fmt: skip
    assert refused.status_code == 400
    assert booked_by(minister) == []
    forged = client.post(f"{rsvp_path(reload(minister))}/meetings/book",
                         data={"slot_id": str(slots[0].id), "csrf_token": "forged"})  # fmt: skip
    assert forged.status_code == 400
    assert db.session.scalar(select(func.count(DelegationMember.id))) == 0


# --- Every RSVP address ------------------------------------------------------------------------


def test_every_rsvp_address_refuses_a_bad_link_clearly(app, client, edition, minister, slots):
    """The crawl visits every route under /rsvp (a page added later is checked too) with a
    tampered token: a clear 404, private headers, never a 500 and never a change."""
    token = rsvp_token(minister)
    spoiled = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    values = {"token": spoiled, "slot_id": slots[0].id}
    page_token = csrf_token_from(client.get(rsvp_path(minister)).text)
    rules = rules_under(app, "/rsvp/")
    assert {rule.endpoint for rule in rules} >= {
        "rsvp.invitation", "rsvp.confirmation", "rsvp.book_slot", "rsvp.cancel_slot",
    }  # fmt: skip
    for rule in rules:
        path = path_for(app, rule, values)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(
                    path, data={"csrf_token": page_token, "response": "decline",
                                "slot_id": str(slots[0].id)},
                )  # fmt: skip
            assert response.status_code == 404, f"{method} {rule.rule}"
            assert_private(response)
            assert "This invitation link does not work" in visible_text(response)
    assert reload(minister).status == InvitationStatus.INVITED
    assert booked_by(minister) == []
