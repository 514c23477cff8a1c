"""Stripe: the only module that talks to it.

Everything else sees plain values (the dataclasses below) and `GatewayError`,
whose message is safe to show to a buyer. The secret key lives in the client
object built here and is never put into a message, a log record or a
template; Stripe's own error texts are logged with the key masked, just in
case an error ever echoes it.

Amounts leave and come back through Money.to_minor_units() /
Money.from_minor_units(), the one conversion to Stripe's integer units.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import stripe
from flask import current_app
from flask_babel import gettext as _

from telecom.core.errors import ServiceError, ValidationError
from telecom.core.money import Money

log = logging.getLogger(__name__)

# A retried create carries the same idempotency key, so retrying a request
# whose answer was lost can never charge twice.
MAX_NETWORK_RETRIES = 1


class GatewayError(ServiceError):
    """Stripe refused or could not be reached; `message` is for the buyer.

    `kind` tells callers what happened: "card" (declined, expired, ...: the
    attempt failed for good), "network" (we do not know whether Stripe
    received the request), "unavailable" (Stripe answered with an error of
    its own or refused our credentials) or "invalid" (a request Stripe
    rejected). `payment_intent_id` is set when Stripe said which intent failed.
    """

    def __init__(
        self, message: str, *, kind: str, status_code: int = 402,
        payment_intent_id: str | None = None, code: str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.kind = kind
        self.status_code = status_code
        self.payment_intent_id = payment_intent_id
        self.code = code


class InvalidWebhook(ValidationError):
    """A webhook whose signature or body does not check out."""


@dataclass(frozen=True)
class SetupIntentData:
    id: str
    status: str
    client_secret: str
    payment_method: str | None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentIntentData:
    id: str
    status: str
    client_secret: str
    amount: Money
    payment_method: str | None
    failure_message: str
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def failed(self) -> bool:
        # requires_payment_method after a confirmation means the card was
        # declined or authentication failed; canceled ends the intent.
        return self.status in ("requires_payment_method", "canceled")


@dataclass(frozen=True)
class RefundData:
    id: str
    status: str
    amount: Money


@dataclass(frozen=True)
class EventData:
    id: str
    type: str
    object_id: str | None
    metadata: dict[str, str] = field(default_factory=dict)


def is_configured() -> bool:
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_PUBLISHABLE_KEY"))


def _client() -> stripe.StripeClient:
    """One client per app and key (it keeps its HTTP connection pool)."""
    config = current_app.config
    key = config.get("STRIPE_SECRET_KEY") or ""
    if not key:
        raise GatewayError(
            _("Card payments are not available. Please choose another way to pay."),
            kind="unavailable", status_code=404,
        )  # fmt: skip
    api_base = config.get("STRIPE_API_BASE") or stripe.DEFAULT_API_BASE
    cache: dict[tuple[str, str], stripe.StripeClient] = current_app.extensions.setdefault(
        "telecom_stripe_clients", {}
    )
    client = cache.get((key, api_base))
    if client is None:
        client = stripe.StripeClient(
            key, base_addresses={"api": api_base}, max_network_retries=MAX_NETWORK_RETRIES
        )
        cache[(key, api_base)] = client
    return client


def _mask(text: str) -> str:
    """Stripe's text with any configured secret replaced, safe to log."""
    for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        secret = current_app.config.get(name) or ""
        if secret:
            text = text.replace(secret, "[secret]")
    return text


CARD_MESSAGES = {
    "expired_card": lambda: _(
        "Your card has expired. Please check the expiry date or use another card."
    ),
    "incorrect_cvc": lambda: _("The card's security code is incorrect. Please check it."),
    "incorrect_number": lambda: _("The card number is incorrect. Please check it."),
    "insufficient_funds": lambda: _(
        "Your card was declined for insufficient funds. Please use another card."
    ),
    "processing_error": lambda: _(
        "The card could not be processed. Nothing was charged; please try again."
    ),
    "payment_intent_authentication_failure": lambda: _(
        "The card's authentication (3-D Secure) failed. Nothing was charged; "
        "please try again or use another card."
    ),
}


def card_message(code: str | None, decline_code: str | None = None) -> str:
    """The buyer's message for a card failure code from Stripe."""
    for candidate in (decline_code, code):
        if candidate in CARD_MESSAGES:
            return CARD_MESSAGES[candidate]()
    return _("Your card was declined. Nothing was charged; please use another card.")


def _network_message() -> str:
    return _("We could not reach the card processor. Nothing was charged; please try again.")


def _translate(error: stripe.StripeError, action: str) -> GatewayError:
    """A Stripe exception as a GatewayError with a message for the buyer."""
    details = getattr(error, "error", None)
    intent = getattr(details, "payment_intent", None) if details is not None else None
    intent_id = getattr(intent, "id", None) or (
        intent.get("id") if isinstance(intent, dict) else None
    )
    log.warning(
        "Stripe %s failed: %s (code=%s, http=%s, request=%s): %s",
        action, type(error).__name__, getattr(error, "code", None),
        getattr(error, "http_status", None), getattr(error, "request_id", None),
        _mask(str(error)),
    )  # fmt: skip
    if isinstance(error, stripe.CardError):
        decline = getattr(details, "decline_code", None) if details is not None else None
        return GatewayError(
            card_message(error.code, decline), kind="card", status_code=402,
            payment_intent_id=intent_id, code=error.code,
        )  # fmt: skip
    if isinstance(error, stripe.APIConnectionError):
        return GatewayError(_network_message(), kind="network", status_code=503)
    if isinstance(error, stripe.RateLimitError | stripe.APIError):
        return GatewayError(
            _("The card processor is busy right now. Nothing was charged; "
              "please try again in a minute."),
            kind="unavailable", status_code=503,
        )  # fmt: skip
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        log.error("Stripe refused our credentials: check STRIPE_SECRET_KEY")
        return GatewayError(
            _("Card payments are not available right now. Nothing was charged; "
              "please try again later or choose another way to pay."),
            kind="unavailable", status_code=503,
        )  # fmt: skip
    return GatewayError(
        _("The card processor refused the payment. Nothing was charged; please try again."),
        kind="invalid", status_code=400, payment_intent_id=intent_id,
        code=getattr(error, "code", None),
    )  # fmt: skip


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    data = value.to_dict() if hasattr(value, "to_dict") else dict(value)
    return {str(k): str(v) for k, v in data.items()}


def _id_of(value: Any) -> str | None:
    """An id field that Stripe may return as a string or as an expanded object."""
    if value is None or isinstance(value, str):
        return value
    return getattr(value, "id", None)


def _setup_intent(intent: Any) -> SetupIntentData:
    return SetupIntentData(
        id=intent.id,
        status=intent.status,
        client_secret=intent.client_secret or "",
        payment_method=_id_of(intent.payment_method),
        metadata=_metadata(getattr(intent, "metadata", None)),
    )


def _payment_intent(intent: Any) -> PaymentIntentData:
    error = getattr(intent, "last_payment_error", None)
    failure = ""
    if error:
        failure = card_message(getattr(error, "code", None), getattr(error, "decline_code", None))
    elif intent.status == "canceled":
        failure = _("The card payment was cancelled. Nothing was charged.")
    elif intent.status == "requires_payment_method":
        failure = card_message(None)
    return PaymentIntentData(
        id=intent.id,
        status=intent.status,
        client_secret=intent.client_secret or "",
        amount=Money.from_minor_units(int(intent.amount), intent.currency.upper()),
        payment_method=_id_of(intent.payment_method),
        failure_message=failure,
        metadata=_metadata(getattr(intent, "metadata", None)),
    )


def create_setup_intent(metadata: dict[str, str]) -> SetupIntentData:
    """A SetupIntent the browser confirms with the Card Element (confirmCardSetup)."""
    try:
        intent = _client().v1.setup_intents.create(
            params={"usage": "on_session", "payment_method_types": ["card"], "metadata": metadata}
        )
    except stripe.StripeError as error:
        raise _translate(error, "setup") from None
    return _setup_intent(intent)


def retrieve_setup_intent(setup_intent_id: str) -> SetupIntentData:
    try:
        intent = _client().v1.setup_intents.retrieve(setup_intent_id)
    except stripe.StripeError as error:
        raise _translate(error, "setup retrieval") from None
    return _setup_intent(intent)


def create_payment_intent(
    amount: Money, payment_method: str, idempotency_key: str, metadata: dict[str, str]
) -> PaymentIntentData:
    """Create and confirm a PaymentIntent for the card the buyer just set up."""
    try:
        intent = _client().v1.payment_intents.create(
            params={
                "amount": amount.to_minor_units(),
                "currency": amount.currency.lower(),
                "payment_method": payment_method,
                "payment_method_types": ["card"],
                "confirm": True,
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _translate(error, "payment") from None
    return _payment_intent(intent)


def retrieve_payment_intent(payment_intent_id: str) -> PaymentIntentData:
    try:
        intent = _client().v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError as error:
        raise _translate(error, "payment retrieval") from None
    return _payment_intent(intent)


def create_refund(
    payment_intent_id: str, amount: Money, idempotency_key: str, metadata: dict[str, str]
) -> RefundData:
    try:
        refund = _client().v1.refunds.create(
            params={
                "payment_intent": payment_intent_id,
                "amount": amount.to_minor_units(),
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _translate(error, "refund") from None
    return RefundData(
        id=refund.id,
        status=refund.status or "succeeded",
        amount=Money.from_minor_units(int(refund.amount), amount.currency),
    )


def construct_event(payload: bytes, signature: str | None) -> EventData:
    """Verify a webhook's signature (STRIPE_WEBHOOK_SECRET) and read its event."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    if not secret:
        raise InvalidWebhook(_("Webhooks are not configured."))
    if not signature:
        raise InvalidWebhook(_("The request is not signed."))
    try:
        event = _client().construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError:
        raise InvalidWebhook(_("The signature does not match.")) from None
    except (ValueError, KeyError, IndexError, TypeError):
        raise InvalidWebhook(_("The event could not be read.")) from None
    obj = getattr(getattr(event, "data", None), "object", None)
    object_id = getattr(obj, "id", None) if obj is not None else None
    return EventData(
        id=str(getattr(event, "id", "")),
        type=str(getattr(event, "type", "")),
        object_id=object_id if isinstance(object_id, str) else None,
        metadata=_metadata(getattr(obj, "metadata", None)) if obj is not None else {},
    )
