"""Payment blueprints: the buyer's side and the organizer's side.

One module per feature: buyer.py (order page, bank transfer, documents),
card.py (Stripe card payment and status polling), webhook.py (Stripe
webhooks), admin.py (organizer lists, exports, transfers, refunds, settings).
"""

from flask import Blueprint

from telecom.core.permissions import Role, roles_required

bp = Blueprint("payments", __name__)
# Under /organizer so the organizer-area access checks (and their tests) cover it.
organizer_bp = Blueprint(
    "payments_admin", __name__, url_prefix="/organizer/editions/<slug>/payments"
)


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every organizer payments page is for organizers; the services check again."""


from telecom.payments.views import admin, buyer, card, webhook  # noqa: E402, F401
