"""Edition and candidate-venue forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from telecom.core.countries import country_choices, currency_choices, timezone_choices
from telecom.core.forms import strip_whitespace
from telecom.events.models import CANDIDATE_STATUS_LABELS, CandidateStatus
from telecom.events.services import SLUG_PATTERN, CandidateData, EditionData


class EditionForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=200)]
    )
    slug = StringField(
        _l("Slug"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                SLUG_PATTERN,
                message=_l("Use only lower-case letters, digits and single hyphens."),
            ),
        ],
        description=_l("Used in addresses, for example telecom-world-2015."),
    )
    city = StringField(
        _l("City"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=100)]
    )
    country = SelectField(_l("Country"), validators=[DataRequired()])
    venue = StringField(
        _l("Venue"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=200)]
    )
    # InputRequired, not DataRequired: an impossible date must say "Not a valid
    # date value", not "This field is required" (DataRequired drops that error).
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()], default="UTC")
    currency = SelectField(_l("Currency"), validators=[DataRequired()], default="CHF")
    campaign_start = DateField(
        _l("Web campaign starts"),
        validators=[Optional()],
        description=_l("Web traffic in this window counts toward the edition's KPI."),
    )
    campaign_end = DateField(_l("Web campaign ends"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [SelectChoice("", "—"), *country_choices()]
        self.timezone.choices = timezone_choices()
        self.currency.choices = currency_choices()

    def to_data(self) -> EditionData:
        return EditionData(
            slug=self.slug.data,
            name=self.name.data,
            city=self.city.data,
            country=self.country.data,
            venue=self.venue.data,
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            timezone=self.timezone.data,
            currency=self.currency.data,
            campaign_start=self.campaign_start.data,
            campaign_end=self.campaign_end.data,
        )


class CandidateVenueForm(FlaskForm):
    city = StringField(
        _l("City"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=100)]
    )
    country = SelectField(_l("Country"), validators=[DataRequired()])
    venue = StringField(
        _l("Venue"), filters=[strip_whitespace], validators=[Optional(), Length(max=200)]
    )
    score = DecimalField(
        _l("Score (0–100)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    status = SelectField(
        _l("Status"),
        # SelectChoice, not tuples: tuple choices are deprecated in WTForms 3.3.
        choices=[
            SelectChoice(status.value, label) for status, label in CANDIDATE_STATUS_LABELS.items()
        ],
        default=CandidateStatus.BID_RECEIVED.value,
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [SelectChoice("", "—"), *country_choices()]

    def to_data(self) -> CandidateData:
        return CandidateData(
            city=self.city.data,
            country=self.country.data,
            venue=self.venue.data or "",
            score=self.score.data,
            notes=self.notes.data or "",
            status=CandidateStatus(self.status.data),
        )
