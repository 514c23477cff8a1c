"""floorplan routes."""

from telecom.exhibitors.views import bp, organizer_bp  # noqa: F401
