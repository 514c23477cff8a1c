"""Protocol staff at work: the invitation list in order of precedence, sending, resending,
reminding and revoking; creating, correcting and importing invitations; one invitation
with its delegation, badges and (on request only) passport; the protocol list exports;
meeting rooms, their slots, bookings for a delegation, and the protocol settings.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import Registration, RegistrationStatus
from telecom.protocol.models import MeetingRoom, MeetingSlot, ProtocolSettings, VipInvitation
from tests.core import fill_and_submit, form_values, visible_text
from tests.helpers import body_of, csrf_token_from, first_link, html, log_in
from tests.protocol.support_staff import (
    IMPORT,
    INVITATIONS,
    NEW,
    PDF,
    ROOMS,
    SCHEDULE,
    SETTINGS,
    XLSX,
    C,
    S,
    accept_with_delegation,
    after_redirect,
    future_edition,
    invitation_url,
    make_invitation,
    make_protocol_officer,
    make_room,
    make_slots,
    passport_details,
    press,
    reload,
)

GENERATE = f"{SCHEDULE}/slots/generate"


@pytest.fixture
def edition(app) -> Edition:  # type: ignore[no-untyped-def]
    return future_edition()


@pytest.fixture
def officer(client, edition):  # type: ignore[no-untyped-def]
    user = make_protocol_officer()
    log_in(client, "protocol@example.org")
    return user


def names_listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The invitees' names in the list's table, top to bottom (without the form of address)."""
    table = re.search(r'<table[^>]*id="invitations".*?</table>', html(response), re.S)
    assert table, "the page has no invitation table"
    names = re.findall(r'<a href="[^"]*/invitations/\d+">([^<]+)</a>', table.group(0))
    return [name.removeprefix("H.E. ") for name in names]


def count_of(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def upload(client, data: bytes | None, filename: str = "invitations.csv"):  # type: ignore[no-untyped-def]
    """The import form posted with a file (None: the user pressed the button without one)."""
    page = client.get(IMPORT)
    assert page.status_code == 200
    form: dict[str, object] = {"csrf_token": csrf_token_from(html(page))}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    response = client.post(IMPORT, data=form, content_type="multipart/form-data")
    # The test client spools a large body to a temporary file and closes it only when
    # following redirects: close it here so no file is left open.
    if response.request.input_stream is not None:
        response.request.input_stream.close()
    return response


# --------------------------------------------------------------------------- the list


@pytest.fixture
def leaders(edition):  # type: ignore[no-untyped-def]
    """Seven leaders whose places depend on each rule of precedence in turn."""
    return {
        "ceo": make_invitation(edition, "Chris Industry", category=C.CEO, country=None,
                               organisation="Acme Networks", form_of_address=""),
        "unknown": make_invitation(edition, "Uma Undated", country="BE"),
        "newer": make_invitation(edition, "Nina Newer", took_office_on=date(2020, 1, 1),
                                 country="AL"),
        "brazil": make_invitation(edition, "Bruno Brazil", took_office_on=date(2015, 5, 1),
                                  country="BR"),
        "austria": make_invitation(edition, "Anna Austria", took_office_on=date(2015, 5, 1),
                                   country="AT"),
        "older": make_invitation(edition, "Otto Older", took_office_on=date(2010, 3, 1),
                                 country="ZM"),
        "head": make_invitation(edition, "Zara Head", category=C.VVIP, country="ZW",
                                title="President"),
    }  # fmt: skip


PRECEDENCE = [
    "Zara Head", "Otto Older", "Anna Austria", "Bruno Brazil", "Nina Newer", "Uma Undated",
    "Chris Industry",
]  # fmt: skip


def test_the_list_is_in_order_of_precedence_with_counts_by_status(client, officer, leaders):
    leaders["newer"].status = S.INVITED
    leaders["older"].status = S.DECLINED
    db.session.commit()

    response = client.get(INVITATIONS)

    assert response.status_code == 200
    assert names_listed(response) == PRECEDENCE
    text = visible_text(response)
    assert "Not sent: 5" in text and "Invited: 1" in text and "Declined: 1" in text
    assert "Accepted: 0" in text and "Revoked: 0" in text
    assert "7 invitations" in text


def test_the_list_filters_by_status_and_by_day(client, officer, edition, leaders):
    first, last = edition.start_date, edition.end_date
    for key, arrival, departure in (("older", first, first), ("austria", last, last),
                                    ("head", None, None)):  # fmt: skip
        invitation = leaders[key]
        invitation.status = S.ACCEPTED
        invitation.arrival_on, invitation.departure_on = arrival, departure
    leaders["ceo"].status = S.REVOKED
    db.session.commit()

    accepted = client.get(f"{INVITATIONS}?status=accepted")
    on_first_day = client.get(f"{INVITATIONS}?day={first.isoformat()}")
    on_last_day = client.get(f"{INVITATIONS}?day={last.isoformat()}")
    revoked = client.get(f"{INVITATIONS}?status=revoked")
    default = client.get(INVITATIONS)

    assert names_listed(accepted) == ["Zara Head", "Otto Older", "Anna Austria"]
    # A VIP who gave no dates is counted present every day of the edition.
    assert names_listed(on_first_day) == ["Zara Head", "Otto Older"]
    assert names_listed(on_last_day) == ["Zara Head", "Anna Austria"]
    assert names_listed(revoked) == ["Chris Industry"]
    assert "Chris Industry" not in names_listed(default)


def test_a_filter_the_page_cannot_read_is_ignored_with_a_message(client, officer, leaders):
    response = client.get(f"{INVITATIONS}?status=bogus&day=2015-13-45")

    assert response.status_code == 200
    assert names_listed(response) == PRECEDENCE
    text = visible_text(response)
    assert "Unknown status: this filter was ignored." in text
    assert "Not a day of the edition: this filter was ignored." in text


def test_sending_from_the_list_mails_the_personal_rsvp_link(client, officer, edition, mail):
    invitation = make_invitation(edition, "Maria Example", email="maria@gov.example")

    response = press(client, INVITATIONS, f"{invitation_url(invitation)}/send",
                     {"next": f"{INVITATIONS}?status=draft"})  # fmt: skip

    assert response.headers["Location"].endswith(f"{INVITATIONS}?status=draft")
    assert "Invitation sent to maria@gov.example." in after_redirect(client, response)
    assert reload(invitation).status is S.INVITED
    message = mail.wait_for(1)[0]
    assert message["To"] == "maria@gov.example"
    assert "Dear H.E. Maria Example" in body_of(message)
    assert "/rsvp/" in first_link(message)


def test_the_buttons_follow_the_status(client, officer, edition):
    draft = make_invitation(edition, "Dora Draft")
    invited = make_invitation(edition, "Ivo Invited", status=S.INVITED)
    revoked = make_invitation(edition, "Rita Revoked", status=S.REVOKED)

    page = html(client.get(INVITATIONS + "?status=all"))

    def buttons(invitation: VipInvitation) -> set[str]:
        row = re.search(rf'<tr id="invitation-{invitation.id}">.*?</tr>', page, re.S)
        assert row
        return set(re.findall(r"/invitations/\d+/(send|resend|remind|revoke)\"", row.group(0)))

    assert buttons(draft) == {"send", "revoke"}
    assert buttons(invited) == {"resend", "remind", "revoke"}
    assert buttons(revoked) == set()


def test_resend_gives_a_new_link_and_the_old_one_dies(client, officer, edition, mail):
    invitation = make_invitation(edition, "Maria Example", email="maria@gov.example")
    press(client, INVITATIONS, f"{invitation_url(invitation)}/send")
    old_link = first_link(mail.wait_for(1)[0])

    response = press(client, invitation_url(invitation), f"{invitation_url(invitation)}/resend")

    assert "the previous link no longer works" in after_redirect(client, response)
    new_link = first_link(mail.wait_for(2)[1])
    assert new_link != old_link
    assert reload(invitation).token_version == 2
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200


def test_a_reminder_goes_to_an_invitation_not_answered_yet(client, officer, edition, mail):
    invitation = make_invitation(edition, "Maria Example", email="maria@gov.example")
    press(client, INVITATIONS, f"{invitation_url(invitation)}/send")

    response = press(client, invitation_url(invitation), f"{invitation_url(invitation)}/remind")

    assert "Reminder sent to maria@gov.example." in after_redirect(client, response)
    assert reload(invitation).reminded_at is not None
    assert len(mail.wait_for(2)) == 2


def test_a_step_the_status_does_not_allow_is_explained(client, officer, edition, mail):
    invitation = make_invitation(edition, "Maria Example")  # a draft: nothing to remind

    response = press(client, invitation_url(invitation), f"{invitation_url(invitation)}/remind")

    assert response.status_code == 302
    assert "is not possible: the invitation is “Not sent”" in after_redirect(client, response)
    assert reload(invitation).reminded_at is None
    assert mail.messages == []


def test_revoking_needs_a_reason_and_keeps_what_was_typed(client, officer, edition, mail):
    invitation = make_invitation(edition, "Maria Example", status=S.INVITED)

    response = press(client, invitation_url(invitation), f"{invitation_url(invitation)}/revoke",
                     {"revoke-reason": "   "})  # fmt: skip

    assert response.status_code == 400
    assert "Give the reason for revoking the invitation." in visible_text(response)
    assert reload(invitation).status is S.INVITED
    assert mail.messages == []


def test_revoking_cancels_the_badges_and_tells_the_invitee(client, officer, edition, mail):
    invitation = accept_with_delegation(make_invitation(edition, "Maria Example",
                                                        email="maria@gov.example"))  # fmt: skip
    mail.wait_for(1)
    room = make_room(edition)
    slot = make_slots(edition, room)[0]
    from telecom.protocol.services import meetings

    meetings.book_slot(slot.id, invitation)

    response = press(client, INVITATIONS, f"{invitation_url(invitation)}/revoke",
                     {"revoke-reason": "Cabinet reshuffle", "next": INVITATIONS})  # fmt: skip

    assert response.headers["Location"].endswith(INVITATIONS)
    assert "the invitee was told courteously" in after_redirect(client, response)
    db.session.expire_all()
    assert reload(invitation).status is S.REVOKED
    statuses = set(db.session.scalars(select(Registration.status)))
    assert statuses == {RegistrationStatus.CANCELLED}
    assert reload(slot).invitation_id is None
    notice = mail.wait_for(2)[1]
    assert notice["To"] == "maria@gov.example"
    assert "Cabinet reshuffle" not in body_of(notice)  # the reason is for staff only


# --------------------------------------------------------------------------- create and edit


def test_protocol_staff_create_an_invitation(client, officer, edition, mail):
    response = fill_and_submit(client, NEW, {
        "form_of_address": "H.E.", "full_name": "Maria Example", "title": "Minister of ICT",
        "category": "MIN", "country": "KE", "email": "office@ict.example",
        "focal_point_name": "Jane Aide", "took_office_on": "2014-03-01",
    })  # fmt: skip

    assert "Invitation for Maria Example created. It is not sent yet" in after_redirect(
        client, response
    )
    invitation = db.session.scalars(select(VipInvitation)).one()
    assert (invitation.status, invitation.category, invitation.country) == (S.DRAFT, C.MIN, "KE")
    assert invitation.took_office_on == date(2014, 3, 1)
    assert invitation.focal_point_name == "Jane Aide"
    assert mail.messages == []  # nothing leaves before protocol presses "send"


def test_a_refused_invitation_keeps_everything_typed(client, officer, edition):
    make_invitation(edition, "Maria Example", email="maria@gov.example")
    typed = {
        "form_of_address": "H.E.", "full_name": "Maria Example", "title": "Minister of ICT",
        "category": "MIN", "country": "KE", "email": "maria@gov.example",
        "focal_point_name": "", "took_office_on": "2014-03-01", "organisation": "",
    }  # fmt: skip

    duplicate = fill_and_submit(client, NEW, typed)
    bad_values = fill_and_submit(client, NEW, {
        **typed, "email": "not-an-address", "category": "KING", "took_office_on": "2014-02-31",
    })  # fmt: skip

    assert duplicate.status_code == 400
    assert "Maria Example is already invited to this edition" in visible_text(duplicate)
    values = form_values(duplicate)
    assert {k: values.get(k) for k in typed} == typed
    assert bad_values.status_code == 400
    text = visible_text(bad_values)
    assert "Enter a valid e-mail address." in text
    assert "Not a valid choice" in text
    assert "Not a valid date value" in text
    assert form_values(bad_values)["email"] == "not-an-address"
    assert count_of(VipInvitation) == 1


def test_protocol_staff_correct_an_invitation(client, officer, edition):
    invitation = make_invitation(edition, "Maria Example")
    url = f"{invitation_url(invitation)}/edit"

    response = fill_and_submit(client, url, {"title": "Minister of Digital Affairs"})

    assert "Invitation saved." in after_redirect(client, response)
    assert reload(invitation).title == "Minister of Digital Affairs"
    assert reload(invitation).full_name == "Maria Example"  # the rest as it was


def test_a_revoked_invitation_cannot_be_edited(client, officer, edition):
    invitation = make_invitation(edition, "Maria Example", status=S.REVOKED)

    response = client.get(f"{invitation_url(invitation)}/edit")

    assert "it can no longer be changed" in after_redirect(client, response)


def test_another_editions_invitation_is_not_found(client, officer, edition):
    other = future_edition("telecom-world-other")
    invitation = make_invitation(other, "Olga Other")

    assert client.get(invitation_url(invitation)).status_code == 404
    assert client.get(f"{INVITATIONS}/999999").status_code == 404


# --------------------------------------------------------------------------- CSV import


HEADER = "name,title,form_of_address,category,country,organisation,email,focal_point_name,took_office_on\n"  # noqa: E501


def test_the_import_page_shows_the_expected_header(client, officer):
    response = client.get(IMPORT)

    assert response.status_code == 200
    assert HEADER.strip() in visible_text(response)


def test_importing_a_correct_file_creates_draft_invitations(client, officer, edition, mail):
    data = (
        "\ufeff" + HEADER
        + "Maria Example,Minister of ICT,H.E.,MIN,Kenya,,maria@gov.example,,2014-03-01\n"
        + "Chris Industry,CEO,Mr,CEO,,Acme Networks,chris@acme.example,,\n"
    ).encode()  # fmt: skip

    response = upload(client, data)

    assert "2 invitations imported" in after_redirect(client, response)
    rows = db.session.scalars(select(VipInvitation).order_by(VipInvitation.full_name)).all()
    assert [(i.full_name, i.status, i.country) for i in rows] == [
        ("Chris Industry", S.DRAFT, None), ("Maria Example", S.DRAFT, "KE"),
    ]  # fmt: skip
    assert mail.messages == []


def test_an_import_with_errors_lists_every_line_and_creates_nothing(client, officer, edition):
    data = (
        HEADER
        + "Maria Example,Minister,H.E.,MIN,Kenya,,maria@gov.example,,2014-03-01\n"
        + "Bad Category,Minister,H.E.,KING,Kenya,,bad@gov.example,,\n"
        + "Bad Country,Minister,H.E.,MIN,Atlantis,,atlantis@gov.example,,\n"
        + ",Minister,H.E.,MIN,Kenya,,noname@gov.example,,31/12/2014\n"
    ).encode()  # fmt: skip

    response = upload(client, data)

    assert response.status_code == 400
    table = re.search(r'<table[^>]*id="import-errors".*?</table>', html(response), re.S)
    assert table
    cells = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", table.group(0))
    assert ("3", "category") in cells
    assert ("4", "country") in cells
    assert ("5", "name") in cells
    assert ("5", "took_office_on") in cells
    assert "Nothing was imported" in visible_text(response)
    assert count_of(VipInvitation) == 0


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (None, "", "Choose a CSV file to upload."),
        (b"", "empty.csv", "The file is empty."),
        (b"   \n", "blank.csv", "The file is empty."),
        (b"PK\x03\x04rest-of-a-workbook", "list.xlsx", "not a CSV file"),
        (HEADER.encode("utf-16"), "utf16.csv", "UTF-8"),
    ],
    ids=["no-file", "empty", "blank", "workbook", "utf-16"],
)
def test_a_file_that_is_not_a_csv_is_refused_clearly(client, officer, data, filename, message):
    response = upload(client, data, filename)

    assert response.status_code == 400
    assert message in visible_text(response)
    assert count_of(VipInvitation) == 0


def test_a_file_over_the_limit_is_refused_before_parsing(client, officer):
    just_over = HEADER.encode() + b"x" * (2 * 1024 * 1024)
    far_over = b"x" * (5 * 1024 * 1024)

    refused = upload(client, just_over)
    huge = upload(client, far_over)

    assert refused.status_code == 413
    assert "The file is larger than 2 MB." in visible_text(refused)
    assert huge.status_code == 413
    assert count_of(VipInvitation) == 0


# --------------------------------------------------------------------------- one invitation


@pytest.fixture
def delegation(edition, mail):  # type: ignore[no-untyped-def]
    """An accepted minister with two delegation members and passport details on file."""
    invitation = make_invitation(edition, "Maria Example", email="maria@gov.example")
    accepted = accept_with_delegation(invitation, passport=passport_details(edition))
    mail.wait_for(1)
    return accepted


def test_the_invitation_page_shows_the_reply_and_the_delegation(client, officer, delegation):
    response = client.get(invitation_url(delegation))

    assert response.status_code == 200
    text = visible_text(response)
    assert "Minister of ICT" in text and "MIN · Minister" in text and "Kenya" in text
    assert "Accepted" in text and "KQ 1234" in text and "Halal" in text
    assert "Step-free access" in text
    assert "Amina Aide Chief of staff amina@gov.example Delegation · Confirmed" in text
    assert "Ben Bodyguard Security ben@gov.example Delegation · Confirmed" in text
    assert text.count("Badge (PDF)") == 3 and text.count("Reprint badge") == 3


def test_passport_details_are_shown_only_when_asked_for(client, officer, delegation):
    url = invitation_url(delegation)
    before = client.get(url)
    views_before = count_of(AuditEntry)

    shown = press(client, url, f"{url}/passport")
    again = client.get(url)

    assert "K12345678" not in html(before)
    assert "MARIA WANJIRU EXAMPLE" not in html(before)
    assert "Show passport details" in visible_text(before)
    assert shown.status_code == 200
    assert "K12345678" in html(shown) and "MARIA WANJIRU EXAMPLE" in html(shown)
    assert "no-store" in shown.headers["Cache-Control"]
    assert "K12345678" not in html(again)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "view_passport")
    ).all()
    assert len(entries) == 1 and count_of(AuditEntry) == views_before + 1
    assert entries[0].actor_id == officer.id
    assert "K12345678" not in str(entries[0].after) + str(entries[0].before)


def test_without_passport_details_the_page_says_so(client, officer, edition, mail):
    invitation = accept_with_delegation(make_invitation(edition, "Maria Example"))

    page = visible_text(client.get(invitation_url(invitation)))
    asked = press(client, invitation_url(invitation), f"{invitation_url(invitation)}/passport")

    assert "No passport details were given." in page
    assert "Show passport details" not in page
    assert "No passport details were given" in after_redirect(client, asked)


def test_reprinting_a_members_badge_voids_the_old_one(client, officer, delegation):
    member = delegation.members[0]
    url = invitation_url(delegation)

    response = press(client, url, f"{url}/badges/{member.registration_id}/reprint")

    assert "A new badge was issued for Amina Aide." in after_redirect(client, response)
    db.session.expire_all()
    assert db.session.get(Registration, member.registration_id).badge_version == 2


def test_the_protocol_desk_downloads_the_badges_of_the_delegation(client, officer, delegation):
    url = invitation_url(delegation)

    vip = client.get(f"{url}/badges/{delegation.registration_id}.pdf")
    member = client.get(f"{url}/badges/{delegation.members[1].registration_id}.pdf?layout=a4")

    for response in (vip, member):
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF-")
        assert "no-store" in response.headers["Cache-Control"]


def test_a_badge_outside_the_delegation_is_not_found(client, officer, edition, delegation, mail):
    other = accept_with_delegation(
        make_invitation(edition, "Olga Other", email="olga@gov.example"), members=()
    )
    url = invitation_url(delegation)

    download = client.get(f"{url}/badges/{other.registration_id}.pdf")
    reprint = press(client, url, f"{url}/badges/{other.registration_id}/reprint")

    assert download.status_code == 404
    assert reprint.status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, other.registration_id).badge_version == 1


# --------------------------------------------------------------------------- exports


def test_the_protocol_list_as_pdf(client, officer, leaders):
    response = client.get(PDF)
    filtered = client.get(f"{PDF}?status=draft&day=bogus")

    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "protocol-list-telecom-world-next" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    assert filtered.status_code == 200 and filtered.data.startswith(b"%PDF-")


def test_the_protocol_list_as_xlsx_in_order_of_precedence(client, officer, leaders, delegation):
    leaders["head"].status = S.ACCEPTED
    db.session.commit()

    everyone = client.get(XLSX)
    accepted = client.get(f"{XLSX}?status=accepted")

    assert everyone.status_code == 200
    assert "no-store" in everyone.headers["Cache-Control"]
    sheet = load_workbook(io.BytesIO(everyone.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    name_column = rows[0].index("Name")
    names = [row[name_column] for row in rows[1:]]
    # Maria Example (MIN, no date, Kenya) sits between the undated Belgian and the CEO.
    assert names == [*PRECEDENCE[:-1], "Maria Example", "Chris Industry"]
    accepted_sheet = load_workbook(io.BytesIO(accepted.data)).active
    accepted_rows = list(accepted_sheet.iter_rows(values_only=True))
    assert [row[name_column] for row in accepted_rows[1:]] == ["Zara Head", "Maria Example"]
    # Passport details are in no export.
    cells = " ".join(str(value) for row in rows for value in row)
    assert "K12345678" not in cells


# --------------------------------------------------------------------------- meeting rooms


def test_protocol_staff_add_and_correct_a_room(client, officer, edition):
    added = fill_and_submit(client, ROOMS, {"name": "Salon Danube", "capacity": "12",
                                            "location": "Hall A"})  # fmt: skip
    assert "Meeting room Salon Danube added." in after_redirect(client, added)
    room = db.session.scalars(select(MeetingRoom)).one()
    edited = fill_and_submit(client, f"{ROOMS}/{room.id}", {
        "capacity": "20", "name": "Salon Tisza",
    })  # fmt: skip

    assert "Meeting room saved." in after_redirect(client, edited)
    room = reload(room)
    assert (room.name, room.capacity, room.location, room.active) == (
        "Salon Tisza", 20, "Hall A", True,
    )  # fmt: skip


def test_a_refused_room_keeps_what_was_typed(client, officer, edition):
    make_room(edition, "Salon Danube")

    same_name = fill_and_submit(client, ROOMS, {"name": "salon danube",
                                                "location": "Hall B"})  # fmt: skip
    not_a_number = fill_and_submit(client, ROOMS, {"name": "Salon Tisza",
                                                   "capacity": "twelve"})  # fmt: skip
    too_big = fill_and_submit(client, ROOMS, {"name": "Stadium",
                                              "capacity": "99999999999999"})  # fmt: skip

    assert same_name.status_code == 400
    assert "This edition already has a room with this name." in visible_text(same_name)
    assert form_values(same_name)["location"] == "Hall B"
    assert not_a_number.status_code == 400
    assert form_values(not_a_number)["name"] == "Salon Tisza"
    assert too_big.status_code == 400
    assert "The capacity must be between 1 and" in visible_text(too_big)
    assert count_of(MeetingRoom) == 1


def test_generating_a_days_slots_fills_the_schedule(client, officer, edition):
    room = make_room(edition, "Salon Danube")
    day = edition.start_date + timedelta(days=1)

    response = press(client, ROOMS, GENERATE, {
        "slots-room_id": str(room.id), "slots-day": day.isoformat(),
        "slots-first_start": "09:00", "slots-last_end": "13:30",
    })  # fmt: skip

    assert response.headers["Location"].endswith(f"{SCHEDULE}?day={day.isoformat()}")
    text = after_redirect(client, response)
    assert "3 slots created in Salon Danube." in text
    assert "09:00" in text and "10:30" in text and "12:00" in text
    assert text.count("Available") == 3


def test_slots_that_cannot_be_made_are_explained_on_the_form(client, officer, edition):
    room = make_room(edition, "Salon Danube")
    typed = {"slots-room_id": str(room.id), "slots-day": edition.start_date.isoformat(),
             "slots-first_start": "14:00", "slots-last_end": "10:00"}  # fmt: skip

    backwards = press(client, ROOMS, GENERATE, typed)
    not_a_day = press(client, ROOMS, GENERATE, {**typed, "slots-day": "2001-01-01"})
    garbled = press(client, ROOMS, GENERATE, {**typed, "slots-first_start": "nine"})

    assert backwards.status_code == 400
    assert "The last meeting must end after the first one starts" in visible_text(backwards)
    assert 'value="14:00"' in html(backwards)
    assert not_a_day.status_code == 400 and "Not a valid choice" in visible_text(not_a_day)
    assert garbled.status_code == 400
    assert count_of(MeetingSlot) == 0


@pytest.fixture
def booking_setup(edition):  # type: ignore[no-untyped-def]
    room = make_room(edition, "Salon Danube")
    slots = make_slots(edition, room, first="09:00", last="15:00")  # four slots
    minister = make_invitation(edition, "Maria Example", status=S.ACCEPTED)
    return room, slots, minister


def book_url(slot: MeetingSlot) -> str:
    return f"{SCHEDULE}/slots/{slot.id}/book"


def test_protocol_staff_book_a_slot_for_a_delegation_and_cancel_it(
    client, officer, edition, booking_setup
):
    _room, slots, minister = booking_setup

    booked = fill_and_submit(client, book_url(slots[0]), {
        "invitation_id": str(minister.id), "counterpart": "Secretary-General",
    })  # fmt: skip
    schedule = after_redirect(client, booked)
    cancelled = press(client, SCHEDULE, f"{SCHEDULE}/slots/{slots[0].id}/cancel")

    assert "Salon Danube booked for Maria Example." in schedule
    assert "with Secretary-General" in schedule
    assert reload(slots[0]).invitation_id is None
    assert "Booking cancelled; the slot is free again." in after_redirect(client, cancelled)
    entries = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "meeting_slots")).all()  # fmt: skip
    assert set(entries) >= {"book", "cancel_booking"}


def test_the_daily_limit_is_explained_and_the_typed_values_kept(
    client, officer, edition, booking_setup
):
    _room, slots, minister = booking_setup
    for slot in slots[:2]:
        fill_and_submit(client, book_url(slot), {"invitation_id": str(minister.id)})

    third = fill_and_submit(client, book_url(slots[2]), {
        "invitation_id": str(minister.id), "counterpart": "Vodafone",
    })  # fmt: skip

    assert third.status_code == 400
    assert "already has 2 meetings on" in visible_text(third)
    assert form_values(third)["counterpart"] == "Vodafone"
    assert reload(slots[2]).invitation_id is None


def test_only_accepted_delegations_are_offered_and_others_are_refused(
    client, officer, edition, booking_setup
):
    _room, slots, _minister = booking_setup
    invited = make_invitation(edition, "Ivo Invited", status=S.INVITED)

    page = html(client.get(book_url(slots[0])))
    forced = fill_and_submit(client, book_url(slots[0]), {"invitation_id": str(invited.id)})
    nonsense = fill_and_submit(client, book_url(slots[0]), {"invitation_id": "abc"})

    assert "Maria Example" in page and "Ivo Invited" not in page
    assert forced.status_code == 400 and nonsense.status_code == 400
    assert reload(slots[0]).invitation_id is None


def test_a_slot_taken_meanwhile_is_reported(client, officer, edition, booking_setup):
    _room, slots, minister = booking_setup
    other = make_invitation(edition, "Olga Other", status=S.ACCEPTED)
    page = client.get(book_url(slots[0]))
    from telecom.protocol.services import meetings

    meetings.book_slot(slots[0].id, other)  # the other delegation, through its RSVP page
    response = client.post(book_url(slots[0]), data={
        **form_values(page), "invitation_id": str(minister.id),
    })  # fmt: skip

    assert response.status_code == 409
    assert "just booked by another delegation" in visible_text(response)
    assert reload(slots[0]).invitation_id == other.id


def test_a_free_slot_can_be_removed_but_not_a_booked_one(client, officer, edition, booking_setup):
    _room, slots, minister = booking_setup
    from telecom.protocol.services import meetings

    meetings.book_slot(slots[1].id, minister)

    removed = press(client, SCHEDULE, f"{SCHEDULE}/slots/{slots[0].id}/delete")
    assert "The slot was removed." in after_redirect(client, removed)
    kept = press(client, SCHEDULE, f"{SCHEDULE}/slots/{slots[1].id}/delete")
    assert "cancel the booking before deleting the slot" in after_redirect(client, kept)

    assert count_of(MeetingSlot) == 3


# --------------------------------------------------------------------------- settings


def test_protocol_settings_are_saved(client, officer, edition):
    response = fill_and_submit(client, SETTINGS, {
        "slot_minutes": "60", "max_slots_per_day": "3", "rsvp_valid_days": "30",
        "contact_email": "vip@telecom.example",
    })  # fmt: skip

    assert "Protocol settings saved." in after_redirect(client, response)
    saved = db.session.scalars(select(ProtocolSettings)).one()
    assert (saved.slot_minutes, saved.max_slots_per_day, saved.rsvp_valid_days,
            saved.contact_email) == (60, 3, 30, "vip@telecom.example")  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"slot_minutes": "7"}, "between 15 and 480"),
        ({"slot_minutes": "ninety"}, "Not a valid integer value"),
        ({"max_slots_per_day": "0"}, "between 1 and"),
        ({"rsvp_valid_days": "99999999999999999"}, "between 1 and 365"),
        ({"contact_email": "nobody"}, "Enter a valid e-mail address."),
    ],
    ids=["too-short", "words", "zero", "huge", "bad-email"],
)
def test_refused_settings_are_explained_and_nothing_is_saved(client, officer, typed, message):
    response = fill_and_submit(client, SETTINGS, typed)

    assert response.status_code == 400
    assert message in visible_text(response)
    for name, value in typed.items():
        assert form_values(response)[name] == value
    assert count_of(ProtocolSettings) == 0
