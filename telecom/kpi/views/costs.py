"""Placeholder: filled in by the costs part of issue 9."""
