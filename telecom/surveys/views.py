"""Survey pages: the personal survey link (no account) and the organizer pages."""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

# Respondents, through their personal link.
bp = Blueprint("surveys", __name__, url_prefix="/surveys")
organizer_bp = Blueprint("surveys_admin", __name__, url_prefix="/organizer/editions/<slug>/surveys")


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every survey organizer page is for organizers; the services check again."""
