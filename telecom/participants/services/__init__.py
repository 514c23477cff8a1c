"""Participant services: one module per feature (passes, registration, badges, codes, check-in)."""
