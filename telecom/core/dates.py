"""Dates typed by people or written in files: one strict form, YYYY-MM-DD."""

from __future__ import annotations

import re
from datetime import date

# date.fromisoformat also takes "20151012" and week dates ("2015-W42-1"); forms,
# files and the API promise one form, so only that one is read.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(text: str) -> date | None:
    """The date written YYYY-MM-DD in `text`, or None when it is not one (or does not exist)."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
