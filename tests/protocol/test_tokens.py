"""The personal RSVP link: it opens its own invitation and nothing else, and stops working
when it is tampered with, signed with another key, expired, replaced by a resend or revoked.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask, current_app
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from telecom.core.errors import NotFound
from telecom.extensions import db
from telecom.participants.services.people import find_or_create_person, manage_link_token
from telecom.protocol.models import InvitationStatus
from telecom.protocol.services import invitations, rsvp
from telecom.protocol.services.settings import ProtocolSettingsData, save_protocol_settings
from telecom.protocol.services.tokens import (
    RSVP_SALT,
    invitation_from_token,
    rsvp_token,
    rsvp_url,
)
from tests.helpers import MailSink
from tests.protocol.support_invitations import (
    CONTACT,
    MINISTER_EMAIL,
    invite,
    minister,
    officer,
    organizer,
    rsvp_link_in,
    through_focal_point,
    token_of,
    upcoming_edition,
)

NOT_VALID = "This invitation link is not valid"


def refusal(token: object, **kwargs: object) -> str:
    with pytest.raises(NotFound) as refused:
        invitation_from_token(token, **kwargs)  # type: ignore[arg-type]
    return refused.value.message


def test_the_mailed_link_opens_its_own_invitation_and_no_other(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    pia = officer()
    amina = invite(edition, pia)
    ousmane = invite(
        edition, pia, through_focal_point(full_name="Ousmane Sow", email="office@sow.example.gov")
    )

    messages = mail.wait_for(2)
    [to_amina] = [m for m in messages if m["To"] == MINISTER_EMAIL]
    [to_sow] = [m for m in messages if m["To"] == "office@sow.example.gov"]
    assert invitation_from_token(token_of(rsvp_link_in(to_amina))).id == amina.id
    assert invitation_from_token(token_of(rsvp_link_in(to_sow))).id == ousmane.id

    # The link is the RSVP page, which opens without an account and names the VIP.
    page = app.test_client().get(urlsplit(rsvp_link_in(to_amina)).path)
    assert page.status_code == 200
    assert "Amina Diallo" in page.get_data(as_text=True)
    assert "Ousmane Sow" not in page.get_data(as_text=True)


def test_a_tampered_link_opens_nothing(app: Flask) -> None:
    edition = upcoming_edition()
    pia = officer()
    first = invite(edition, pia)
    second = invite(edition, pia, minister(full_name="Other Minister", email="other@x.example"))
    token = rsvp_token(first)
    payload, timestamp, signature = token.split(".")

    # Another invitation's id in the payload, with the first one's signature.
    forged_payload = base64.urlsafe_b64encode(f"[{second.id},1]".encode()).rstrip(b"=").decode()
    assert forged_payload != payload
    assert NOT_VALID in refusal(f"{forged_payload}.{timestamp}.{signature}")
    # A changed signature, a changed timestamp, a truncated link.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert NOT_VALID in refusal(f"{payload}.{timestamp}.{flipped}")
    other_time = ("A" if timestamp[0] != "A" else "B") + timestamp[1:]
    assert NOT_VALID in refusal(f"{payload}.{other_time}.{signature}")
    assert NOT_VALID in refusal(token[:-3])
    assert NOT_VALID in refusal(f"{payload}.{timestamp}")
    # Nothing at all, rubbish, something huge.
    for rubbish in ("", None, "not-a-token", "...", "x" * 5000, 42):
        assert NOT_VALID in refusal(rubbish)
    # The untouched token still works.
    assert invitation_from_token(token).id == first.id


def test_a_token_signed_with_another_key_or_for_another_purpose_is_refused(app: Flask) -> None:
    edition = upcoming_edition()
    invitation = invite(edition, officer())
    payload = [invitation.id, invitation.token_version]

    other_key = URLSafeTimedSerializer("another-secret-key-of-enough-length-000000", salt=RSVP_SALT)
    assert NOT_VALID in refusal(other_key.dumps(payload))
    other_salt = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="participant-manage")
    assert NOT_VALID in refusal(other_salt.dumps(payload))
    # A real link of another kind (a participant's manage link) opens no invitation either.
    person = find_or_create_person("someone@example.org", full_name="Some One")
    assert NOT_VALID in refusal(manage_link_token(person))
    # The same payload signed by us, but not as a list of two numbers.
    ours = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RSVP_SALT)
    for odd in ({"i": invitation.id}, [invitation.id], [str(invitation.id), 1], [True, 1], "x"):
        assert NOT_VALID in refusal(ours.dumps(odd))
    assert NOT_VALID in refusal(ours.dumps([invitation.id + 1000, 1]))  # no such invitation


def _signed_at(moment: datetime) -> URLSafeTimedSerializer:
    """Our serializer, with itsdangerous's clock set to `moment` (a token issued then)."""

    class Clock(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(moment.timestamp())

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RSVP_SALT, signer=Clock)


def test_a_link_expires_after_the_configured_number_of_days(app: Flask) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia)
    issued = datetime.now(UTC)
    token = rsvp_token(invitation)

    # Valid for 60 days (the default), to the second.
    assert (
        invitation_from_token(token, now=issued + timedelta(days=59, hours=23)).id == invitation.id
    )
    message = refusal(token, now=issued + timedelta(days=60, minutes=1))
    assert "expired" in message
    assert CONTACT in message  # whom to ask for a new one

    # A link issued 61 days ago (by the clock of the signer) has expired now.
    old = _signed_at(datetime.now(UTC) - timedelta(days=61)).dumps(
        [invitation.id, invitation.token_version]
    )
    assert "expired" in refusal(old)
    recent = _signed_at(datetime.now(UTC) - timedelta(days=59)).dumps(
        [invitation.id, invitation.token_version]
    )
    assert invitation_from_token(recent).id == invitation.id

    # Protocol staff shorten the validity, and name another contact address.
    save_protocol_settings(
        edition,
        ProtocolSettingsData(
            slot_minutes=90, max_slots_per_day=2, rsvp_valid_days=10,
            contact_email="vip.desk@telecom-world.example",
        ),
        actor=organizer(),
    )  # fmt: skip
    assert invitation_from_token(token, now=issued + timedelta(days=9)).id == invitation.id
    message = refusal(token, now=issued + timedelta(days=10, minutes=1))
    assert "expired" in message
    assert "vip.desk@telecom-world.example" in message
    with pytest.raises(ValueError):
        invitation_from_token(token, now=datetime.now())  # a naive "now" is a bug, not a guess


def test_the_link_dies_when_the_invitation_is_revoked(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia)
    token = token_of(rsvp_link_in(mail.wait_for(1)[0]))
    assert invitation_from_token(token).id == invitation.id

    invitations.revoke(invitation, "The minister left office.", actor=pia)

    message = refusal(token)
    assert "withdrawn" in message
    assert CONTACT in message
    # Even a link made afterwards for the revoked invitation opens nothing.
    db.session.expire_all()
    assert "withdrawn" in refusal(rsvp_token(invitation))
    # And the RSVP page says so instead of showing the invitation.
    page = app.test_client().get(f"/rsvp/{token}")
    assert page.status_code == 404
    assert "withdrawn" in page.get_data(as_text=True)


def test_an_old_link_is_refused_after_a_resend_and_the_new_one_works(
    app: Flask, mail: MailSink
) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia)
    old_token = token_of(rsvp_link_in(mail.wait_for(1)[0]))

    invitations.resend(invitation, actor=pia)

    new_token = token_of(rsvp_link_in(mail.wait_for(2)[1]))
    message = refusal(old_token)
    assert "replaced by a newer one" in message
    assert CONTACT in message
    assert invitation_from_token(new_token).id == invitation.id
    # The VIP cannot answer through the old link: the page refuses it.
    assert app.test_client().get(f"/rsvp/{old_token}").status_code == 404


def test_a_reminder_keeps_the_earlier_link_working(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    pia = officer()
    invitation = invite(edition, pia)
    first = token_of(rsvp_link_in(mail.wait_for(1)[0]))
    time.sleep(1.1)  # tokens carry a timestamp in seconds: the reminder's link is a new string

    invitations.remind(invitation, actor=pia)

    reminder = token_of(rsvp_link_in(mail.wait_for(2)[1]))
    assert reminder != first
    assert invitation_from_token(first).id == invitation.id
    assert invitation_from_token(reminder).id == invitation.id


def test_a_draft_has_no_working_link(app: Flask) -> None:
    edition = upcoming_edition()
    draft = invitations.create_invitation(edition, minister(), actor=officer())
    assert NOT_VALID in refusal(rsvp_token(draft))
    assert rsvp_url(draft).startswith("http://localhost/rsvp/")


def test_an_answered_invitation_still_opens_for_its_own_link(app: Flask, mail: MailSink) -> None:
    """Accepting or declining does not kill the link: the VIP may come back to change it."""
    edition = upcoming_edition()
    invitation = invite(edition, officer())
    token = token_of(rsvp_link_in(mail.wait_for(1)[0]))
    rsvp.decline(invitation)
    found = invitation_from_token(token)
    assert (found.id, found.status) == (invitation.id, InvitationStatus.DECLINED)
