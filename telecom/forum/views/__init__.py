"""Forum blueprints: the public programme and seats, speakers' invitation pages, organizer pages.

One module per audience; importing them here registers their routes.
"""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

# Delegates: /editions/<slug>/forum/...
bp = Blueprint("forum", __name__, url_prefix="/editions/<slug>/forum")
# Invited speakers, through their personal link (no account needed).
speaker_bp = Blueprint("forum_speaker", __name__, url_prefix="/speakers")
# Under /organizer so the organizer-area access checks (and their tests) cover it.
organizer_bp = Blueprint("forum_admin", __name__, url_prefix="/organizer/editions/<slug>/forum")


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every forum organizer page is for organizers; the services check again."""


from telecom.forum.views import admin, public, speaker  # noqa: E402, F401
