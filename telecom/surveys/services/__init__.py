"""Satisfaction surveys: who is asked, when, and the rules both sides share.

- `sending`: the organizer sends an edition's exhibitor or participant survey
  (one invitation per organisation contact or attendee, idempotent) and
  resends one invitation's link.
- `answering`: the respondent's single answer through the personal link.
- `results`: the organizer's figures (through the KPI engine), the anonymous
  comments and the invitation list.
- `tokens`: the signed personal link.

Who counts as an exhibitor is the KPI engine's rule (telecom/kpi/engine.py,
`_Engine._exhibitors`): an organisation of the edition with a confirmed or
paid booking, or an approved co-exhibitor of a pavilion. `is_exhibitor`
below is the same condition without the engine's as-of cut-off, so the
surveyed organisations are the ones the exhibitor KPI counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement

from telecom.auth.models import User
from telecom.core.errors import Conflict, ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.kpi.engine import exhibitor_condition
from telecom.participants.models import RegistrationCategory

__all__ = [
    "CATEGORY_PRIORITY",
    "AlreadyAnswered",
    "SurveyError",
    "is_exhibitor",
    "require_organizer",
    "sending_is_open",
    "sending_opens_at",
]

# A participant with several registrations answers in the category that says most
# about why they came: the invited roles first, the open visitor pass last.
# Organizer staff who were checked in are asked too (the engine counts them as
# participants) and answer as staff only when they held nothing else.
CATEGORY_PRIORITY: tuple[RegistrationCategory, ...] = (
    RegistrationCategory.VIP,
    RegistrationCategory.DELEGATION,
    RegistrationCategory.SPEAKER,
    RegistrationCategory.MEDIA,
    RegistrationCategory.EXHIBITOR_STAFF,
    RegistrationCategory.FORUM_DELEGATE,
    RegistrationCategory.VISITOR,
    RegistrationCategory.ORGANIZER_STAFF,
)


class SurveyError(ValidationError):
    """Refused answer values: `errors` maps each refused form field to its message.

    `message` and `field` are the first of them, for callers that show one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.errors: dict[str, str] = {field: message} if field else {}

    @classmethod
    def of(cls, errors: dict[str, str]) -> SurveyError:
        field, message = next(iter(errors.items()))
        error = cls(message, field)
        error.errors = dict(errors)
        return error


class AlreadyAnswered(Conflict):
    """The invitation has its answer: nothing was changed."""


def require_organizer(actor: User | None) -> User:
    return require_role(actor, Role.ORGANIZER)


def sending_opens_at(edition: Edition) -> datetime:
    """Surveys go out from the start of the edition's last day, where it takes place."""
    return edition.day_starts_at(edition.end_date)


def sending_is_open(edition: Edition, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= sending_opens_at(edition)


def is_exhibitor(edition: Edition) -> ColumnElement[bool]:
    """Organisations the exhibitor KPI counts (the engine's rule, without an as-of date)."""
    return exhibitor_condition(edition)
