"""Survey forms: the respondent's answer and the organizer's buttons and search.

The answer form only carries the values and the CSRF token: the rules (ranges,
required answers, the comment's length) live in services.answering, whose
refusals the page shows beside each field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SearchField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Optional

from telecom.surveys.models import SurveyAudience
from telecom.surveys.services.answering import (
    MAX_COMMENT_LENGTH,
    RECOMMEND_SCORES,
    SATISFACTION_SCORES,
)

__all__ = ["ActionForm", "AnswerForm", "InvitationSearchForm"]


SATISFACTION_LABELS = (
    _l("1 – Very dissatisfied"),
    _l("2 – Dissatisfied"),
    _l("3 – Neither satisfied nor dissatisfied"),
    _l("4 – Satisfied"),
    _l("5 – Very satisfied"),
)


class AnswerForm(FlaskForm):
    recommend_score = RadioField(
        _l("How likely are you to recommend TELECOM World to a colleague or business partner?"),
        choices=[SelectChoice(str(n), str(n)) for n in RECOMMEND_SCORES],
        validate_choice=False,
    )
    satisfaction = RadioField(
        _l("Overall, how satisfied are you with the event?"),
        choices=[
            SelectChoice(str(score), label)
            for score, label in zip(SATISFACTION_SCORES, SATISFACTION_LABELS, strict=True)
        ],
        validate_choice=False,
    )
    would_return = RadioField(
        _l("Would you come again?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validate_choice=False,
    )
    comment = TextAreaField(
        _l("Anything you would like to tell the organizers? (optional)"),
        description=_l("At most %(count)d characters.", count=MAX_COMMENT_LENGTH),
        render_kw={"rows": 5, "maxlength": MAX_COMMENT_LENGTH},
    )

    def for_audience(self, audience: SurveyAudience) -> AnswerForm:
        """Exhibitors are asked whether they would exhibit again, and the NPS question."""
        if audience == SurveyAudience.EXHIBITOR:
            self.would_return.label.text = str(_l("Would you exhibit again at TELECOM World?"))
        else:
            del self.recommend_score
        return self


class ActionForm(FlaskForm):
    """Only the CSRF token: send a survey, resend a link."""


class InvitationSearchForm(FlaskForm):
    """The invitation list's filters, read from the query string (GET: no token)."""

    class Meta:
        csrf = False

    audience = SelectField(
        _l("Survey"), default=SurveyAudience.EXHIBITOR.value, validators=[Optional()]
    )
    email = SearchField(_l("E-mail address contains"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.audience.choices = [SelectChoice(a.value, a.label) for a in SurveyAudience]

    def chosen_audience(self) -> SurveyAudience:
        self.validate()
        try:
            return SurveyAudience(self.audience.data or SurveyAudience.EXHIBITOR.value)
        except ValueError:
            return SurveyAudience.EXHIBITOR
