"""Order of precedence: who comes first on a protocol list.

1. The protocol category's rank (VVIP first, CEO last).
2. Within a category, the date of taking office: longest-serving first; an
   unknown date after every known one.
3. Then the country's English name in alphabetical order (the name the
   English protocol list shows; accents do not count, so "Côte d’Ivoire" sits
   among the C's); no country (a UN agency head, an industry leader) last.
4. Then the name, and finally the invitation id, so the order never changes
   between two prints of the same list.

A head of delegation is not a VIP by category alone: only the seven
protocol categories exist, and every invitation has one.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import cache

from babel import Locale

from telecom.protocol.models import VipInvitation

__all__ = ["english_country_name", "precedence_key", "sort_by_precedence"]


@cache
def _english_names() -> dict[str, str]:
    return dict(Locale.parse("en").territories)


def english_country_name(code: str | None) -> str:
    """The country's English name (CLDR), as the English protocol list shows it; "" if none."""
    if not code:
        return ""
    return _english_names().get(code.upper(), code.upper())


def _collation_key(text: str) -> str:
    """Case- and accent-insensitive: "Åland" sorts with "Aland", "côte" with "cote"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


def precedence_key(
    invitation: VipInvitation,
) -> tuple[int, tuple[bool, date], tuple[bool, str], str, int]:
    """The sort key of `invitation` in the order of precedence (see the module docstring)."""
    took_office = invitation.took_office_on
    country = english_country_name(invitation.country)
    return (
        invitation.category.rank,
        (took_office is None, took_office or date.max),
        (not country, _collation_key(country)),
        _collation_key(invitation.full_name or ""),
        invitation.id or 0,
    )


def sort_by_precedence(invitations: list[VipInvitation]) -> list[VipInvitation]:
    return sorted(invitations, key=precedence_key)
