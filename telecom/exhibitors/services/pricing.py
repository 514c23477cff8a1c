"""The one function that prices a booth.

price = area × rate per sqm for the booth type
        + open-side surcharge (corner, peninsula, island) on that
        − the organisation category's discount on the subtotal
An organizer's price override replaces the computed list price; the
category discount still applies to it.

Every step is rounded half-up to the currency's minor unit (cents for CHF,
whole yen for JPY), so the breakdown always adds up to the total. Decimal
only: a float anywhere raises TypeError.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from telecom.core.money import quantize
from telecom.exhibitors.models import Booth, BoothType, ExhibitionSettings, RateCategory

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class BoothPrice:
    area: Decimal
    rate_per_sqm: Decimal
    base: Decimal  # area × rate, or the override
    surcharge_pct: Decimal
    surcharge: Decimal
    discount_pct: Decimal
    discount: Decimal
    total: Decimal
    currency: str
    overridden: bool

    def as_dict(self) -> dict[str, str | bool]:
        return {key: str(value) if isinstance(value, Decimal) else value
                for key, value in self.__dict__.items()}  # fmt: skip


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    return Decimal(value)


def surcharge_pct(settings: ExhibitionSettings, open_sides: int) -> Decimal:
    return {
        1: Decimal(0),
        2: settings.surcharge_corner_pct,
        3: settings.surcharge_peninsula_pct,
        4: settings.surcharge_island_pct,
    }[open_sides]


def discount_pct(settings: ExhibitionSettings, category: RateCategory) -> Decimal:
    return {
        RateCategory.STANDARD: Decimal(0),
        RateCategory.SME: settings.discount_sme_pct,
        RateCategory.GOVERNMENT: settings.discount_government_pct,
        RateCategory.NGO: settings.discount_ngo_pct,
        RateCategory.UN_BODY: settings.discount_un_body_pct,
    }[category]


def rate_per_sqm(settings: ExhibitionSettings, booth_type: BoothType) -> Decimal:
    if booth_type == BoothType.SHELL_SCHEME:
        return settings.price_shell_scheme
    return settings.price_space_only


def price_booth(
    booth: Booth,
    settings: ExhibitionSettings,
    currency: str,
    category: RateCategory = RateCategory.STANDARD,
) -> BoothPrice:
    def money(value: Decimal) -> Decimal:
        return quantize(value, currency)

    area = _decimal(booth.width, "width") * _decimal(booth.depth, "depth")
    rate = _decimal(rate_per_sqm(settings, booth.booth_type), "rate")
    extra_pct = _decimal(surcharge_pct(settings, booth.open_sides), "surcharge")
    off_pct = _decimal(discount_pct(settings, category), "discount")
    if booth.price_override is not None:
        base = money(_decimal(booth.price_override, "price override"))
        surcharge, extra_pct, overridden = money(Decimal(0)), Decimal(0), True
    else:
        base = money(area * rate)
        surcharge = money(base * extra_pct / HUNDRED)
        overridden = False
    discount = money((base + surcharge) * off_pct / HUNDRED)
    return BoothPrice(
        area=area,
        rate_per_sqm=rate,
        base=base,
        surcharge_pct=extra_pct,
        surcharge=surcharge,
        discount_pct=off_pct,
        discount=discount,
        total=money(base + surcharge - discount),
        currency=currency,
        overridden=overridden,
    )
