"""Per-edition exhibition settings (prices, hold time, limits)."""

from __future__ import annotations

from sqlalchemy import select

from telecom.events.models import Edition
from telecom.exhibitors.models import ExhibitionSettings
from telecom.extensions import db


def settings_for(edition: Edition) -> ExhibitionSettings:
    """The edition's settings; the documented defaults when none were saved.

    The defaults are not added to the session, so reading never writes.
    """
    settings = db.session.scalar(
        select(ExhibitionSettings).where(ExhibitionSettings.edition_id == edition.id)
    )
    if settings is not None:
        return settings
    defaults = ExhibitionSettings(edition_id=edition.id)
    for column in ExhibitionSettings.__table__.columns:
        if getattr(defaults, column.key) is None and column.default is not None:
            setattr(defaults, column.key, column.default.arg)
    return defaults
