"""The strategic plan as data: objectives, their outputs, expected results and KPIs.

Loaded from the plan chapter (Tables 7.1 and 7.2) by `telecom.plan.data`.
Each KPI holds a baseline, targets per year and values per edition. Objective
6's KPIs carry an `engine_key` (a key of the KPI engine's result, such as
"trade_visitors"): their values come from live data, never from these rows;
the other KPIs take values entered by organizers.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin
from telecom.extensions import db


class PlanObjective(IdMixin, db.Model):
    __tablename__ = "plan_objectives"

    number: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)

    outputs: Mapped[list[PlanOutput]] = relationship(
        back_populates="objective", order_by="PlanOutput.position", cascade="all, delete-orphan"
    )
    expected_results: Mapped[list[PlanExpectedResult]] = relationship(
        back_populates="objective",
        order_by="PlanExpectedResult.position",
        cascade="all, delete-orphan",
    )
    kpis: Mapped[list[PlanKpi]] = relationship(
        back_populates="objective", order_by="PlanKpi.position", cascade="all, delete-orphan"
    )


class PlanOutput(IdMixin, db.Model):
    __tablename__ = "plan_outputs"

    objective_id: Mapped[int] = mapped_column(
        ForeignKey("plan_objectives.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)

    objective: Mapped[PlanObjective] = relationship(back_populates="outputs")


class PlanExpectedResult(IdMixin, db.Model):
    __tablename__ = "plan_expected_results"

    objective_id: Mapped[int] = mapped_column(
        ForeignKey("plan_objectives.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)

    objective: Mapped[PlanObjective] = relationship(back_populates="expected_results")


class PlanKpi(IdMixin, db.Model):
    __tablename__ = "plan_kpis"

    objective_id: Mapped[int] = mapped_column(
        ForeignKey("plan_objectives.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # Objective 6: the key of the engine's figure ("trade_visitors", ...); None elsewhere.
    engine_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    unit: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    baseline_note: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    objective: Mapped[PlanObjective] = relationship(back_populates="kpis")
    targets: Mapped[list[PlanKpiTarget]] = relationship(
        back_populates="kpi", order_by="PlanKpiTarget.year", cascade="all, delete-orphan"
    )
    values: Mapped[list[PlanKpiValue]] = relationship(
        back_populates="kpi", order_by="PlanKpiValue.id", cascade="all, delete-orphan"
    )


class PlanKpiTarget(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "plan_kpi_targets"
    __table_args__ = (UniqueConstraint("kpi_id", "year", name="uq_plan_kpi_targets_kpi_year"),)

    kpi_id: Mapped[int] = mapped_column(
        ForeignKey("plan_kpis.id", ondelete="CASCADE"), nullable=False, index=True
    )
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    kpi: Mapped[PlanKpi] = relationship(back_populates="targets")


class PlanKpiValue(IdMixin, TimestampMixin, db.Model):
    """A value entered by an organizer for a KPI not bound to the engine, per edition."""

    __tablename__ = "plan_kpi_values"
    __table_args__ = (
        UniqueConstraint("kpi_id", "edition_id", name="uq_plan_kpi_values_kpi_edition"),
    )

    kpi_id: Mapped[int] = mapped_column(
        ForeignKey("plan_kpis.id", ondelete="CASCADE"), nullable=False, index=True
    )
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    kpi: Mapped[PlanKpi] = relationship(back_populates="values")
