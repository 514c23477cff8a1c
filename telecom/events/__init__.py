"""Editions and their host-selection candidate venues."""
