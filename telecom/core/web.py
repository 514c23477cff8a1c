"""Small helpers views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash
from wtforms import Form

from telecom.core.errors import ServiceError


def safe_next_url(target: str | None, default: str) -> str:
    """Only same-site relative paths: never let `next` send a user elsewhere."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def show_service_error(form: Form | None, error: ServiceError, field: str | None = None) -> None:
    """Show a refused action on the form (or as a flash when there is no field)."""
    if form is not None and field is not None and field in form:
        form[field].errors = [*form[field].errors, error.message]
    else:
        flash(error.message, "danger")
