"""Exhibitor forms, one module per feature."""
