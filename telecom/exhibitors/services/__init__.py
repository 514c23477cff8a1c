"""Exhibitor services, one module per concern (see each module's docstring)."""
