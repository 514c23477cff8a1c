"""Everything under /protocol is for protocol staff and organizers; every form needs its token.

Like tests/media/test_review_access.py, the crawl walks every URL rule
registered under /protocol, so a page added later is checked without anyone
remembering to add it here; a URL variable the crawl cannot fill makes it fail
loudly.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from telecom.core.audit import AuditEntry
from telecom.core.outbox import OutboxMessage
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.participants.models import Registration
from telecom.protocol.models import (
    DelegationMember,
    MeetingRoom,
    MeetingSlot,
    ProtocolSettings,
    VipInvitation,
)
from tests.core import path_for, rules_under, visible_text
from tests.helpers import csrf_token_from, html, log_in, make_organizer, make_user
from tests.protocol.support_staff import (
    BASE,
    INVITATIONS,
    SLUG,
    accept_with_delegation,
    future_edition,
    make_invitation,
    make_protocol_officer,
    make_room,
    make_slots,
    passport_details,
)

FORM_EXPIRED = "Form expired"
PASSPORT_NUMBER = "K12345678"


@pytest.fixture
def url_values(app, mail) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """An existing object for every URL variable a protocol route can have."""
    edition = future_edition()
    invitation = make_invitation(edition, "Maria Example", email="maria@gov.example")
    accept_with_delegation(invitation, passport=passport_details(edition))
    mail.wait_for(1)
    room = make_room(edition)
    slot = make_slots(edition, room)[0]
    return {
        "slug": edition.slug,
        "invitation_id": invitation.id,
        "registration_id": invitation.members[0].registration_id,
        "room_id": room.id,
        "slot_id": slot.id,
    }


def protocol_rules(app: Flask, method: str | None = None) -> list[Rule]:
    return rules_under(app, "/protocol", method)


def page_token(client) -> str:  # type: ignore[no-untyped-def]
    """A valid CSRF token for this client's session, from the public home page."""
    return csrf_token_from(client.get("/").get_data(as_text=True))


# Whatever a refused request might have tried to post, in every form's own names.
HIJACK = {
    "revoke-reason": "Hijacked",
    "full_name": "Hijacked",
    "category": "VVIP",
    "country": "HU",
    "email": "hijacked@example.org",
    "title": "Hijacked",
    "name": "Hijacked room",
    "capacity": "3",
    "active": "y",
    "slots-room_id": "1",
    "slots-day": "2030-01-01",
    "slots-first_start": "08:00",
    "slots-last_end": "20:00",
    "invitation_id": "1",
    "counterpart": "Hijacked",
    "slot_minutes": "15",
    "max_slots_per_day": "9",
    "rsvp_valid_days": "1",
    "contact_email": "hijacked@example.org",
    "next": "/",
}


def state_of_the_world() -> dict[str, object]:
    """What a refused request must not change (a passport viewing is audited, so it counts)."""
    db.session.rollback()

    def count(model: type) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return {
        "invitations": db.session.execute(
            select(
                VipInvitation.id, VipInvitation.status, VipInvitation.token_version,
                VipInvitation.full_name, VipInvitation.title, VipInvitation.reminded_at,
            ).order_by(VipInvitation.id)
        ).all(),
        "members": count(DelegationMember),
        "registrations": db.session.execute(
            select(Registration.id, Registration.status, Registration.badge_version)
            .order_by(Registration.id)
        ).all(),
        "rooms": db.session.execute(
            select(MeetingRoom.id, MeetingRoom.name, MeetingRoom.capacity).order_by(MeetingRoom.id)
        ).all(),
        "slots": db.session.execute(
            select(MeetingSlot.id, MeetingSlot.invitation_id).order_by(MeetingSlot.id)
        ).all(),
        "settings": count(ProtocolSettings),
        "audit": count(AuditEntry),
        "mail": count(OutboxMessage),
    }  # fmt: skip


def test_the_crawl_covers_the_whole_protocol_area(app):
    endpoints = {rule.endpoint for rule in protocol_rules(app)}

    assert {
        "protocol.editions", "protocol.invitations", "protocol.new_invitation",
        "protocol.edit_invitation", "protocol.import_invitations", "protocol.invitation",
        "protocol.show_passport", "protocol.send_invitation", "protocol.resend_invitation",
        "protocol.remind_invitation", "protocol.revoke_invitation", "protocol.badge_pdf",
        "protocol.reprint_badge", "protocol.protocol_list_pdf", "protocol.protocol_list_xlsx",
        "protocol.rooms", "protocol.edit_room", "protocol.generate_slots", "protocol.delete_slot",
        "protocol.schedule", "protocol.book_slot", "protocol.cancel_booking", "protocol.settings",
    } <= endpoints  # fmt: skip
    # The VIP's own pages are elsewhere (/rsvp, by token), not in this staff area.
    assert not any(endpoint.startswith("rsvp.") for endpoint in endpoints)


def test_anonymous_visitors_are_sent_to_log_in(app, client, url_values):
    failures = []
    for rule in protocol_rules(app, "GET"):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        location = urlsplit(response.headers.get("Location", ""))
        if response.status_code != 302 or location.path != "/account/login":
            failures.append(f"GET {path}: {response.status_code} {location.path}")
        elif parse_qs(location.query).get("next") != [path]:
            failures.append(f"GET {path}: login does not lead back ({location.query})")
    assert not failures, "\n".join(failures)


def test_anonymous_posts_are_sent_to_log_in_and_change_nothing(app, client, url_values):
    before = state_of_the_world()
    token = page_token(client)
    failures = []
    for rule in protocol_rules(app, "POST"):
        path = path_for(app, rule, url_values)
        response = client.post(path, data={"csrf_token": token, **HIJACK})
        location = urlsplit(response.headers.get("Location", "")).path
        if response.status_code != 302 or location != "/account/login":
            failures.append(f"POST {path}: {response.status_code} {location}")
    assert not failures, "\n".join(failures)
    assert state_of_the_world() == before


@pytest.mark.parametrize(
    "roles",
    [None, {Role.PARTICIPANT}, {Role.CHECKIN_STAFF}, {Role.MEDIA_REVIEWER},
     {Role.EXHIBITOR_CONTACT}],
    ids=["no-role", "participant", "checkin_staff", "media_reviewer", "exhibitor_contact"],
)  # fmt: skip
def test_other_roles_are_refused_every_protocol_page(app, client, url_values, roles):
    make_user("someone@example.org", roles=roles)
    log_in(client, "someone@example.org")
    before = state_of_the_world()
    token = page_token(client)
    failures = []
    for rule in protocol_rules(app, "GET"):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        if response.status_code != 403:
            failures.append(f"GET {path}: {response.status_code}")
        elif "Access denied" not in visible_text(response):
            failures.append(f"GET {path}: 403 without the friendly page")
        elif b"%PDF" in response.data or b"Maria Example" in response.data:
            failures.append(f"GET {path}: something leaked")
    for rule in protocol_rules(app, "POST"):
        path = path_for(app, rule, url_values)
        response = client.post(path, data={"csrf_token": token, **HIJACK})
        if response.status_code != 403:
            failures.append(f"POST {path}: {response.status_code}")
        elif PASSPORT_NUMBER.encode() in response.data:
            failures.append(f"POST {path}: the passport leaked")
    assert not failures, "\n".join(failures)
    assert state_of_the_world() == before


@pytest.mark.parametrize("who", ["protocol", "organizer"])
def test_protocol_staff_and_organizers_open_every_protocol_page(app, client, url_values, who):
    if who == "protocol":
        make_protocol_officer()
        log_in(client, "protocol@example.org")
    else:
        make_organizer()
        log_in(client, "organizer@example.org")
    failures = []
    for rule in protocol_rules(app, "GET"):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        if response.status_code != 200:
            failures.append(f"GET {path}: {response.status_code}")
        elif PASSPORT_NUMBER.encode() in response.data:
            failures.append(f"GET {path}: passport details shown without being asked for")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["protocol", "organizer"])
def test_staff_read_the_passport_on_request(app, client, url_values, who):
    email = f"{who}@example.org"
    make_protocol_officer(email) if who == "protocol" else make_organizer(email)
    log_in(client, email)
    url = f"{INVITATIONS}/{url_values['invitation_id']}"
    token = csrf_token_from(html(client.get(url)))

    response = client.post(f"{url}/passport", data={"csrf_token": token})

    assert response.status_code == 200
    assert PASSPORT_NUMBER in html(response)


def test_posts_without_a_token_are_refused_and_change_nothing(app, client, url_values):
    make_organizer()  # may use every form
    log_in(client, "organizer@example.org")
    before = state_of_the_world()
    failures = []
    rules = [*protocol_rules(app, "POST")]
    for rule in rules:
        path = path_for(app, rule, url_values)
        for token in (None, "forged-token"):
            data = dict(HIJACK)
            if token is not None:
                data["csrf_token"] = token
            response = client.post(path, data=data)
            if response.status_code != 400 or FORM_EXPIRED not in visible_text(response):
                failures.append(f"POST {path} (token {token}): {response.status_code}")
            elif PASSPORT_NUMBER.encode() in response.data:
                failures.append(f"POST {path} (token {token}): the passport leaked")
    assert not failures, "\n".join(failures)
    assert state_of_the_world() == before


def test_the_navigation_leads_protocol_staff_to_their_editions(client, url_values):
    make_protocol_officer()
    log_in(client, "protocol@example.org")

    home = html(client.get("/"))
    index = html(client.get("/protocol/"))

    assert 'href="/protocol/"' in home
    assert f'href="{BASE}/invitations"' in index
    # Protocol staff are not sent to organizer pages they cannot open.
    assert "/organizer/" not in html(client.get(f"{BASE}/invitations"))


def test_participants_are_not_shown_the_protocol_link(client, url_values):
    make_user("participant@example.org")
    log_in(client, "participant@example.org")

    assert 'href="/protocol/"' not in html(client.get("/"))


def test_organizers_find_the_protocol_pages_from_the_edition(client, url_values):
    make_organizer()
    log_in(client, "organizer@example.org")

    page = html(client.get(f"/organizer/editions/{SLUG}"))

    assert f'href="{BASE}/invitations"' in page
    assert "Protocol (VIPs)" in page
