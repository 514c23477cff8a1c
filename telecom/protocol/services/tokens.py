"""The personal RSVP link: a signed, expiring token that opens one invitation.

The token carries the invitation's id and its `token_version`, signed with
SECRET_KEY (itsdangerous, salt "protocol-rsvp") and time-stamped. It needs no
account: whoever holds the mail may answer for the VIP, and nothing else.

- Tampering, another SECRET_KEY, or a token of another kind: not valid.
- A resend or a revocation bumps `token_version`, so every link mailed before
  stops working (an old link after a resend is "superseded").
- A link is valid for `rsvp_valid_days` (protocol settings) after it was
  issued; a reminder mails a fresh link of the same version, so the earlier
  link keeps working as long as it has not expired.
- Drafts have no link: they were never sent.

The expiry is checked against `now` (default: the current time) rather than
by itsdangerous's own `max_age`, so the rule can be exercised at any moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer

from telecom.core.errors import NotFound
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.protocol.models import InvitationStatus, ProtocolSettings, VipInvitation

RSVP_SALT = "protocol-rsvp"
# Far longer than any token we issue; anything longer is refused before it is decoded.
MAX_TOKEN_LENGTH = 400

__all__ = [
    "RSVP_SALT",
    "invitation_from_token",
    "rsvp_link_expires_at",
    "rsvp_token",
    "rsvp_url",
]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RSVP_SALT)


def _settings(edition_id: int) -> ProtocolSettings:
    # Imported here: the settings module belongs to the meeting-rooms side.
    from telecom.protocol.services.settings import protocol_settings

    edition = db.session.get(Edition, edition_id)
    assert edition is not None
    return protocol_settings(edition)


def rsvp_token(invitation: VipInvitation) -> str:
    """A new signed token for the invitation's current link version."""
    return str(_serializer().dumps([invitation.id, invitation.token_version]))


def rsvp_url(invitation: VipInvitation) -> str:
    """The personal RSVP link mailed to the VIP or their focal point."""
    return url_for("rsvp.invitation", token=rsvp_token(invitation), _external=True)


def rsvp_link_expires_at(invitation: VipInvitation, issued_at: datetime | None = None) -> datetime:
    """When a link issued at `issued_at` (default: now) stops working."""
    days = _settings(invitation.edition_id).rsvp_valid_days
    return (issued_at or utcnow()) + timedelta(days=days)


def _not_valid() -> NotFound:
    return NotFound(
        _(
            "This invitation link is not valid. Please open the complete link from the "
            "invitation e-mail."
        )
    )


def invitation_from_token(token: str | None, *, now: datetime | None = None) -> VipInvitation:
    """The invitation the token opens; NotFound with a message the VIP can act on, otherwise."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise _not_valid()
    try:
        payload, issued_at = _serializer().loads(token, return_timestamp=True)
    except BadData:  # a changed payload or signature, a truncation, another key or salt
        raise _not_valid() from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in payload)
    ):
        raise _not_valid()
    invitation_id, version = payload
    invitation = db.session.get(VipInvitation, invitation_id)
    if invitation is None or invitation.status == InvitationStatus.DRAFT:
        raise _not_valid()
    contact = _settings(invitation.edition_id).contact_email
    if invitation.status == InvitationStatus.REVOKED:
        raise NotFound(
            _(
                "This invitation has been withdrawn and the link no longer works. For any "
                "question, please contact the protocol office at %(contact)s.",
                contact=contact,
            )
        )
    if version != invitation.token_version:
        raise NotFound(
            _(
                "This link has been replaced by a newer one. Please use the link in the most "
                "recent e-mail from the protocol office, or write to %(contact)s.",
                contact=contact,
            )
        )
    moment = now or utcnow()
    if moment.tzinfo is None:
        raise ValueError("naive datetime given as now")  # guessing a zone hides bugs
    if moment > rsvp_link_expires_at(invitation, issued_at):
        raise NotFound(
            _(
                "This invitation link has expired. Please contact the protocol office at "
                "%(contact)s for a new one.",
                contact=contact,
            )
        )
    return invitation
