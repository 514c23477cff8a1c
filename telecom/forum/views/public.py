"""Placeholder: routes come with the forum views."""

from telecom.forum.views import bp, organizer_bp, speaker_bp  # noqa: F401
