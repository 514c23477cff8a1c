"""Check-in API: filled in by the participants work."""
