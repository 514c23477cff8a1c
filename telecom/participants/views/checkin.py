"""Placeholder: filled in by the participants work."""
