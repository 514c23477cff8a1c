"""Protocol blueprints: protocol staff's invitations, lists and meeting rooms; the VIPs' RSVP.

One module per audience; importing them here registers their routes.
"""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

# Protocol staff and organizers.
bp = Blueprint("protocol", __name__, url_prefix="/protocol/editions/<slug>")
# The VIP or focal point, through the personal RSVP link (no account).
rsvp_bp = Blueprint("rsvp", __name__, url_prefix="/rsvp")


@bp.before_request
@roles_required(Role.PROTOCOL, Role.ORGANIZER)
def require_protocol_staff() -> None:
    """Every protocol page is for protocol staff and organizers; the services check again."""


from telecom.protocol.views import invitations, meetings, rsvp  # noqa: E402, F401
