"""The request hook that counts public page views (placeholder)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the counting hook on `app`."""
