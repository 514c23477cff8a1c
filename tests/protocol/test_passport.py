"""Passport details: encrypted in the database, readable only with the key and only by protocol
staff, never in an audit entry, a mail or a log line; keys rotate; without a key they are
refused clearly.
"""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from sqlalchemy import func, select, text

from telecom.core.audit import AuditEntry, entries_for_object
from telecom.core.errors import Conflict, Forbidden
from telecom.core.outbox import OutboxMessage
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import Registration
from telecom.protocol.models import InvitationStatus, VipInvitation
from telecom.protocol.services import ProtocolError, rsvp
from telecom.protocol.services.crypto import (
    PassportData,
    PassportUnreadable,
    decrypt_passport,
    encrypt_passport,
    passport_encryption_available,
    reencrypt_passport,
)
from tests.helpers import MailSink, make_organizer, make_user
from tests.protocol.support_rsvp import (
    ADVISER,
    MINISTER_EMAIL,
    PASSPORT_NAME,
    PASSPORT_NUMBER,
    make_invitation,
    passport,
    protocol_officer,
    reload,
    running_edition,
    travel,
)

S = InvitationStatus


def _accept_with(invitation: VipInvitation, details: PassportData | None) -> VipInvitation:
    edition = db.session.get(Edition, invitation.edition_id)
    return rsvp.accept(
        invitation, travel(edition), [ADVISER], vip_email=MINISTER_EMAIL, passport=details
    )


def _raw_column(invitation: VipInvitation) -> bytes | None:
    """What the database itself holds, read with plain SQL (no ORM, no decryption)."""
    value = db.session.execute(
        text("SELECT passport_encrypted FROM vip_invitations WHERE id = :id"),
        {"id": invitation.id},
    ).scalar_one()
    return None if value is None else bytes(value)


def _everything_written_down() -> str:
    """Every audit entry's before/after and every queued message, as one text."""
    entries = [
        json.dumps([entry.action, entry.before, entry.after], ensure_ascii=False)
        for entry in db.session.scalars(select(AuditEntry))
    ]
    messages = [
        f"{message.subject}\n{message.body_text}"
        for message in db.session.scalars(select(OutboxMessage))
    ]
    return "\n".join(entries + messages)


# --- Stored encrypted ---------------------------------------------------------------------------


def test_passport_details_are_stored_encrypted_and_read_back_only_with_the_key(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    _accept_with(invitation, passport(edition))

    raw = _raw_column(invitation)
    assert raw is not None
    for secret in (PASSPORT_NUMBER, PASSPORT_NAME, "DQ7351", "AMINA KHADIJA"):
        assert secret.encode() not in raw
        assert secret.encode("utf-16-le") not in raw
    # It is a Fernet token of the configured key, and nothing else opens it.
    key = app.config["PROTOCOL_ENCRYPTION_KEYS"].split(",")[0]
    assert PASSPORT_NUMBER.encode() in Fernet(key).decrypt(raw)
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(raw)
    assert decrypt_passport(raw) == passport(edition)


def test_protocol_staff_and_organizers_read_the_details_and_each_reading_is_audited(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    _accept_with(invitation, passport(edition, number="dq 735-1946"))
    pia, olga = protocol_officer(), make_organizer()

    details = rsvp.passport_for_staff(reload(invitation), actor=pia)

    assert details == passport(edition)  # the number as printed: no spaces, upper case
    assert rsvp.passport_for_staff(reload(invitation), actor=olga) == details
    readings = [
        entry
        for entry in entries_for_object("vip_invitations", invitation.id)
        if entry.action == "view_passport"
    ]
    assert {entry.actor_id for entry in readings} == {pia.id, olga.id}
    assert all(entry.before is None and entry.after is None for entry in readings)


@pytest.mark.parametrize(
    "roles", [set(), {Role.PARTICIPANT}, {Role.CHECKIN_STAFF}, {Role.MEDIA_REVIEWER}]
)
def test_nobody_else_sees_the_passport_details(
    app: Flask, mail: MailSink, roles: set[Role]
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    _accept_with(invitation, passport(edition))
    someone = make_user("someone@example.org", roles=roles)

    with pytest.raises(Forbidden):
        rsvp.passport_for_staff(reload(invitation), actor=someone)
    with pytest.raises(Forbidden):
        rsvp.passport_for_staff(reload(invitation), actor=None)

    assert not [
        e
        for e in entries_for_object("vip_invitations", invitation.id)
        if e.action == "view_passport"
    ]


def test_without_passport_details_staff_read_nothing(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    _accept_with(invitation, None)

    assert rsvp.passport_for_staff(reload(invitation), actor=protocol_officer()) is None
    assert _raw_column(invitation) is None


# --- Never written down in clear ----------------------------------------------------------------


def test_the_details_are_absent_from_audit_entries_mail_and_logs(
    app: Flask, mail: MailSink, caplog: pytest.LogCaptureFixture
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    # Everything, down to each SQL statement with its parameters.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")

    _accept_with(invitation, passport(edition))
    rsvp.passport_for_staff(reload(invitation), actor=protocol_officer())
    _accept_with(reload(invitation), passport(edition, number="DQ7351947"))

    assert "UPDATE vip_invitations" in caplog.text  # the statements were captured
    assert "passport_on_file" in _everything_written_down()  # and the audit was written
    for secret in (PASSPORT_NUMBER, "DQ7351947", PASSPORT_NAME):
        assert secret not in caplog.text
        assert secret not in _everything_written_down()
        for message in mail.wait_for(2):
            assert secret not in message.as_string()
    assert "Passport details: received" in mail.wait_for(2)[0].as_string()


def test_passport_details_print_as_hidden(app: Flask) -> None:
    edition = running_edition()
    details = passport(edition)

    assert PASSPORT_NUMBER not in repr(details) and PASSPORT_NUMBER not in str(details)
    assert PASSPORT_NUMBER not in f"{details!r} {details}"


# --- Keys ---------------------------------------------------------------------------------------


def test_a_rotated_key_still_opens_what_the_old_key_encrypted(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    _accept_with(invitation, passport(edition))
    old_key = app.config["PROTOCOL_ENCRYPTION_KEYS"]
    new_key = Fernet.generate_key().decode()
    app.config["PROTOCOL_ENCRYPTION_KEYS"] = f"{new_key}, {old_key}"

    assert rsvp.passport_for_staff(reload(invitation), actor=protocol_officer()) == passport(
        edition
    )

    # New details are encrypted with the new key, and old ones can be moved to it.
    fresh = encrypt_passport(passport(edition))
    assert Fernet(new_key).decrypt(fresh)
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(fresh)
    moved = reencrypt_passport(_raw_column(invitation))
    assert Fernet(new_key).decrypt(moved)
    app.config["PROTOCOL_ENCRYPTION_KEYS"] = new_key
    assert decrypt_passport(moved) == passport(edition)


def test_details_the_keys_cannot_open_are_a_clear_refusal(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    _accept_with(invitation, passport(edition))
    app.config["PROTOCOL_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()

    with pytest.raises(PassportUnreadable) as refused:
        rsvp.passport_for_staff(reload(invitation), actor=protocol_officer())

    assert isinstance(refused.value, Conflict)
    assert "cannot be decrypted" in refused.value.message
    assert "PROTOCOL_ENCRYPTION_KEYS" in refused.value.message
    with pytest.raises(PassportUnreadable):
        decrypt_passport(b"not a fernet token")


@pytest.mark.parametrize("keys", ["", "  ,  ", "not-a-fernet-key"])
def test_without_a_usable_key_passport_details_are_refused_clearly(
    app: Flask, mail: MailSink, caplog: pytest.LogCaptureFixture, keys: str
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    app.config["PROTOCOL_ENCRYPTION_KEYS"] = keys

    assert not passport_encryption_available()
    with pytest.raises(ProtocolError) as refused:
        _accept_with(invitation, passport(edition))

    assert refused.value.field == "number"
    assert "encryption is not configured" in refused.value.message
    assert reload(invitation).status == S.INVITED
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    if keys.strip(" ,"):
        assert keys not in caplog.text  # a malformed key is reported, never printed
    # Without passport details the reply goes through.
    _accept_with(reload(invitation), None)
    assert reload(invitation).status == S.ACCEPTED


# --- What is given ------------------------------------------------------------------------------

PASSPORT_REFUSALS = {
    "a number too short": ({"number": "D12"}, "number", "4 to 20 letters and digits"),
    "a number with punctuation": ({"number": "DQ7351/946"}, "number", "letters and digits"),
    "no number": ({"number": "  "}, "number", "Enter the passport number"),
    "no nationality": ({"nationality": ""}, "nationality", "nationality"),
    "an unknown nationality": ({"nationality": "XX"}, "nationality", "nationality"),
    "no name": ({"full_name_as_in_passport": " "}, "full_name_as_in_passport", "exactly as"),
    "no expiry date": ({"expires_on": None}, "expires_on", "expiry date"),
    "issued in the future": (
        {"issued_on": date.today() + timedelta(days=30)},
        "issued_on",
        "cannot be in the future",
    ),
    "expiring before issue": (
        {"issued_on": date(2020, 1, 1), "expires_on": date(2019, 1, 1)},
        "expires_on",
        "after the date of issue",
    ),
}


@pytest.mark.parametrize("case", list(PASSPORT_REFUSALS))
def test_wrong_passport_details_are_refused_beside_their_field(
    app: Flask, mail: MailSink, case: str
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    changes, field, message = PASSPORT_REFUSALS[case]

    with pytest.raises(ProtocolError) as refused:
        _accept_with(invitation, passport(edition, **changes))

    assert refused.value.field == field
    assert message in refused.value.message
    assert PASSPORT_NUMBER not in refused.value.message
    assert reload(invitation).status == S.INVITED and _raw_column(invitation) is None


def test_a_passport_expiring_before_the_event_ends_is_refused(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    with pytest.raises(ProtocolError) as refused:
        _accept_with(invitation, passport(edition, expires_on=edition.end_date - timedelta(days=1)))

    assert refused.value.field == "expires_on"
    assert "expires before the event ends" in refused.value.message


def test_an_empty_passport_section_is_no_passport(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)

    _accept_with(invitation, PassportData("", " ", None, None, ""))

    assert reload(invitation).status == S.ACCEPTED and _raw_column(invitation) is None


def test_an_updated_reply_keeps_the_details_unless_new_ones_are_given(
    app: Flask, mail: MailSink
) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    _accept_with(invitation, passport(edition))
    pia = protocol_officer()

    _accept_with(reload(invitation), None)
    assert rsvp.passport_for_staff(reload(invitation), actor=pia) == passport(edition)

    _accept_with(reload(invitation), passport(edition, number="AB1234567"))
    assert rsvp.passport_for_staff(reload(invitation), actor=pia).number == "AB1234567"


def test_declining_deletes_the_passport_details(app: Flask, mail: MailSink) -> None:
    edition = running_edition()
    invitation = make_invitation(edition)
    _accept_with(invitation, passport(edition))

    rsvp.decline(reload(invitation))

    assert _raw_column(invitation) is None
    assert rsvp.passport_for_staff(reload(invitation), actor=protocol_officer()) is None
    [entry] = [
        e for e in entries_for_object("vip_invitations", invitation.id) if e.action == "decline"
    ]
    assert entry.before["passport_on_file"] is True and entry.after["passport_on_file"] is False
