"""Per-edition protocol settings: bilateral meeting rules, RSVP link validity, contact.

Reading never writes: an edition without a saved row gets the model's defaults
(90-minute slots, two meetings per delegation and day, RSVP links valid 60
days, protocol@telecom-world.example); the first save creates the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from telecom.auth.models import User
from telecom.core.edition_settings import save_settings, settings_or_defaults
from telecom.events.models import Edition
from telecom.protocol.models import ProtocolSettings
from telecom.protocol.services import ProtocolError, require_protocol_staff

# A bilateral meeting shorter than a quarter of an hour is a handshake, and one
# longer than a working day is not a slot.
MIN_SLOT_MINUTES = 15
MAX_SLOT_MINUTES = 480
MAX_SLOTS_PER_DAY = 20
# An RSVP link must live long enough to reach a minister's office and back, and
# not for ever: it is a bearer credential.
MIN_RSVP_VALID_DAYS = 1
MAX_RSVP_VALID_DAYS = 365
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

FIELD_LABELS = {
    "slot_minutes": _l("Length of a meeting slot (minutes)"),
    "max_slots_per_day": _l("Meetings per delegation and day"),
    "rsvp_valid_days": _l("RSVP links stay valid for (days)"),
    "contact_email": _l("Contact e-mail of the protocol team"),
}


@dataclass
class ProtocolSettingsData:
    slot_minutes: int
    max_slots_per_day: int
    rsvp_valid_days: int
    contact_email: str


SETTINGS_FIELDS = tuple(field.name for field in fields(ProtocolSettingsData))


def protocol_settings(edition: Edition) -> ProtocolSettings:
    """The edition's settings; the defaults (never written) when none were saved."""
    return settings_or_defaults(ProtocolSettings, edition.id)


def settings_data(settings: ProtocolSettings) -> ProtocolSettingsData:
    """The saved (or default) values, to prefill the form."""
    return ProtocolSettingsData(**{name: getattr(settings, name) for name in SETTINGS_FIELDS})


def _whole_number(name: str, value: object, lowest: int, highest: int) -> int:
    # bool is an int in Python; a checkbox value is never a number of minutes.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(_("%(field)s must be a whole number.", field=FIELD_LABELS[name]), name)
    if not lowest <= value <= highest:
        raise ProtocolError(
            _(
                "%(field)s must be between %(low)d and %(high)d.",
                field=FIELD_LABELS[name], low=lowest, high=highest,
            ),
            name,
        )  # fmt: skip
    return value


def _validated(data: ProtocolSettingsData) -> ProtocolSettingsData:
    slot_minutes = _whole_number("slot_minutes", data.slot_minutes, MIN_SLOT_MINUTES,
                                 MAX_SLOT_MINUTES)  # fmt: skip
    if slot_minutes % 5:
        # Slots start on the clock's usual marks (09:00, 10:30...), as a programme prints them.
        raise ProtocolError(
            _("%(field)s must be a multiple of 5.", field=FIELD_LABELS["slot_minutes"]),
            "slot_minutes",
        )
    per_day = _whole_number("max_slots_per_day", data.max_slots_per_day, 1, MAX_SLOTS_PER_DAY)
    valid_days = _whole_number("rsvp_valid_days", data.rsvp_valid_days, MIN_RSVP_VALID_DAYS,
                               MAX_RSVP_VALID_DAYS)  # fmt: skip
    contact = data.contact_email.strip().lower() if isinstance(data.contact_email, str) else ""
    if not contact or len(contact) > 320 or not _EMAIL.match(contact):
        raise ProtocolError(_("Enter a valid e-mail address."), "contact_email")
    return ProtocolSettingsData(
        slot_minutes=slot_minutes,
        max_slots_per_day=per_day,
        rsvp_valid_days=valid_days,
        contact_email=contact,
    )


def save_protocol_settings(
    edition: Edition, data: ProtocolSettingsData, *, actor: User | None
) -> ProtocolSettings:
    """Save an edition's protocol settings (protocol staff and organizers), audited.

    New values apply from now on: slots already generated keep their length,
    bookings already made stay even when the daily limit is lowered, and
    links already sent follow the new validity (the token's age is checked
    against the setting when it is opened).
    """
    actor = require_protocol_staff(actor)
    return save_settings(ProtocolSettings, edition, _validated(data), SETTINGS_FIELDS, actor=actor)
