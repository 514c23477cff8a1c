"""Organisation, member, co-exhibitor and filter forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import ValidationError as FormValidationError
from wtforms.validators import DataRequired, Email, Length, Optional

from telecom.core import storage
from telecom.core.countries import country_choices, country_name
from telecom.core.errors import ValidationError
from telecom.core.forms import strip_whitespace
from telecom.exhibitors.models import (
    PavilionKind,
    RateCategory,
    Sector,
    TurnoverBand,
)
from telecom.exhibitors.services.organisations import (
    CoExhibitorData,
    DirectoryFilters,
    OrganisationData,
    clean_website,
)
from telecom.exhibitors.services.reports import (
    BOOKING_FILTERS,
    ORGANISATION_STATUS_FILTERS,
    OrganisationFilters,
)

_email = [
    Optional(),
    Length(max=320),
    Email(check_deliverability=False, message=_l("Enter a valid e-mail address.")),
]


def _blank(label: object = "—") -> SelectChoice:
    return SelectChoice("", str(label))


def _check_website(form: FlaskForm, field: StringField) -> None:
    try:
        field.data = clean_website(field.data or "")
    except ValidationError as error:
        raise FormValidationError(error.message) from None


def _check_logo(form: FlaskForm, field: FileField) -> None:
    """Read the upload once, check its bytes, keep them for the service."""
    form.logo_bytes = None
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return
    data = storage.read_upload(upload.stream)
    try:
        storage.check_image(data)
    except ValidationError as error:
        raise FormValidationError(error.message) from None
    form.logo_bytes = data


class OrganisationForm(FlaskForm):
    """What an exhibitor contact fills in and edits (not the rate category)."""

    legal_name = StringField(
        _l("Legal name"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=200)],
        description=_l("As on your company registration and invoices."),
    )
    display_name = StringField(
        _l("Display name"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=200)],
        description=_l("The name shown in the exhibitor directory and on the floor plan."),
    )
    country = SelectField(_l("Country"), validators=[DataRequired()])
    sector = SelectField(_l("Sector"), validators=[DataRequired()])
    turnover_band = SelectField(_l("Annual turnover"), validators=[DataRequired()])
    pavilion_kind = SelectField(
        _l("Pavilion"),
        validators=[Optional()],
        description=_l(
            "Choose this if you organise a national or thematic pavilion: you can then invite "
            "co-exhibitors, who share your space."
        ),
    )
    website = StringField(
        _l("Website"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=300), _check_website],
        description=_l("For example https://www.example.org"),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Shown in the public exhibitor directory."),
    )
    logo = FileField(
        _l("Logo"),
        validators=[_check_logo],
        description=_l("PNG, JPEG or WebP image, at most 2 MB. SVG files are not accepted."),
    )
    remove_logo = BooleanField(_l("Remove the current logo"))
    billing_address = TextAreaField(
        _l("Billing address"), validators=[Optional(), Length(max=2000)]
    )
    vat_number = StringField(
        _l("VAT / tax number"), filters=[strip_whitespace], validators=[Optional(), Length(max=50)]
    )
    contact_name = StringField(
        _l("Contact name"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=200)],
    )
    contact_email = EmailField(
        _l("Contact e-mail"),
        filters=[strip_whitespace],
        validators=[DataRequired(), *_email[1:]],
        description=_l("Booking and invoice messages also go to this address."),
    )
    contact_phone = StringField(
        _l("Contact phone"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=50)],
    )

    logo_bytes: bytes | None = None

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [_blank(), *country_choices()]
        self.sector.choices = [_blank(), *Sector.choices()]
        self.turnover_band.choices = [_blank(), *TurnoverBand.choices()]
        self.pavilion_kind.choices = [_blank(_l("Not a pavilion")), *PavilionKind.choices()]

    def to_data(self) -> OrganisationData:
        return OrganisationData(
            legal_name=self.legal_name.data or "",
            display_name=self.display_name.data or "",
            country=self.country.data or "",
            sector=Sector(self.sector.data),
            turnover_band=TurnoverBand(self.turnover_band.data),
            website=self.website.data or "",
            billing_address=self.billing_address.data or "",
            vat_number=self.vat_number.data or "",
            description=self.description.data or "",
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
            pavilion_kind=PavilionKind(self.pavilion_kind.data)
            if self.pavilion_kind.data
            else None,
        )


class OrganizerOrganisationForm(OrganisationForm):
    """The organizers' version: every field, including the rate category."""

    rate_category = SelectField(
        _l("Rate category"),
        validators=[DataRequired()],
        description=_l("Set a reduced rate only after checking the organisation's eligibility."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.rate_category.choices = RateCategory.choices()


class MemberForm(FlaskForm):
    email = EmailField(
        _l("Colleague's e-mail address"),
        filters=[strip_whitespace],
        validators=[DataRequired(), *_email[1:]],
        description=_l("Your colleague needs an account on this site first."),
    )


class CoExhibitorForm(FlaskForm):
    legal_name = StringField(
        _l("Legal name"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=200)]
    )
    display_name = StringField(
        _l("Display name"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=200)],
    )
    country = SelectField(_l("Country"), validators=[DataRequired()])
    sector = SelectField(_l("Sector"), validators=[DataRequired()])
    turnover_band = SelectField(_l("Annual turnover"), validators=[DataRequired()])
    contact_name = StringField(
        _l("Contact name"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=200)],
    )
    contact_email = EmailField(
        _l("Contact e-mail"), filters=[strip_whitespace], validators=[DataRequired(), *_email[1:]]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [_blank(), *country_choices()]
        self.sector.choices = [_blank(), *Sector.choices()]
        self.turnover_band.choices = [_blank(), *TurnoverBand.choices()]

    def to_data(self) -> CoExhibitorData:
        return CoExhibitorData(
            legal_name=self.legal_name.data or "",
            display_name=self.display_name.data or "",
            country=self.country.data or "",
            sector=Sector(self.sector.data),
            turnover_band=TurnoverBand(self.turnover_band.data),
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
        )


class DecisionForm(FlaskForm):
    reason = StringField(
        _l("Reason (optional, sent to the pavilion)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=500)],
    )


class DirectoryFilterForm(Form):
    """The public directory's search (GET, no token: it changes nothing)."""

    q = StringField(_l("Name"), filters=[strip_whitespace])
    country = SelectField(_l("Country"))
    sector = SelectField(_l("Sector"))
    hall = SelectField(_l("Hall"))

    def __init__(self, formdata: object, countries: list[str], halls: list, **kwargs: object):
        super().__init__(formdata, **kwargs)
        self.country.choices = [
            _blank(_l("All countries")),
            *(SelectChoice(code, country_name(code)) for code in countries),
        ]
        self.sector.choices = [_blank(_l("All sectors")), *Sector.choices()]
        self.hall.choices = [
            _blank(_l("All halls")),
            *(SelectChoice(hall.code, f"{hall.code} · {hall.name}") for hall in halls),
        ]

    def to_filters(self) -> DirectoryFilters:
        return DirectoryFilters(
            q=self.q.data or "",
            country=self.country.data or "",
            sector=self.sector.data or "",
            hall=self.hall.data or "",
        )


class OrganisationFilterForm(Form):
    """The organizers' list filters (GET)."""

    q = StringField(_l("Name"), filters=[strip_whitespace])
    country = SelectField(_l("Country"))
    sector = SelectField(_l("Sector"))
    turnover_band = SelectField(_l("Annual turnover"))
    rate_category = SelectField(_l("Rate category"))
    status = SelectField(_l("Kind"))
    booking = SelectField(_l("Booking"))

    def __init__(self, formdata: object, **kwargs: object) -> None:
        super().__init__(formdata, **kwargs)
        self.country.choices = [_blank(_l("All countries")), *country_choices()]
        self.sector.choices = [_blank(_l("All sectors")), *Sector.choices()]
        self.turnover_band.choices = [_blank(_l("All bands")), *TurnoverBand.choices()]
        self.rate_category.choices = [_blank(_l("All rates")), *RateCategory.choices()]
        self.status.choices = [
            _blank(_l("All kinds")),
            *(SelectChoice(key, str(label)) for key, label in ORGANISATION_STATUS_FILTERS.items()),
        ]
        self.booking.choices = [
            _blank(_l("With or without")),
            *(SelectChoice(key, str(label)) for key, label in BOOKING_FILTERS.items()),
        ]

    def to_filters(self) -> OrganisationFilters:
        return OrganisationFilters(
            **{
                name: (getattr(self, name).data or "")
                for name in OrganisationFilters.__annotations__
            }
        )
