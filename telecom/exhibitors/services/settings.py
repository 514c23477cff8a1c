"""Per-edition exhibition settings (prices, hold time, limits).

Reading never writes: an edition without a saved row gets the documented
defaults. The first organizer save creates the row; every save is validated
and audited.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from telecom.auth.models import User
from telecom.core.edition_settings import save_settings, settings_or_defaults
from telecom.core.errors import ValidationError
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import ExhibitionSettings

CENT = Decimal("0.01")
MAX_PRICE = Decimal("9999999999.99")  # what Numeric(12, 2) holds
MAX_HOLD_MINUTES = 7 * 24 * 60


def settings_for(edition: Edition) -> ExhibitionSettings:
    """The edition's settings; the documented defaults (never written) when none were saved."""
    return settings_or_defaults(ExhibitionSettings, edition.id)


@dataclass
class SettingsData:
    hold_minutes: int
    hold_reminder_minutes: int
    max_active_holds: int
    price_space_only: Decimal
    price_shell_scheme: Decimal
    surcharge_corner_pct: Decimal
    surcharge_peninsula_pct: Decimal
    surcharge_island_pct: Decimal
    discount_sme_pct: Decimal
    discount_government_pct: Decimal
    discount_ngo_pct: Decimal
    discount_un_body_pct: Decimal
    staff_base: int
    staff_sqm_per_extra: int


SETTINGS_FIELDS = tuple(field.name for field in fields(SettingsData))
PRICE_FIELDS = ("price_space_only", "price_shell_scheme")
PERCENT_FIELDS = tuple(name for name in SETTINGS_FIELDS if name.endswith("_pct"))

# Whole-number fields: (lowest, highest) allowed.
INTEGER_RANGES = {
    "hold_minutes": (1, MAX_HOLD_MINUTES),
    "hold_reminder_minutes": (0, MAX_HOLD_MINUTES),
    "max_active_holds": (1, 1000),
    "staff_base": (0, 10000),
    "staff_sqm_per_extra": (1, 100000),
}

FIELD_LABELS = {
    "hold_minutes": _l("Hold time (minutes)"),
    "hold_reminder_minutes": _l("Reminder before expiry (minutes)"),
    "max_active_holds": _l("Holds per organisation at once"),
    "price_space_only": _l("Space only, price per sqm"),
    "price_shell_scheme": _l("Shell scheme, price per sqm"),
    "surcharge_corner_pct": _l("Corner surcharge (%)"),
    "surcharge_peninsula_pct": _l("Peninsula surcharge (%)"),
    "surcharge_island_pct": _l("Island surcharge (%)"),
    "discount_sme_pct": _l("SME discount (%)"),
    "discount_government_pct": _l("Government discount (%)"),
    "discount_ngo_pct": _l("NGO discount (%)"),
    "discount_un_body_pct": _l("UN body discount (%)"),
    "staff_base": _l("Staff passes for every exhibitor"),
    "staff_sqm_per_extra": _l("One more staff pass per (sqm)"),
}


class SettingsError(ValidationError):
    """A refused value, with the field it belongs to (for the form)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def settings_data(settings: ExhibitionSettings) -> SettingsData:
    return SettingsData(**{name: getattr(settings, name) for name in SETTINGS_FIELDS})


def _validated(data: SettingsData) -> SettingsData:
    for name, (lowest, highest) in INTEGER_RANGES.items():
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int):
            message = _("%(field)s must be a whole number.", field=FIELD_LABELS[name])
            raise SettingsError(name, message)
        if not lowest <= value <= highest:
            raise SettingsError(
                name,
                _(
                    "%(field)s must be between %(low)d and %(high)d.",
                    field=FIELD_LABELS[name], low=lowest, high=highest,
                ),
            )  # fmt: skip
    if data.hold_reminder_minutes >= data.hold_minutes:
        raise SettingsError(
            "hold_reminder_minutes",
            _(
                "The reminder must go out before the hold expires: give fewer minutes "
                "than the hold time."
            ),
        )
    for name in PRICE_FIELDS + PERCENT_FIELDS:
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise SettingsError(name, _("%(field)s must be a number.", field=FIELD_LABELS[name]))
        value = Decimal(value)
        # NaN cannot even be compared, so test finiteness first.
        if not value.is_finite():
            raise SettingsError(name, _("%(field)s must be a number.", field=FIELD_LABELS[name]))
        highest = Decimal(100) if name in PERCENT_FIELDS else MAX_PRICE
        if not Decimal(0) <= value <= highest:
            if name in PERCENT_FIELDS:
                message = _("%(field)s must be between 0 and 100.", field=FIELD_LABELS[name])
            else:
                message = _(
                    "%(field)s must be between 0 and %(high)s.",
                    field=FIELD_LABELS[name],
                    high=format_decimal(MAX_PRICE),
                )
            raise SettingsError(name, message)
        # The columns keep cents: audit (and compare) the value the database stores.
        setattr(data, name, value.quantize(CENT, rounding=ROUND_HALF_UP))
    return data


def update_settings(edition: Edition, data: SettingsData, *, actor: User) -> ExhibitionSettings:
    """Save an edition's exhibition settings (organizers only); creates the row on first save."""
    require_role(actor, Role.ORGANIZER)
    return save_settings(
        ExhibitionSettings, edition, _validated(data), SETTINGS_FIELDS, actor=actor
    )
