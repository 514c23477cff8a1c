"""Media blueprints: the journalist's application, the reviewers' queue, organizer settings.

One module per audience; importing them here registers their routes.
"""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

# The applicant: /editions/<slug>/media/...
bp = Blueprint("media", __name__, url_prefix="/editions/<slug>/media")
# Media reviewers and organizers: the queue, decisions, the media list.
review_bp = Blueprint("media_review", __name__, url_prefix="/media-review/editions/<slug>")
# Under /organizer so the organizer-area access checks (and their tests) cover it.
organizer_bp = Blueprint("media_admin", __name__, url_prefix="/organizer/editions/<slug>/media")


@review_bp.before_request
@roles_required(Role.MEDIA_REVIEWER, Role.ORGANIZER)
def require_reviewer() -> None:
    """Every review page is for media reviewers and organizers; the services check again."""


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Media settings are for organizers; the services check again."""


from telecom.media.views import admin, applicant, review  # noqa: E402, F401
