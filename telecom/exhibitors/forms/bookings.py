"""Forms of the booking flow, the organizer's booth actions, settings and staff."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from telecom.core.forms import strip_whitespace
from telecom.exhibitors.models import BookingState, ExhibitionSettings, Organisation
from telecom.exhibitors.services.settings import (
    FIELD_LABELS,
    INTEGER_RANGES,
    SETTINGS_FIELDS,
    SettingsData,
)
from telecom.exhibitors.services.staff import StaffData

_booth_code = [DataRequired(), Length(max=20)]


def organisation_choices(organisations: list[Organisation]) -> list[SelectChoice]:
    return [SelectChoice(str(o.id), o.display_name) for o in organisations]


class HoldForm(FlaskForm):
    """An exhibitor holds the booth on the page for one of its organisations."""

    organisation_id = SelectField(_l("For"), validators=[DataRequired()])

    def __init__(self, organisations: list[Organisation], *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = organisation_choices(organisations)


class ConfirmForm(FlaskForm):
    note = TextAreaField(
        _l("Note (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=500)],
        description=_l("For example the sponsor deal this confirmation comes from."),
    )


class CancelForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Give a reason for the cancellation.")),
                    Length(max=200)],
    )  # fmt: skip


class MoveForm(FlaskForm):
    target = StringField(
        _l("Move to booth"),
        filters=[strip_whitespace],
        validators=_booth_code,
        description=_l("The code of an available booth, for example F-102."),
    )


class OrganizerHoldForm(FlaskForm):
    booth = StringField(_l("Booth code"), filters=[strip_whitespace], validators=_booth_code)
    organisation_id = SelectField(_l("Exhibitor"), validators=[DataRequired()])

    def __init__(self, organisations: list[Organisation], *args: object, **kwargs: object):
        kwargs.setdefault("prefix", "hold")
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [
            SelectChoice("", "—"),
            *organisation_choices([o for o in organisations if o.pavilion_id is None]),
        ]


class BlockForm(FlaskForm):
    booth = StringField(_l("Booth code"), filters=[strip_whitespace], validators=_booth_code)
    reason = StringField(
        _l("Reason"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Say why the booth is kept off sale.")),
                    Length(max=200)],
    )  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "block")
        super().__init__(*args, **kwargs)


class UnblockForm(FlaskForm):
    booth = StringField(validators=_booth_code)


class BookingFilterForm(FlaskForm):
    """The organizer's bookings list filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), validators=[Optional()])
    organisation = SelectField(_l("Exhibitor"), validators=[Optional()])
    hall = SelectField(_l("Hall"), validators=[Optional()])

    def __init__(self, organisations, halls, *args: object, **kwargs: object) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.state.choices = [SelectChoice("", _l("All states")), *BookingState.choices()]
        self.organisation.choices = [
            SelectChoice("", _l("All exhibitors")),
            *organisation_choices(organisations),
        ]
        self.hall.choices = [
            SelectChoice("", _l("All halls")),
            *[SelectChoice(str(h.id), f"{h.code} – {h.name}") for h in halls],
        ]


def _integer(name: str, description: object = None) -> IntegerField:
    low, high = INTEGER_RANGES[name]
    return IntegerField(
        FIELD_LABELS[name],
        validators=[InputRequired(), NumberRange(min=low, max=high)],
        description=description,
    )


def _decimal(name: str, high: int | None) -> DecimalField:
    return DecimalField(
        FIELD_LABELS[name],
        places=2,
        validators=[InputRequired(), NumberRange(min=0, max=high)],
    )


class SettingsForm(FlaskForm):
    hold_minutes = _integer("hold_minutes")
    hold_reminder_minutes = _integer(
        "hold_reminder_minutes",
        _l("The 'hold about to expire' mail goes out this long before expiry; 0 sends none."),
    )
    max_active_holds = _integer("max_active_holds")
    price_space_only = _decimal("price_space_only", None)
    price_shell_scheme = _decimal("price_shell_scheme", None)
    surcharge_corner_pct = _decimal("surcharge_corner_pct", 100)
    surcharge_peninsula_pct = _decimal("surcharge_peninsula_pct", 100)
    surcharge_island_pct = _decimal("surcharge_island_pct", 100)
    discount_sme_pct = _decimal("discount_sme_pct", 100)
    discount_government_pct = _decimal("discount_government_pct", 100)
    discount_ngo_pct = _decimal("discount_ngo_pct", 100)
    discount_un_body_pct = _decimal("discount_un_body_pct", 100)
    staff_base = _integer("staff_base")
    staff_sqm_per_extra = _integer("staff_sqm_per_extra")

    def __init__(self, *args: object, settings: ExhibitionSettings, **kwargs: object) -> None:
        super().__init__(*args, obj=settings, **kwargs)

    def to_data(self) -> SettingsData:
        return SettingsData(**{name: self[name].data for name in SETTINGS_FIELDS})


class StaffForm(FlaskForm):
    full_name = StringField(
        _l("Full name"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(),
            Length(max=320),
            Email(check_deliverability=False, message=_l("Enter a valid e-mail address.")),
        ],
    )
    job_title = StringField(
        _l("Job title"), filters=[strip_whitespace], validators=[Optional(), Length(max=200)]
    )

    def to_data(self) -> StaffData:
        return StaffData(
            full_name=self.full_name.data,
            email=self.email.data,
            job_title=self.job_title.data or "",
        )
