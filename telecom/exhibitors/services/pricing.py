"""The one function that prices a booth.

price = area × rate per sqm for the booth type
        + open-side surcharge (corner, peninsula, island) on that
        − the organisation category's discount on the subtotal
An organizer's price override replaces the computed list price; the
category discount still applies to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from telecom.exhibitors.models import Booth, BoothType, ExhibitionSettings, RateCategory

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


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


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


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
    area = booth.width * booth.depth
    rate = rate_per_sqm(settings, booth.booth_type)
    extra_pct = surcharge_pct(settings, booth.open_sides)
    if booth.price_override is not None:
        base, surcharge, overridden = booth.price_override, Decimal(0), True
    else:
        base = _money(area * rate)
        surcharge = _money(base * extra_pct / HUNDRED)
        overridden = False
    off_pct = discount_pct(settings, category)
    discount = _money((base + surcharge) * off_pct / HUNDRED)
    return BoothPrice(
        area=area,
        rate_per_sqm=rate,
        base=_money(base),
        surcharge_pct=extra_pct if not overridden else Decimal(0),
        surcharge=surcharge,
        discount_pct=off_pct,
        discount=discount,
        total=_money(base + surcharge - discount),
        currency=currency,
        overridden=overridden,
    )
