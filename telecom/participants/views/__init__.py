"""Participant blueprints: public registration, organizer pages, on-site check-in.

One module per feature; importing them here registers their routes.
"""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

bp = Blueprint("participants", __name__)
# Under /organizer so the organizer-area access checks (and their tests) cover it.
organizer_bp = Blueprint(
    "participants_admin", __name__, url_prefix="/organizer/editions/<slug>/participants"
)
# The scanner: check-in staff and organizers.
checkin_bp = Blueprint("checkin", __name__, url_prefix="/checkin/editions/<slug>")


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every organizer participants page is for organizers; the services check again."""


from telecom.participants.views import (  # noqa: E402, F401
    account,
    admin,
    badges,
    checkin,
    codes,
    registration,
)
