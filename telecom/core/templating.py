"""Jinja globals and filters shared by every template."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_interval
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale

from telecom.core.countries import country_name
from telecom.core.permissions import Role


def date_range(start: date, end: date) -> str:
    """The dates in the reader's language: "Oct 12 – 15, 2015", "12–15 oct. 2015"."""
    locale = get_locale() or "en"
    return format_interval(start, end, skeleton="yMMMMd", locale=locale)


def edition_dates(edition: Any) -> str:
    return date_range(edition.start_date, edition.end_date)


def format_timestamp(value: datetime | None, timezone: str | None = None) -> str:
    if value is None:
        return ""
    if timezone:
        from zoneinfo import ZoneInfo

        return format_datetime(value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None))
    return format_datetime(value)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(Role=Role, edition_dates=edition_dates, date_range=date_range)
    app.jinja_env.filters.update(
        country_name=country_name,
        format_date=format_date,
        format_timestamp=format_timestamp,
    )
