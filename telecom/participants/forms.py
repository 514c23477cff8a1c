"""Forms of pass types (organizers), visitor registration and a person's own details."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from telecom.core.countries import country_choices
from telecom.core.forms import strip_whitespace
from telecom.participants.models import (
    REGISTRATION_CATEGORY_LABELS,
    JobFunction,
    PassType,
    RegistrationCategory,
    VisitPurpose,
)
from telecom.participants.services import passes
from telecom.participants.services.passes import PassTypeData
from telecom.participants.services.registration import DetailsData, VisitorData

_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _blank(label: object = "—") -> SelectChoice:
    return SelectChoice("", str(label))


def _category_choices() -> list[SelectChoice]:
    return [SelectChoice(c.value, label) for c, label in REGISTRATION_CATEGORY_LABELS.items()]


def _job_choices() -> list[SelectChoice]:
    return [_blank(), *(SelectChoice(j.value, j.label) for j in JobFunction)]


def _sector_choices() -> list[SelectChoice]:
    from telecom.exhibitors.models import Sector

    return [_blank(), *Sector.choices()]


class PassTypeForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=100)]
    )
    description = TextAreaField(
        _l("Description"), filters=[strip_whitespace], validators=[Optional(), Length(max=2000)]
    )
    public_category = SelectField(
        _l("Category of a public registration"),
        choices=_category_choices,
        default=RegistrationCategory.VISITOR.value,
        validators=[DataRequired()],
    )
    other_categories = SelectMultipleField(
        _l("Also allowed for"),
        choices=_category_choices,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    price = DecimalField(
        _l("Price"),
        places=2,
        default=0,
        validators=[InputRequired(message=_l("Give a price; 0 makes the pass free."))],
    )
    valid_from = DateField(_l("Valid from"), validators=[InputRequired()])
    valid_until = DateField(_l("Valid until"), validators=[InputRequired()])
    days_valid = IntegerField(
        _l("Days admitted"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l(
            "Leave empty for every day from the first to the last. 1 makes a day pass: "
            "the visitor chooses the day."
        ),
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l("Leave empty for no limit."),
    )
    sale_starts_at = DateTimeLocalField(
        _l("Sale starts"), format=_DATETIME_FORMAT, validators=[Optional()]
    )
    sale_ends_at = DateTimeLocalField(
        _l("Sale ends"), format=_DATETIME_FORMAT, validators=[Optional()]
    )
    forum_access = BooleanField(_l("Gives access to the forum"))
    invitation_only = BooleanField(_l("By invitation only (an invitation code is required)"))
    exhibitor_invitations = IntegerField(
        _l("Invitation codes per exhibitor"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0)],
    )
    active = BooleanField(_l("Offered (on sale within its sale window)"), default=True)

    def to_data(self) -> PassTypeData:
        public = RegistrationCategory(self.public_category.data)
        others = [RegistrationCategory(c) for c in self.other_categories.data or []]
        return PassTypeData(
            name=self.name.data or "",
            description=self.description.data or "",
            categories=[public, *(c for c in others if c != public)],
            price=self.price.data,
            valid_from=self.valid_from.data,
            valid_until=self.valid_until.data,
            days_valid=self.days_valid.data,
            capacity=self.capacity.data,
            sale_starts_at=self.sale_starts_at.data,
            sale_ends_at=self.sale_ends_at.data,
            forum_access=self.forum_access.data,
            invitation_only=self.invitation_only.data,
            exhibitor_invitations=self.exhibitor_invitations.data or 0,
            active=self.active.data,
        )

    def fill(self, data: PassTypeData) -> None:
        for name in (
            "name", "description", "price", "valid_from", "valid_until", "days_valid",
            "capacity", "sale_starts_at", "sale_ends_at", "forum_access", "invitation_only",
            "exhibitor_invitations", "active",
        ):  # fmt: skip
            self[name].data = getattr(data, name)
        self.public_category.data = data.categories[0].value
        self.other_categories.data = [c.value for c in data.categories[1:]]


def _day_choices(pass_type: PassType) -> list[SelectChoice]:
    days = passes.start_days(pass_type)
    choices = []
    for day in days:
        label = format_date(day, "full")
        if pass_type.days_valid and pass_type.days_valid > 1:
            last = day + timedelta(days=pass_type.days_valid - 1)
            label = f"{format_date(day, 'full')} – {format_date(last, 'full')}"
        choices.append(SelectChoice(day.isoformat(), label))
    return [_blank(), *choices]


class RegistrationForm(FlaskForm):
    """A visitor registers for one pass; no account needed."""

    full_name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=200)],
        description=_l("As it should be printed on your badge."),
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(),
            Length(max=320),
            Email(check_deliverability=False, message=_l("Enter a valid e-mail address.")),
        ],
        description=_l("We send a link to it: your registration counts once you follow it."),
    )
    organisation_name = StringField(
        _l("Organisation"), filters=[strip_whitespace], validators=[Optional(), Length(max=200)]
    )
    job_function = SelectField(_l("Job function"), choices=_job_choices, validators=[Optional()])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    sector = SelectField(_l("Sector"), choices=_sector_choices, validators=[Optional()])
    purpose = RadioField(
        _l("Purpose of your visit"),
        choices=[SelectChoice(p.value, p.label) for p in VisitPurpose],
        validators=[InputRequired(message=_l("Say why you are visiting."))],
    )
    day = SelectField(_l("Day"), validators=[Optional()])
    accessibility_needs = TextAreaField(
        _l("Accessibility needs (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=1000)],
        description=_l("Tell us what would help you visit: we use it only to prepare for it."),
    )
    invitation_code = StringField(
        _l("Invitation code"), filters=[strip_whitespace], validators=[Optional(), Length(max=40)]
    )
    promo_code = StringField(
        _l("Promo code (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=40)],
    )
    consent = BooleanField(
        _l(
            "I agree that the organizers keep these details to register me, print my badge "
            "and check me in, and to count visitors; they are kept until two years after the "
            "event, and I can erase them at any time from my registrations page."
        ),
        validators=[DataRequired(message=_l("We need your consent to register you."))],
    )

    def __init__(self, pass_type: PassType, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [_blank(), *country_choices()]
        self.chooses_day = passes.chooses_days(pass_type)
        if self.chooses_day:
            self.day.choices = _day_choices(pass_type)
            self.day.validators = [DataRequired(message=_l("Choose a day."))]
        else:
            self.day.choices = [_blank()]
        if pass_type.invitation_only:
            self.invitation_code.label.text = str(_l("Invitation code"))
        else:
            self.invitation_code.label.text = str(_l("Invitation code (optional)"))

    def to_data(self, locale: str | None) -> VisitorData:
        day = date.fromisoformat(self.day.data) if self.chooses_day and self.day.data else None
        return VisitorData(
            full_name=self.full_name.data or "",
            email=self.email.data or "",
            organisation_name=self.organisation_name.data or "",
            job_function=self.job_function.data or None,
            country=self.country.data or "",
            sector=self.sector.data or None,
            purpose=self.purpose.data or "",
            day=day,
            accessibility_needs=self.accessibility_needs.data or "",
            invitation_code=self.invitation_code.data or "",
            promo_code=self.promo_code.data or "",
            consent=bool(self.consent.data),
            locale=locale,
        )


class DetailsForm(FlaskForm):
    """What a person may change about themselves."""

    full_name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=200)],
        description=_l("Changing the name, organisation or country issues a new badge."),
    )
    organisation_name = StringField(
        _l("Organisation"), filters=[strip_whitespace], validators=[Optional(), Length(max=200)]
    )
    job_function = SelectField(_l("Job function"), choices=_job_choices, validators=[Optional()])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    accessibility_needs = TextAreaField(
        _l("Accessibility needs"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=1000)],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [_blank(), *country_choices()]

    def fill(self, data: DetailsData) -> None:
        self.full_name.data = data.full_name
        self.organisation_name.data = data.organisation_name
        self.job_function.data = data.job_function.value if data.job_function else ""
        self.country.data = data.country
        self.accessibility_needs.data = data.accessibility_needs

    def to_data(self) -> DetailsData:
        return DetailsData(
            full_name=self.full_name.data or "",
            organisation_name=self.organisation_name.data or "",
            job_function=self.job_function.data or None,
            country=self.country.data or "",
            accessibility_needs=self.accessibility_needs.data or "",
        )


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand: my name and contact details are erased and cannot be restored."),
        validators=[DataRequired(message=_l("Tick the box to confirm the erasure."))],
    )
