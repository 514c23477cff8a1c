"""Forms of the strategic-plan pages: a KPI's baseline, its targets per year, its values.

The number and year fields parse with `telecom.plan.services.parse_number` and
`parse_year`, so the form and the services agree on what a valid number is;
a bad entry becomes a message beside the field and the typed text stays in it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from telecom.core.errors import ValidationError
from telecom.core.forms import strip_whitespace
from telecom.plan.services import NOTE_LENGTH, parse_number, parse_year, plain

# Which of the KPI page's forms was posted: they share one address, and each
# carries a plain hidden input `form` with one of these.
BASELINE, TARGET, REMOVE_TARGET, VALUE = "baseline", "target", "remove_target", "value"


class NumberField(StringField):
    """An optional number of the plan (up to 14 digits before the point, 4 after)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A text box, not type=number: a browser blanks what a number box cannot
        # parse, and the person must see what they typed beside the message about it.
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        try:
            self.data = parse_number(valuelist[0] if valuelist else "")
        except ValidationError as error:
            raise ValueError(error.message) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return (plain(self.data) or "") if isinstance(self.data, Decimal) else ""


class YearField(StringField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        try:
            self.data = parse_year(valuelist[0] if valuelist else "")
        except ValidationError as error:
            raise ValueError(error.message) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


def _note_field(label: Any) -> StringField:
    return StringField(
        label,
        filters=[strip_whitespace],
        validators=[
            Length(
                max=NOTE_LENGTH,
                message=_l("At most %(max)d characters.", max=NOTE_LENGTH),
            )
        ],
    )


class BaselineForm(FlaskForm):
    baseline = NumberField(
        _l("Baseline"),
        description=_l("Leave empty when there is no baseline. Example: 1250 or 12.5."),
    )
    baseline_note = _note_field(_l("Note on the baseline (source, year)"))


class TargetForm(FlaskForm):
    year = YearField(
        _l("Year"),
        description=_l("An existing year's target is replaced."),
    )
    value = NumberField(_l("Target value"), description=_l("Optional, for example 1250 or 12.5."))
    note = _note_field(_l("Note"))


class RemoveTargetForm(FlaskForm):
    """A target's Remove button: the year travels in a hidden input."""

    year = YearField(_l("Year"))


class ValueForm(FlaskForm):
    """The value of a KPI not bound to the engine for one edition.

    The page holds one per edition, each with the prefix `value_prefix(edition.id)`
    so that labels and messages belong to the right row.
    """

    class Meta:
        # The app-wide CSRFProtect checks every POST's `csrf_token`; a per-form
        # token would be prefixed too and only repeat that check under another name.
        csrf = False

    value = NumberField(_l("Value"))
    note = _note_field(_l("Note"))


def value_prefix(edition_id: int) -> str:
    return f"edition-{edition_id}"
