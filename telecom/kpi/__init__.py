"""KPIs of the strategic plan's Objective 6, computed per edition (see engine.py)."""

from telecom.kpi.engine import EditionKpis, compute_kpis

__all__ = ["EditionKpis", "compute_kpis"]
