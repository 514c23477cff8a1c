"""Exhibitor blueprints: the public/exhibitor side and the organizer side.

Routes live in one module per feature (organisations, floorplan, bookings);
importing them here registers them on the two blueprints.
"""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

bp = Blueprint("exhibitors", __name__)
# Under /organizer so the organizer-area access checks (and their tests) cover it.
organizer_bp = Blueprint("exhibitors_admin", __name__, url_prefix="/organizer/editions/<slug>")


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every organizer exhibition page is for organizers; the services check again."""


from telecom.exhibitors.views import bookings, floorplan, organisations  # noqa: E402, F401
