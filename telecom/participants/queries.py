"""Conditions on check-ins shared by the figures that count who came."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from telecom.participants.models import CheckIn, Registration, RegistrationStatus


def on_live_registration(edition_id: int) -> ColumnElement[bool]:
    """The check-in's registration is still live: a badge cancelled since counts nowhere.

    A NOT IN over the edition's cancelled registrations (a few percent of
    them), not a join of every check-in to its registration to read its
    status: at 400,000 check-ins the join was most of the KPI engine's time
    (bench/kpi.py). A check-in always belongs to a registration of its own
    edition (the check-in service admits no other), so the edition's
    cancelled registrations are the only ones to leave out.
    """
    cancelled = select(Registration.id).where(
        Registration.edition_id == edition_id,
        Registration.status == RegistrationStatus.CANCELLED,
    )
    return CheckIn.registration_id.not_in(cancelled)
