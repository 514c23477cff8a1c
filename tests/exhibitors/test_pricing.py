"""The one pricing function: area × rate, open-side surcharge, category discount.

Pure unit tests (no database): transient Booth and ExhibitionSettings objects
carry the edition's defaults — space only 450, shell scheme 520 per sqm;
corner 5 %, peninsula 10 %, island 15 %; SME 20 %, government 15 %,
NGO 25 %, UN body 25 %.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

import pytest

from telecom.exhibitors.models import Booth, BoothType, ExhibitionSettings, RateCategory
from telecom.exhibitors.services.pricing import BoothPrice, price_booth


def settings(**overrides: object) -> ExhibitionSettings:
    values = ExhibitionSettings(edition_id=1)
    for column in ExhibitionSettings.__table__.columns:
        if getattr(values, column.key) is None and column.default is not None:
            setattr(values, column.key, column.default.arg)
    for name, value in overrides.items():
        setattr(values, name, value)
    return values


def booth(
    width: str = "3",
    depth: str = "3",
    booth_type: BoothType = BoothType.SHELL_SCHEME,
    open_sides: int = 1,
    price_override: str | None = None,
) -> Booth:
    return Booth(
        code="T-1",
        width=Decimal(width),
        depth=Decimal(depth),
        booth_type=booth_type,
        open_sides=open_sides,
        price_override=Decimal(price_override) if price_override is not None else None,
    )


def price(b: Booth, category: RateCategory = RateCategory.STANDARD, **overrides) -> BoothPrice:  # type: ignore[no-untyped-def]
    return price_booth(b, settings(**overrides), "CHF", category)


@pytest.mark.parametrize(
    ("booth_type", "rate", "total"),
    [
        (BoothType.SHELL_SCHEME, Decimal("520.00"), Decimal("4680.00")),  # 9 sqm × 520
        (BoothType.SPACE_ONLY, Decimal("450.00"), Decimal("4050.00")),  # 9 sqm × 450
    ],
)
def test_each_booth_type_has_its_rate_per_sqm(booth_type, rate, total):
    quote = price(booth(booth_type=booth_type))

    assert quote.area == Decimal(9)
    assert quote.rate_per_sqm == rate
    assert quote.base == total
    assert quote.surcharge == Decimal("0.00")
    assert quote.discount == Decimal("0.00")
    assert quote.total == total
    assert quote.currency == "CHF"
    assert not quote.overridden


@pytest.mark.parametrize(
    ("open_sides", "pct", "surcharge", "total"),
    [
        (1, Decimal(0), Decimal("0.00"), Decimal("4680.00")),  # inline
        (2, Decimal("5.00"), Decimal("234.00"), Decimal("4914.00")),  # corner
        (3, Decimal("10.00"), Decimal("468.00"), Decimal("5148.00")),  # peninsula
        (4, Decimal("15.00"), Decimal("702.00"), Decimal("5382.00")),  # island
    ],
)
def test_each_open_side_layout_has_its_surcharge(open_sides, pct, surcharge, total):
    quote = price(booth(open_sides=open_sides))

    assert quote.surcharge_pct == pct
    assert quote.surcharge == surcharge
    assert quote.total == total


@pytest.mark.parametrize(
    ("category", "pct", "discount", "total"),
    [
        (RateCategory.STANDARD, Decimal(0), Decimal("0.00"), Decimal("4680.00")),
        (RateCategory.SME, Decimal("20.00"), Decimal("936.00"), Decimal("3744.00")),
        (RateCategory.GOVERNMENT, Decimal("15.00"), Decimal("702.00"), Decimal("3978.00")),
        (RateCategory.NGO, Decimal("25.00"), Decimal("1170.00"), Decimal("3510.00")),
        (RateCategory.UN_BODY, Decimal("25.00"), Decimal("1170.00"), Decimal("3510.00")),
    ],
)
def test_each_organisation_category_has_its_discount(category, pct, discount, total):
    quote = price(booth(), category)

    assert quote.discount_pct == pct
    assert quote.discount == discount
    assert quote.total == total


def test_the_discount_applies_to_the_price_with_its_surcharge():
    # 10 × 10 m island, space only: 100 × 450 = 45,000 + 15 % = 51,750, SME −20 %.
    quote = price(booth("10", "10", BoothType.SPACE_ONLY, open_sides=4), RateCategory.SME)

    assert (quote.base, quote.surcharge) == (Decimal("45000.00"), Decimal("6750.00"))
    assert quote.discount == Decimal("10350.00")
    assert quote.total == Decimal("41400.00")


def test_the_edition_settings_set_the_prices():
    quote = price(
        booth(open_sides=2),
        RateCategory.GOVERNMENT,
        price_shell_scheme=Decimal("600.00"),
        surcharge_corner_pct=Decimal("12.50"),
        discount_government_pct=Decimal("30.00"),
    )

    # 9 × 600 = 5,400; +12.5 % = 675; −30 % of 6,075 = 1,822.50
    assert (quote.base, quote.surcharge, quote.discount) == (
        Decimal("5400.00"),
        Decimal("675.00"),
        Decimal("1822.50"),
    )
    assert quote.total == Decimal("4252.50")


def test_an_override_replaces_the_list_price_and_drops_the_surcharge():
    quote = price(booth(open_sides=4, price_override="5000"))

    assert quote.overridden
    assert quote.base == Decimal("5000.00")
    assert quote.surcharge_pct == Decimal(0)
    assert quote.surcharge == Decimal("0.00")
    assert quote.total == Decimal("5000.00")


def test_the_category_discount_still_applies_to_an_override():
    quote = price(booth(price_override="5000.00"), RateCategory.SME)

    assert quote.discount == Decimal("1000.00")
    assert quote.total == Decimal("4000.00")


def test_a_free_override_costs_nothing():
    assert price(booth(price_override="0"), RateCategory.NGO).total == Decimal("0.00")


def test_amounts_round_half_up_to_the_cent_at_each_step():
    # 0.5 × 0.5 = 0.25 sqm × 100.10 = 25.025 → 25.03 (half-up, not banker's 25.02)
    quote = price(booth("0.5", "0.5"), price_shell_scheme=Decimal("100.10"))
    assert quote.base == Decimal("25.03")

    # 2.5 × 3.3 = 8.25 sqm × 333.33 = 2,749.9725 → 2,749.97; corner 5 % = 137.4985 → 137.50;
    # SME 20 % of 2,887.47 = 577.494 → 577.49; total 2,309.98.
    quote = price(
        booth("2.5", "3.3", open_sides=2), RateCategory.SME, price_shell_scheme=Decimal("333.33")
    )
    assert (quote.base, quote.surcharge, quote.discount, quote.total) == (
        Decimal("2749.97"),
        Decimal("137.50"),
        Decimal("577.49"),
        Decimal("2309.98"),
    )


@pytest.mark.parametrize("open_sides", [1, 2, 3, 4])
@pytest.mark.parametrize("category", list(RateCategory))
@pytest.mark.parametrize("size", [("2.5", "3.3"), ("3", "3"), ("7.75", "4.1")])
def test_the_breakdown_always_adds_up_to_the_total(open_sides, category, size):
    quote = price(booth(*size, open_sides=open_sides), category)

    assert quote.base + quote.surcharge - quote.discount == quote.total
    assert quote.total >= 0
    assert quote.total.as_tuple().exponent == -2


def test_a_currency_without_cents_rounds_to_whole_units():
    quote = price_booth(
        booth("2.5", "3.3", open_sides=2),
        settings(price_shell_scheme=Decimal("333.33")),
        "JPY",
        RateCategory.SME,
    )

    assert quote.currency == "JPY"
    assert (quote.base, quote.surcharge, quote.discount, quote.total) == (
        Decimal(2750),  # 2,749.9725
        Decimal(138),  # 5 % of 2,750 = 137.5
        Decimal(578),  # 20 % of 2,888 = 577.6
        Decimal(2310),
    )


def test_every_amount_is_a_decimal():
    quote = price(booth("2.5", "3.3", open_sides=3), RateCategory.UN_BODY)

    for field in fields(quote):
        value = getattr(quote, field.name)
        if field.name not in {"currency", "overridden"}:
            assert type(value) is Decimal, field.name
    assert quote.as_dict()["total"] == str(quote.total)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("rate", {"price_shell_scheme": 520.0}),
        ("surcharge", {"surcharge_corner_pct": 5.0}),
        ("discount", {"discount_sme_pct": 20.0}),
    ],
)
def test_floats_are_refused(where, value):
    with pytest.raises(TypeError, match=where):
        price(booth(open_sides=2), RateCategory.SME, **value)


def test_a_float_booth_size_is_refused():
    b = booth()
    b.width = 3.0  # type: ignore[assignment]
    with pytest.raises(TypeError, match="width"):
        price(b)
