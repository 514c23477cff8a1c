"""Money is Decimal with its currency; minor units are converted in one place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from telecom.core.money import Money, currency_exponent, is_valid_currency, quantize


@pytest.mark.parametrize("amount", [12.5, 0.1, 3, True, "12.50", None])
def test_only_decimal_amounts_are_accepted(amount):
    with pytest.raises(TypeError, match="Decimal"):
        Money(amount, "CHF")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_amounts_that_are_not_numbers_are_refused(amount):
    with pytest.raises(ValueError, match="not an amount"):
        Money(Decimal(amount), "CHF")


def test_currency_code_is_checked_and_normalised():
    assert Money(Decimal("1"), "chf").currency == "CHF"
    with pytest.raises(ValueError, match="unknown currency"):
        Money(Decimal("1"), "XYZ")
    with pytest.raises(ValueError, match="unknown currency"):
        Money(Decimal("1"), "SWISS")
    assert is_valid_currency("EUR")
    assert not is_valid_currency("EURO")


@pytest.mark.parametrize(
    ("amount", "currency", "stored"),
    [
        ("10.005", "CHF", "10.01"),  # half up, not banker's rounding
        ("10.015", "CHF", "10.02"),
        ("10.025", "CHF", "10.03"),
        ("10.004", "CHF", "10.00"),
        ("-10.005", "CHF", "-10.01"),  # half away from zero for refunds too
        ("0.5", "JPY", "1"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "3"),
        ("2.4999", "JPY", "2"),
        ("1.0005", "BHD", "1.001"),
        ("7", "CHF", "7.00"),
    ],
)
def test_amounts_round_half_up_to_the_currency_precision(amount, currency, stored):
    money = Money(Decimal(amount), currency)

    assert money.amount == Decimal(stored)
    assert str(money.amount) == stored, "the exponent matches the currency"


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        ("12.34", "CHF", 1234),
        ("0.01", "CHF", 1),
        ("1500", "CHF", 150000),
        ("-4.20", "USD", -420),
        ("1234", "JPY", 1234),  # zero-decimal currency
        ("1234.5", "JPY", 1235),
        ("0", "JPY", 0),
        ("1.234", "KWD", 1234),  # three decimals
        ("12.345", "CHF", 1235),  # rounded first, then converted
    ],
)
def test_conversion_to_minor_units(amount, currency, units):
    result = Money(Decimal(amount), currency).to_minor_units()

    assert result == units
    assert type(result) is int


@pytest.mark.parametrize(
    ("units", "currency", "amount"),
    [
        (1234, "CHF", "12.34"),
        (1, "EUR", "0.01"),
        (-420, "USD", "-4.20"),
        (1234, "JPY", "1234"),
        (1234, "KWD", "1.234"),
        (0, "CHF", "0.00"),
    ],
)
def test_conversion_from_minor_units(units, currency, amount):
    money = Money.from_minor_units(units, currency)

    assert money == Money(Decimal(amount), currency)
    assert str(money.amount) == amount


@pytest.mark.parametrize("currency", ["CHF", "USD", "EUR", "JPY", "KRW", "BHD", "KWD"])
@pytest.mark.parametrize("units", [0, 1, 99, 100, 123456789, -250])
def test_minor_units_round_trip(currency, units):
    assert Money.from_minor_units(units, currency).to_minor_units() == units


def test_currency_exponents():
    assert currency_exponent("CHF") == 2
    assert currency_exponent("jpy") == 0
    assert currency_exponent("KWD") == 3
    assert quantize(Decimal("1.005"), "USD") == Decimal("1.01")


def test_adding_and_subtracting_the_same_currency():
    total = Money(Decimal("1500.10"), "CHF") + Money(Decimal("0.20"), "CHF")
    rest = total - Money(Decimal("500"), "CHF")

    assert total == Money(Decimal("1500.30"), "CHF")
    assert rest == Money(Decimal("1000.30"), "CHF")


def test_decimal_sums_are_exact():
    total = Money(Decimal("0"), "CHF")
    for _ in range(10):
        total = total + Money(Decimal("0.10"), "CHF")

    assert total == Money(Decimal("1.00"), "CHF")  # 0.1 * 10 with floats is 0.9999999999999999


@pytest.mark.parametrize("operation", ["add", "sub"])
def test_mixing_currencies_is_refused(operation):
    chf = Money(Decimal("10"), "CHF")
    usd = Money(Decimal("10"), "USD")

    with pytest.raises(ValueError, match="cannot combine CHF with USD"):
        chf + usd if operation == "add" else chf - usd


def test_money_is_immutable():
    money = Money(Decimal("10"), "CHF")

    with pytest.raises(AttributeError):
        money.amount = Decimal("20")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [("1,234.50", "CHF", "1234.50"), (" 12 ", "usd", "12.00"), ("0.5", "JPY", "1")],
)
def test_parsing_typed_amounts(text, currency, amount):
    assert Money.parse(text, currency).amount == Decimal(amount)


@pytest.mark.parametrize("text", ["", "abc", "12,3.4.5", "1e", "NaN", "Infinity", "-inf", "sNaN"])
def test_parsing_rubbish_is_a_clear_error(text):
    with pytest.raises(ValueError, match="not an amount"):
        Money.parse(text, "CHF")


def test_display():
    assert str(Money(Decimal("1234.5"), "CHF")) == "CHF 1,234.50"
    assert str(Money(Decimal("1234567"), "JPY")) == "JPY 1,234,567"
    assert str(Money(Decimal("1.5"), "KWD")) == "KWD 1.500"
