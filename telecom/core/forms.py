"""Form pieces every domain uses."""

from __future__ import annotations


def strip_whitespace(value: object) -> object:
    """WTForms filter: users paste values with stray spaces; never let them fail a rule."""
    return value.strip() if isinstance(value, str) else value
