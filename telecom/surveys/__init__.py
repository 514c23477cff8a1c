"""Satisfaction surveys of exhibitors and participants after an edition (KPI inputs)."""
