"""Helpers the plan tests share."""

from __future__ import annotations

from sqlalchemy import select

from telecom.extensions import db
from telecom.plan.models import PlanKpi, PlanObjective


def kpi_of(objective: int, position: int) -> PlanKpi:
    """The KPI at `position` (1-based) of objective `objective`, as loaded."""
    kpi = db.session.scalar(
        select(PlanKpi)
        .join(PlanObjective)
        .where(PlanObjective.number == objective, PlanKpi.position == position)
    )
    assert kpi is not None, f"objective {objective} has no KPI {position}"
    return kpi


def kpi_by_engine_key(engine_key: str) -> PlanKpi:
    kpi = db.session.scalar(select(PlanKpi).where(PlanKpi.engine_key == engine_key))
    assert kpi is not None, f"no KPI bound to {engine_key}"
    return kpi
