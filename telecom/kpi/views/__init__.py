"""Organizer KPI pages of an edition: dashboard and comparison, exports, costs.

One module per part; importing them here registers their routes.
"""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

# Under /organizer so the organizer-area access checks (and their tests) cover it.
organizer_bp = Blueprint("kpi_admin", __name__, url_prefix="/organizer/editions/<slug>/kpis")


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every KPI page is for organizers; the services check again."""


from telecom.kpi.views import costs, dashboard, exports  # noqa: E402, F401
