"""Tests of the KPI engine and its API (issue 9)."""
