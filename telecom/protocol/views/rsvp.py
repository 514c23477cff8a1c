"""Placeholder: routes come with the protocol views."""

from telecom.protocol.views import bp, rsvp_bp  # noqa: F401
