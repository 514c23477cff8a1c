"""The personal survey link: a signed token that opens one invitation, without an account.

The token carries the invitation's id and its `token_version`, signed with
SECRET_KEY (itsdangerous, salt "survey-invitation"). Whoever holds the mail
may answer for the person it was sent to, and nothing else.

- Tampering, another SECRET_KEY, or a token of another kind: not valid.
- A resend bumps `token_version`, so every link mailed before stops working.

Every refusal gives the same message: the page never tells a stranger holding
a guessed or old link whether an invitation exists, was answered or resent.
The link does not expire: answers that come late still count for the edition.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer

from telecom.core.errors import NotFound
from telecom.extensions import db
from telecom.surveys.models import SurveyInvitation

__all__ = [
    "SURVEY_SALT",
    "invitation_from_token",
    "survey_token",
    "survey_url",
    "token_for",
    "url_for_token",
]

SURVEY_SALT = "survey-invitation"
# Far longer than any token we issue; anything longer is refused before it is decoded.
MAX_TOKEN_LENGTH = 200


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SURVEY_SALT)


def survey_token(invitation: SurveyInvitation) -> str:
    """The signed token of the invitation's current link version."""
    return token_for(invitation.id, invitation.token_version)


def token_for(invitation_id: int, version: int) -> str:
    """The signed token of one link version of an invitation (bulk sends know only the ids)."""
    return str(_serializer().dumps([invitation_id, version]))


def survey_url(invitation: SurveyInvitation) -> str:
    """The personal link mailed to the respondent."""
    return url_for_token(survey_token(invitation))


def url_for_token(token: str) -> str:
    return url_for("surveys.answer", token=token, _external=True)


def _not_valid() -> NotFound:
    return NotFound(
        _(
            "This survey link does not work. It may be incomplete or replaced by a newer "
            "link: please open the link in the most recent survey e-mail you received."
        )
    )


def invitation_from_token(token: str | None) -> SurveyInvitation:
    """The invitation the token opens (its latest link only); NotFound otherwise."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise _not_valid()
    try:
        payload = _serializer().loads(token)
    except BadData:  # a changed payload or signature, a truncation, another key or salt
        raise _not_valid() from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in payload)
    ):
        raise _not_valid()
    invitation_id, version = payload
    invitation = db.session.get(SurveyInvitation, invitation_id)
    if invitation is None or version != invitation.token_version:
        raise _not_valid()
    return invitation
