"""Per-edition payment settings: tax, invoice issuer, bank details, transfer terms.

Reading never writes: an edition without a saved row gets the documented
defaults (no tax, ITU as issuer, bank transfer allowed with 14 days to pay).
"""

from __future__ import annotations

from telecom.core.edition_settings import settings_or_defaults
from telecom.events.models import Edition
from telecom.payments.models import PaymentSettings


def settings_for(edition: Edition | int) -> PaymentSettings:
    """The edition's payment settings; the defaults (not added to the session) when unsaved."""
    edition_id = edition if isinstance(edition, int) else edition.id
    return settings_or_defaults(PaymentSettings, edition_id)
