"""Per-edition payment settings: tax, invoice issuer, bank details, transfer terms.

Reading never writes: an edition without a saved row gets the documented
defaults (no tax, ITU as issuer, bank transfer allowed with 14 days to pay).
"""

from __future__ import annotations

from sqlalchemy import select

from telecom.events.models import Edition
from telecom.extensions import db
from telecom.payments.models import PaymentSettings


def settings_for(edition: Edition | int) -> PaymentSettings:
    """The edition's payment settings; the defaults (not added to the session) when unsaved."""
    edition_id = edition if isinstance(edition, int) else edition.id
    settings = db.session.scalar(
        select(PaymentSettings).where(PaymentSettings.edition_id == edition_id)
    )
    if settings is not None:
        return settings
    defaults = PaymentSettings(edition_id=edition_id)
    for column in PaymentSettings.__table__.columns:
        if getattr(defaults, column.key) is None and column.default is not None:
            setattr(defaults, column.key, column.default.arg)
    return defaults
