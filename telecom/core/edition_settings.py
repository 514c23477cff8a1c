"""Per-edition settings rows (exhibition, payments): read with defaults, save audited.

An edition without a saved row reads the documented column defaults, and
reading never writes; the first organizer save creates the row. Each domain
keeps its own model, fields and validation and calls these two functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.extensions import db

S = TypeVar("S")


def settings_or_defaults(model: type[S], edition_id: int) -> S:
    """The edition's saved row, or an unsaved one holding the column defaults."""
    settings = db.session.scalar(select(model).where(model.edition_id == edition_id))  # type: ignore[attr-defined]
    if settings is not None:
        return settings
    defaults = model(edition_id=edition_id)  # type: ignore[call-arg]
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if getattr(defaults, column.key) is None and column.default is not None:
            setattr(defaults, column.key, column.default.arg)
    return defaults


def save_settings(
    model: type[S], edition: Edition, values: Any, fields: Iterable[str], *, actor: User
) -> S:
    """Write `fields` of `values` into the edition's row (created on first save), audited.

    The caller has checked the actor's role and validated `values`.
    """
    fields = tuple(fields)
    # Two organizers saving the first settings at once queue on the edition row,
    # so the second finds (and updates) the first one's row.
    db.session.execute(select(Edition.id).where(Edition.id == edition.id).with_for_update())
    settings = db.session.scalar(
        select(model)
        .where(model.edition_id == edition.id)  # type: ignore[attr-defined]
        .execution_options(populate_existing=True)
    )
    created = settings is None
    before = None
    if settings is None:
        settings = model(edition_id=edition.id)  # type: ignore[call-arg]
        db.session.add(settings)
    else:
        before = audit.snapshot(settings, fields)
    for name in fields:
        setattr(settings, name, getattr(values, name))
    db.session.flush()
    after = audit.snapshot(settings, fields)
    if created or before != after:
        audit.record(
            "create" if created else "update", settings, actor=actor, edition_id=edition.id,
            before=before, after=after,
        )  # fmt: skip
    commit()
    return settings
