"""Stripe's webhook: a verified trigger, never a source of truth.

The signature is checked with STRIPE_WEBHOOK_SECRET (a forged, unsigned or
unreadable request gets 400 and changes nothing). For payment_intent events
the payment is synced from Stripe itself (card.sync_payment re-fetches the
PaymentIntent and applies the outcome once), so a replayed event or one
racing the buyer's return changes nothing more. Events about things we do
not know get 200, so Stripe stops resending them.
"""

from __future__ import annotations

import logging

from flask import jsonify, request
from flask_babel import gettext as _

from telecom.core.errors import ServiceError
from telecom.extensions import csrf
from telecom.payments import card, gateway
from telecom.payments.views import bp

log = logging.getLogger(__name__)

PAYMENT_INTENT_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed")


@bp.post("/payments/stripe/webhook")
@csrf.exempt  # Stripe signs its requests instead
def stripe_webhook():  # type: ignore[no-untyped-def]
    if not card.card_enabled():
        return jsonify(error=_("Card payments are not configured.")), 404
    try:
        event = gateway.construct_event(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except gateway.InvalidWebhook as error:
        log.warning("Rejected a Stripe webhook: %s", error.message)
        return jsonify(error=error.message), 400
    if event.type not in PAYMENT_INTENT_EVENTS or not event.object_id:
        return jsonify(received=True, ignored=True)
    try:
        payment = card.handle_payment_intent_event(event.object_id, event.metadata)
    except gateway.GatewayError as error:
        # Stripe could not be asked (or refused): 503 makes it deliver again later.
        log.warning("Webhook %s for %s not applied: %s", event.id, event.object_id, error.kind)
        return jsonify(error=error.message), 503
    except ServiceError as error:
        log.warning("Webhook %s for %s ignored: %s", event.id, event.object_id, error.message)
        return jsonify(received=True, ignored=True)
    if payment is None:
        return jsonify(received=True, ignored=True)
    return jsonify(received=True, payment_state=payment.state.value)
