"""Organizer pages of the web-traffic figures (daily counts, CSV import)."""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

organizer_bp = Blueprint("traffic_admin", __name__, url_prefix="/organizer/traffic")


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every traffic page is for organizers; the services check again."""
