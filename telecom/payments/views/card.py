"""Card payment endpoints the order page's script calls (JSON in, JSON out).

POST requests carry the CSRF token in the X-CSRFToken header (Flask-WTF's
CSRFProtect checks it on every POST). Every refusal is a JSON body with a
message the page shows as it is; nothing here answers with a 500.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from telecom.core.errors import ServiceError
from telecom.payments import card
from telecom.payments.views import bp


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message, status=status), status


def _service_error(error: ServiceError) -> tuple[Response, int]:
    return _error(error.message, error.status_code)


def _guard() -> tuple[Response, int] | None:
    if not card.card_enabled():
        return _error(_("Card payments are not available. Please choose another way to pay."), 404)
    if not current_user.is_authenticated:
        return _error(_("Please log in to continue."), 401)
    return None


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _money(value: Decimal) -> str:
    return format(value, "f")


@bp.post("/orders/<int:order_id>/card/setup")
def card_setup(order_id: int):  # type: ignore[no-untyped-def]
    """Step 1: a SetupIntent's client secret for stripe.confirmCardSetup()."""
    if (refused := _guard()) is not None:
        return refused
    try:
        setup = card.start_setup(order_id, actor=current_user)
    except ServiceError as error:
        return _service_error(error)
    return jsonify(setup_intent_id=setup.setup_intent_id, client_secret=setup.client_secret)


@bp.post("/orders/<int:order_id>/card/pay")
def card_pay(order_id: int):  # type: ignore[no-untyped-def]
    """Step 2: charge the card set up in step 1; may ask the page to finish 3-D Secure."""
    if (refused := _guard()) is not None:
        return refused
    setup_intent_id = _json_body().get("setup_intent_id")
    try:
        attempt = card.pay(order_id, setup_intent_id, actor=current_user)  # type: ignore[arg-type]
    except ServiceError as error:
        return _service_error(error)
    body: dict[str, Any] = {
        "payment_id": attempt.payment_id,
        "status": attempt.status,
        "message": attempt.message,
    }
    if attempt.client_secret:
        body["client_secret"] = attempt.client_secret
    return jsonify(body)


@bp.get("/orders/<int:order_id>/card/payments/<int:payment_id>")
def card_status(order_id: int, payment_id: int):  # type: ignore[no-untyped-def]
    """Polled by the page until the payment's outcome is known (syncs with Stripe)."""
    if (refused := _guard()) is not None:
        return refused
    try:
        status = card.payment_status(order_id, payment_id, actor=current_user)
    except ServiceError as error:
        return _service_error(error)
    return jsonify(
        payment_id=status.payment_id,
        payment_state=status.payment_state,
        order_state=status.order_state,
        balance_due=_money(status.balance_due),
        final=status.final,
        message=status.message,
    )
