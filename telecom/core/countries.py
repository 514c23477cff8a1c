"""ISO 3166 countries and ISO 4217 currencies for forms and display."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

import pycountry
from babel import Locale
from flask_babel import get_locale
from wtforms import SelectChoice


def _locale_code() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else "en"


@cache
def _country_names(locale_code: str) -> dict[str, str]:
    """ISO 3166 codes to names in the given language (CLDR), English as fallback."""
    territories = Locale.parse(locale_code).territories
    return {c.alpha_2: territories.get(c.alpha_2, c.name) for c in pycountry.countries}


@cache
def _country_choices(locale_code: str) -> tuple[SelectChoice, ...]:
    names = _country_names(locale_code)
    return tuple(
        SelectChoice(code, name) for code, name in sorted(names.items(), key=lambda i: i[1])
    )


def country_choices() -> list[SelectChoice]:
    """Countries for a select field, named and sorted in the reader's language."""
    return list(_country_choices(_locale_code()))


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return _country_names(_locale_code()).get(code.upper(), code)


def is_valid_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


@cache
def currency_choices() -> list[tuple[str, str]]:
    return sorted((c.alpha_3, f"{c.alpha_3} — {c.name}") for c in pycountry.currencies)


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def is_valid_timezone(name: str) -> bool:
    return name in available_timezones()
