"""Placeholder: filled in by the dashboard part of issue 9."""
