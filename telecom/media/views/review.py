"""Placeholder: routes come with the media views."""

from telecom.media.views import bp, organizer_bp, review_bp  # noqa: F401
