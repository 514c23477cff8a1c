"""Forms of the floor plan: the booth-list filters, halls, booths and the CSV import."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import NumberInput, TextInput

from telecom.core.forms import strip_whitespace
from telecom.exhibitors.models import OPEN_SIDE_LAYOUTS, BoothType, Hall, Organisation
from telecom.exhibitors.services.booking import BoothStatus
from telecom.exhibitors.services.floorplan import BoothFilters
from telecom.exhibitors.services.floorplan_editor import BoothData, HallData


def layout_choices() -> list[SelectChoice]:
    return [
        SelectChoice(str(sides), f"{label} ({sides})") for sides, label in OPEN_SIDE_LAYOUTS.items()
    ]


class NumberFilterField(DecimalField):
    """An optional number in a GET filter: a typo gives a sentence, never a 500."""

    # A text box, not type=number: a browser blanks what a number box cannot parse,
    # and the person must see what they typed next to the message about it.
    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})  # a number keypad on phones
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.data = None
            raise ValueError(
                _("“%(value)s” is not a number; type digits, for example 12 or 12.5.", value=text)
            )
        if value < 0:
            self.data = None
            raise ValueError(_("Give 0 or more."))
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class BoothFilterForm(FlaskForm):
    """The booth list's filters, read from the query string (no token: it only reads)."""

    class Meta:
        csrf = False

    hall = SelectField(_l("Hall"), validators=[Optional()])
    booth_type = SelectField(_l("Booth type"), validators=[Optional()])
    open_sides = SelectField(_l("Layout (open sides)"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    area_min = NumberFilterField(_l("Area from (sqm)"))
    area_max = NumberFilterField(_l("Area to (sqm)"))
    price_min = NumberFilterField(_l("Price from"))
    price_max = NumberFilterField(_l("Price to"))

    def __init__(self, hall_codes: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = SelectChoice("", _("Any"))
        self.hall.choices = [anything, *(SelectChoice(code, name) for code, name in hall_codes)]
        self.booth_type.choices = [anything, *BoothType.choices()]
        self.open_sides.choices = [anything, *layout_choices()]
        self.status.choices = [anything, *(SelectChoice(s.value, s.label) for s in BoothStatus)]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for low, high in ((self.area_min, self.area_max), (self.price_min, self.price_max)):
            if low.data is not None and high.data is not None and low.data > high.data:
                high.errors = [
                    *high.errors,
                    _("The upper bound is lower than the lower bound."),
                ]
                valid = False
        return valid

    def to_filters(self) -> BoothFilters:
        """The filters that are valid; a field with an error does not filter."""

        def good(field: Any) -> Any:
            return None if field.errors or field.data in ("", None) else field.data

        filters = BoothFilters(
            hall=good(self.hall),
            booth_type=BoothType(good(self.booth_type)) if good(self.booth_type) else None,
            open_sides=int(good(self.open_sides)) if good(self.open_sides) else None,
            status=BoothStatus(good(self.status)) if good(self.status) else None,
        )
        # A range whose bounds contradict each other filters on neither.
        if not self.area_max.errors:
            filters.area_min, filters.area_max = good(self.area_min), good(self.area_max)
        if not self.price_max.errors:
            filters.price_min, filters.price_max = good(self.price_min), good(self.price_max)
        return filters

    @property
    def active(self) -> bool:
        """Whether anything was typed or chosen (valid or not)."""
        return any(field.raw_data and str(field.raw_data[0]).strip() for field in self)


class HallForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=20)],
        description=_l("Short, as on the venue's signs, for example F or G."),
    )
    name = StringField(
        _l("Name"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=100)]
    )
    width = DecimalField(
        _l("Width (m, x axis)"), places=2, validators=[InputRequired()], widget=NumberInput("any")
    )
    depth = DecimalField(
        _l("Depth (m, y axis)"), places=2, validators=[InputRequired()], widget=NumberInput("any")
    )

    def to_data(self) -> HallData:
        return HallData(
            code=self.code.data or "",
            name=self.name.data or "",
            width=self.width.data,
            depth=self.depth.data,
        )


class BoothForm(FlaskForm):
    code = StringField(
        _l("Code"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=20)]
    )
    hall_id = SelectField(_l("Hall"), coerce=int, validators=[InputRequired()])
    x = DecimalField(
        _l("x (m from the hall's left edge)"),
        places=2,
        validators=[InputRequired()],
        widget=NumberInput("any"),
    )
    y = DecimalField(
        _l("y (m from the hall's top edge)"),
        places=2,
        validators=[InputRequired()],
        widget=NumberInput("any"),
    )
    width = DecimalField(
        _l("Width (m)"), places=2, validators=[InputRequired()], widget=NumberInput("any")
    )
    depth = DecimalField(
        _l("Depth (m)"), places=2, validators=[InputRequired()], widget=NumberInput("any")
    )
    booth_type = SelectField(_l("Type"), validators=[DataRequired()])
    open_sides = SelectField(_l("Open sides"), coerce=int, validators=[InputRequired()])
    pavilion_id = SelectField(
        _l("Reserved for pavilion"),
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        validators=[Optional()],
        description=_l("Only this pavilion may book the booth."),
    )
    price_override = DecimalField(
        _l("Price override"),
        places=2,
        validators=[Optional()],
        widget=NumberInput("any"),
        description=_l("Leave empty to use the computed price (area × rate + surcharge)."),
    )
    confirm_booked = BooleanField(_l("I know this booth is booked; apply the change anyway."))

    def __init__(
        self, halls: list[Hall], pavilion_list: list[Organisation], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.booth_type.choices = BoothType.choices()
        self.open_sides.choices = layout_choices()
        self.hall_id.choices = [
            SelectChoice(hall.id, f"{hall.code} — {hall.name}") for hall in halls
        ]
        self.pavilion_id.choices = [
            SelectChoice("", _("None")),
            *(SelectChoice(org.id, org.display_name) for org in pavilion_list),
        ]

    def to_data(self) -> BoothData:
        return BoothData(
            code=self.code.data or "",
            hall_id=self.hall_id.data,
            x=self.x.data,
            y=self.y.data,
            width=self.width.data,
            depth=self.depth.data,
            booth_type=self.booth_type.data,
            open_sides=self.open_sides.data,
            pavilion_id=self.pavilion_id.data,
            price_override=self.price_override.data,
        )


class BlockForm(FlaskForm):
    reason = StringField(
        _l("Reason"), filters=[strip_whitespace], validators=[Optional(), Length(max=200)]
    )


class FloorplanImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file to upload."))],
    )
    confirm_booked = BooleanField(
        _l("I know some of these booths are held or booked; apply the changes to them anyway.")
    )
    check = SubmitField(_l("Check the file only"))
    submit = SubmitField(_l("Import"))
