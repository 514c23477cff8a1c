"""Per-edition media settings: the application window, document limits, retention, contact.

Reading never writes: an edition without a saved row gets the model's
defaults, and applications are open at any time until an organizer sets dates.
The dates are days in the edition's time zone, both included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from telecom.auth.models import User
from telecom.core.edition_settings import save_settings, settings_or_defaults
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.media.models import MediaSettings
from telecom.media.services import MediaError

# A badge photo, a letter of assignment and a press card: fewer files and a
# freelancer (who needs all three) could never apply.
MIN_DOCUMENTS = 3
MAX_DOCUMENTS = 30
MAX_RETENTION_DAYS = 3650
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

FIELD_LABELS = {
    "applications_open_on": _l("Applications open on"),
    "applications_close_on": _l("Applications close on"),
    "max_documents": _l("Documents per application"),
    "retention_days": _l("Keep documents after the event (days)"),
    "contact_email": _l("Contact e-mail for the media"),
}


@dataclass
class MediaSettingsData:
    applications_open_on: date | None
    applications_close_on: date | None
    max_documents: int
    retention_days: int
    contact_email: str


SETTINGS_FIELDS = tuple(field.name for field in fields(MediaSettingsData))


@dataclass
class Window:
    """Whether applications are accepted now; `message` says why not (None when open)."""

    is_open: bool
    opens_on: date | None
    closes_on: date | None
    message: str | None


def media_settings(edition: Edition) -> MediaSettings:
    """The edition's settings; the defaults (never written) when none were saved."""
    return settings_or_defaults(MediaSettings, edition.id)


def settings_data(settings: MediaSettings) -> MediaSettingsData:
    """The saved (or default) values, to prefill the organizer's form."""
    return MediaSettingsData(**{name: getattr(settings, name) for name in SETTINGS_FIELDS})


def _whole_number(name: str, value: object, lowest: int, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MediaError(_("%(field)s must be a whole number.", field=FIELD_LABELS[name]), name)
    if not lowest <= value <= highest:
        raise MediaError(
            _(
                "%(field)s must be between %(low)d and %(high)d.",
                field=FIELD_LABELS[name], low=lowest, high=highest,
            ),
            name,
        )  # fmt: skip
    return value


def _validated(data: MediaSettingsData) -> MediaSettingsData:
    for name in ("applications_open_on", "applications_close_on"):
        value = getattr(data, name)
        # A datetime is a date too, but the column keeps days.
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise MediaError(_("%(field)s must be a date.", field=FIELD_LABELS[name]), name)
    opens, closes = data.applications_open_on, data.applications_close_on
    if opens is not None and closes is not None and closes < opens:
        raise MediaError(
            _("Applications cannot close before they open: choose a later closing date."),
            "applications_close_on",
        )
    max_documents = _whole_number("max_documents", data.max_documents, MIN_DOCUMENTS, MAX_DOCUMENTS)
    retention = _whole_number("retention_days", data.retention_days, 0, MAX_RETENTION_DAYS)
    contact = data.contact_email.strip().lower() if isinstance(data.contact_email, str) else ""
    if not contact or len(contact) > 320 or not _EMAIL.match(contact):
        raise MediaError(_("Enter a valid e-mail address."), "contact_email")
    return MediaSettingsData(
        applications_open_on=opens,
        applications_close_on=closes,
        max_documents=max_documents,
        retention_days=retention,
        contact_email=contact,
    )


def save_media_settings(
    edition: Edition, data: MediaSettingsData, *, actor: User | None
) -> MediaSettings:
    """Save an edition's media settings (organizers only); the first save creates the row."""
    actor = require_role(actor, Role.ORGANIZER)
    return save_settings(MediaSettings, edition, _validated(data), SETTINGS_FIELDS, actor=actor)


def application_window(edition: Edition, now: datetime | None = None) -> Window:
    """Whether journalists may apply today (in the edition's time zone).

    No dates set means no limit on that side.
    """
    settings = media_settings(edition)
    today = edition.local_date(now or utcnow())
    opens, closes = settings.applications_open_on, settings.applications_close_on
    if opens is not None and today < opens:
        message = _(
            "Applications for media accreditation open on %(date)s.", date=format_date(opens)
        )
        return Window(False, opens, closes, message)
    if closes is not None and today > closes:
        message = _(
            "Applications for media accreditation closed on %(date)s. If you still need to "
            "apply, write to %(contact)s.",
            date=format_date(closes),
            contact=settings.contact_email,
        )
        return Window(False, opens, closes, message)
    return Window(True, opens, closes, None)
