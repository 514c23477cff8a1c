"""Media accreditation services: settings, the applicant's side, and review.

The views, the CLI and the tests call these functions; each one checks who is
acting, applies the rules and commits one transaction.
"""

from __future__ import annotations

from telecom.core.errors import ValidationError


class MediaError(ValidationError):
    """A refused value, with the form field it belongs to (None: the form as a whole).

    Field names are those of `ApplicationData`, `MediaSettingsData`, the
    review forms ("message", "reason", "note", "email"), or a DocumentKind
    value ("photo", "press_card", "letter_of_assignment") for a missing or
    refused document.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ApplicationsClosed(MediaError):
    """Applications are not open for this edition (the message says when, and whom to ask)."""
