"""The respondent's answer, given once through the personal link (no account).

Exhibitors rate how likely they are to recommend the event (0-10, the NPS
question), their overall satisfaction (1-5), whether they would exhibit
again, and may leave a comment; participants answer the same without the
recommendation score. Every value is checked here, so the page, a test or any
other caller meet the same rules; the refusal names each field it refuses.

One answer per invitation: a second submit, or two at the same moment (the
UNIQUE invitation id decides), is refused with `AlreadyAnswered` and changes
nothing.

The segment is stored with the answer, so that later edits do not move old
answers: for exhibitors the organisation's turnover band as it is when they
answer; for participants their registration category as at the sending of
the survey (the registrations of the edition that existed then, cancelled
ones only when there is nothing else), the highest in CATEGORY_PRIORITY.

The audit entry records that the invitation was answered, and nothing of
the answer: organizers read the audit log, and the answers are anonymous
to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.models import utcnow
from telecom.exhibitors.models import Organisation
from telecom.extensions import db
from telecom.participants.models import Registration, RegistrationCategory, RegistrationStatus
from telecom.surveys.models import SurveyAudience, SurveyInvitation, SurveyResponse
from telecom.surveys.services import CATEGORY_PRIORITY, AlreadyAnswered, SurveyError

__all__ = [
    "MAX_COMMENT_LENGTH",
    "RECOMMEND_SCORES",
    "SATISFACTION_SCORES",
    "SurveyAnswer",
    "answer",
    "has_answered",
    "participant_segment",
]

MAX_COMMENT_LENGTH = 2000
RECOMMEND_SCORES = range(0, 11)
SATISFACTION_SCORES = range(1, 6)
_YES = {"yes", "true", "1", "on"}
_NO = {"no", "false", "0"}


@dataclass
class SurveyAnswer:
    """What the form sends: strings from a page, or Python values from any other caller."""

    satisfaction: object = None
    would_return: object = None
    recommend_score: object = None  # exhibitors only; ignored for participants
    comment: object = ""


def _already_answered() -> AlreadyAnswered:
    return AlreadyAnswered(
        _("You have already answered this survey, thank you. Your answer has not been changed.")
    )


def has_answered(invitation: SurveyInvitation) -> bool:
    found = db.session.scalar(
        select(SurveyResponse.id).where(SurveyResponse.invitation_id == invitation.id)
    )
    return found is not None


def _score(value: object, scores: range) -> int | None:
    """The integer in `scores`, or None for anything else (missing, text, 4.5, True)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():  # also refuses "", "-1", "4.5"
            return None
        value = int(value)
    if not isinstance(value, int) or value not in scores:
        return None
    return value


def _yes_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    return None


def _checked(audience: SurveyAudience, data: SurveyAnswer) -> tuple[int | None, int, bool, str]:
    """(recommend_score, satisfaction, would_return, comment); SurveyError names every bad field."""
    errors: dict[str, str] = {}
    recommend = None
    if audience == SurveyAudience.EXHIBITOR:
        recommend = _score(data.recommend_score, RECOMMEND_SCORES)
        if recommend is None:
            errors["recommend_score"] = _(
                "Choose how likely you are to recommend the event, from 0 (not at all likely) "
                "to 10 (extremely likely)."
            )
    satisfaction = _score(data.satisfaction, SATISFACTION_SCORES)
    if satisfaction is None:
        errors["satisfaction"] = _(
            "Choose your overall satisfaction, from 1 (very dissatisfied) to 5 (very satisfied)."
        )
    would_return = _yes_no(data.would_return)
    if would_return is None:
        errors["would_return"] = (
            _("Say whether you would exhibit again.")
            if audience == SurveyAudience.EXHIBITOR
            else _("Say whether you would come again.")
        )
    comment = data.comment if data.comment is not None else ""
    if not isinstance(comment, str):
        errors["comment"] = _("Write the comment as text.")
        comment = ""
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = _(
            "Please shorten the comment to %(count)d characters at most (it has %(length)d).",
            count=MAX_COMMENT_LENGTH,
            length=len(comment),
        )
    if errors:
        raise SurveyError.of(errors)
    assert satisfaction is not None and would_return is not None
    return recommend, satisfaction, would_return, comment


def participant_segment(invitation: SurveyInvitation) -> str:
    """The person's registration category for this edition as at the sending, by priority."""
    rows = db.session.execute(
        select(Registration.category, Registration.status).where(
            Registration.edition_id == invitation.edition_id,
            Registration.person_id == invitation.person_id,
            Registration.created_at <= (invitation.created_at or utcnow()),
        )
    ).all()
    live = {RegistrationCategory(c) for c, status in rows if status != RegistrationStatus.CANCELLED}
    held = live or {RegistrationCategory(c) for c, _status in rows}
    for category in CATEGORY_PRIORITY:
        if category in held:
            return category.value
    return ""


def _segment(invitation: SurveyInvitation) -> str:
    if invitation.audience == SurveyAudience.PARTICIPANT:
        return participant_segment(invitation)
    if invitation.organisation_id is None:
        return ""
    organisation = db.session.get(Organisation, invitation.organisation_id)
    return organisation.turnover_band.value if organisation is not None else ""


@atomic
def answer(
    invitation: SurveyInvitation, data: SurveyAnswer, *, now: datetime | None = None
) -> SurveyResponse:
    """Save the one answer of this invitation.

    Refused: a value out of range or missing, a comment too long (SurveyError,
    with every refused field in `errors`); an invitation already answered
    (AlreadyAnswered, also when another submit wins at the same moment).
    """
    audience = SurveyAudience(invitation.audience)
    recommend, satisfaction, would_return, comment = _checked(audience, data)
    if has_answered(invitation):
        raise _already_answered()
    response = SurveyResponse(
        invitation_id=invitation.id,
        edition_id=invitation.edition_id,
        audience=audience,
        segment=_segment(invitation),
        recommend_score=recommend,
        satisfaction=satisfaction,
        would_return=would_return,
        comment=comment,
        created_at=now or utcnow(),
    )
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:
        # Two submits at once: the UNIQUE invitation id let the first one in.
        db.session.rollback()
        raise _already_answered() from None
    # That it was answered, never what: the audit log is read by organizers.
    audit.record(
        "answer_survey", invitation, actor=None, edition_id=invitation.edition_id,
        after={"answered": True},
    )  # fmt: skip
    commit()
    return response
