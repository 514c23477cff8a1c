"""The journalist's forms: the accreditation application and the evidence upload.

The forms only parse what was typed (choices, dates, lengths); the rules of an
application (valid URLs, what a submission needs, the window) live in the
services, whose ValidationError names the form field it concerns.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from telecom.core.countries import country_choices
from telecom.core.forms import strip_whitespace
from telecom.media.models import DocumentKind, MediaRole, OutletType
from telecom.media.services.applications import ApplicationData

# Links to up to three bylined pieces, one field each.
BYLINE_FIELDS = ("byline_1", "byline_2", "byline_3")


def _blank() -> SelectChoice:
    return SelectChoice("", "—")


def _outlet_type_choices() -> list[SelectChoice]:
    return [_blank(), *(SelectChoice(t.value, t.label) for t in OutletType)]


def _role_choices() -> list[SelectChoice]:
    return [_blank(), *(SelectChoice(r.value, r.label) for r in MediaRole)]


def _kind_choices() -> list[SelectChoice]:
    return [_blank(), *(SelectChoice(k.value, k.label) for k in DocumentKind)]


def _optional_text(label: object, max_length: int, description: object = None) -> StringField:
    return StringField(
        label,
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=max_length)],
        description=description,
    )


def _byline(number: int) -> StringField:
    return _optional_text(
        _l("Bylined piece %(n)d (link)", n=number),
        500,
        _l("A link to a piece published under your name in the last twelve months.")
        if number == 1
        else None,
    )


class ApplicationForm(FlaskForm):
    """The application, as the journalist starts it and edits it until it is submitted.

    Nothing but the name is required here: a draft may be incomplete, and the
    submission says what is still missing.
    """

    full_name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter your full name.")), Length(max=200)],
        description=_l("As it should be printed on your badge."),
    )
    job_title = _optional_text(_l("Job title"), 200)
    nationality = SelectField(_l("Nationality"), validators=[Optional()])
    phone = _optional_text(
        _l("Phone"), 40, _l("With the country code, so we can reach you during the event.")
    )
    outlet_name = _optional_text(_l("Media outlet"), 200)
    outlet_type = SelectField(
        _l("Type of outlet"), choices=_outlet_type_choices, validators=[Optional()]
    )
    outlet_country = SelectField(_l("Country of the outlet"), validators=[Optional()])
    outlet_website = _optional_text(
        _l("Website of the outlet"), 500, _l("For example https://www.example-news.org")
    )
    role = SelectField(_l("Your role"), choices=_role_choices, validators=[Optional()])
    press_card_number = _optional_text(_l("Press card number"), 60)
    press_card_expires_on = DateField(
        _l("Press card valid until"),
        validators=[Optional()],
        description=_l("The press card must still be valid when you submit."),
    )
    byline_1 = _byline(1)
    byline_2 = _byline(2)
    byline_3 = _byline(3)
    consent = BooleanField(
        _l("I agree to the processing of my data for my accreditation, as explained here.")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        countries = [_blank(), *country_choices()]
        self.nationality.choices = countries
        self.outlet_country.choices = countries

    @property
    def byline_fields(self) -> list[StringField]:
        return [self[name] for name in BYLINE_FIELDS]

    def to_data(self) -> ApplicationData:
        return ApplicationData(
            full_name=self.full_name.data or "",
            job_title=self.job_title.data or "",
            nationality=self.nationality.data or None,
            phone=self.phone.data or "",
            outlet_name=self.outlet_name.data or "",
            outlet_type=OutletType(self.outlet_type.data) if self.outlet_type.data else None,
            outlet_country=self.outlet_country.data or None,
            outlet_website=self.outlet_website.data or "",
            role=MediaRole(self.role.data) if self.role.data else None,
            press_card_number=self.press_card_number.data or "",
            press_card_expires_on=self.press_card_expires_on.data,
            bylines=[field.data for field in self.byline_fields if field.data],
            consent=bool(self.consent.data),
        )

    def fill(self, data: ApplicationData) -> None:
        """Show what is saved (on a GET; a refused POST keeps what was typed)."""
        for name in (
            "full_name", "job_title", "nationality", "phone", "outlet_name", "outlet_country",
            "outlet_website", "press_card_number", "press_card_expires_on", "consent",
        ):  # fmt: skip
            self[name].data = getattr(data, name)
        self.outlet_type.data = OutletType(data.outlet_type).value if data.outlet_type else ""
        self.role.data = MediaRole(data.role).value if data.role else ""
        bylines = list(data.bylines or [])[: len(BYLINE_FIELDS)]
        for field, url in zip(self.byline_fields, bylines + [""] * 3, strict=False):
            field.data = url

    def field_for(self, service_field: str | None, message: str = "") -> str | None:
        """The form field a service error names.

        The service names all links "bylines"; the error goes to the link it
        quotes, else to the first one.
        """
        if service_field != "bylines":
            return service_field
        for field in self.byline_fields:
            if field.data and field.data in message:
                return field.name
        return BYLINE_FIELDS[0]


class DocumentForm(FlaskForm):
    """One evidence file: a letter of assignment, a press card or the badge photo."""

    kind = SelectField(
        _l("Document"),
        choices=_kind_choices,
        validators=[DataRequired(message=_l("Say which document this is."))],
    )
    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )

    def document_kind(self) -> DocumentKind:
        return DocumentKind(self.kind.data)
