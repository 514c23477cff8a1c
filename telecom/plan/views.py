"""Organizer pages of the strategic-plan model."""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

organizer_bp = Blueprint("plan_admin", __name__, url_prefix="/organizer/plan")


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every plan page is for organizers; the services check again."""
