"""Money: Decimal amounts with their currency; never floats.

Conversion to a payment provider's integer minor units lives here and only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry
from sqlalchemy import Numeric

# ISO 4217 exponents that differ from 2; the payments issue extends this if
# Stripe's own list diverges for a currency we sell in.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "XOF": 0, "XAF": 0, "BHD": 3, "KWD": 3}

MoneyColumn = Numeric(12, 2, asdecimal=True)


def currency_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def is_valid_currency(code: str) -> bool:
    return len(code) == 3 and pycountry.currencies.get(alpha_3=code.upper()) is not None


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money amounts must be Decimal, never float")
        if not self.amount.is_finite():  # NaN would pass quantize() and break later
            raise ValueError(f"not an amount: {self.amount}")
        if not is_valid_currency(self.currency):
            raise ValueError(f"unknown currency {self.currency!r}")
        object.__setattr__(self, "currency", self.currency.upper())
        object.__setattr__(self, "amount", quantize(self.amount, self.currency))

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        try:
            return cls(Decimal(text.strip().replace(",", "")), currency)
        except InvalidOperation:
            raise ValueError(f"not an amount: {text!r}") from None

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def to_minor_units(self) -> int:
        return int(self.amount.scaleb(currency_exponent(self.currency)))

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        return cls(Decimal(units).scaleb(-currency_exponent(currency)), currency)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,.{currency_exponent(self.currency)}f}"


def quantize(amount: Decimal, currency: str) -> Decimal:
    exponent = currency_exponent(currency)
    return amount.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)
