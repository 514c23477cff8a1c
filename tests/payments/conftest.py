"""Card-payment fixtures: localstripe on 127.0.0.1, the app pointed at it, a buyer's browser.

localstripe runs once per test session (tests/payments/localstripe_server.py);
each test that wants webhooks registers the live server's endpoint with it
(localstripe delivers them about a second later, so tests poll).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import stripe
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import csrf_token_from, html, log_in
from tests.payments.localstripe_server import LocalStripe

SECRET_KEY = "sk_test_telecom_0123456789abcdef"  # any sk_test_ key works with localstripe
PUBLISHABLE_KEY = "pk_test_telecom_0123456789abcdef"
WEBHOOK_SECRET = "whsec_telecom_test_0123456789"

VISA = "4242424242424242"
THREE_D_SECURE = "4000002500003155"
DECLINE = "pm_card_chargeCustomerFail"


@pytest.fixture
def stripe_app(app: Flask, localstripe: LocalStripe) -> Flask:
    """The app with card payments configured against localstripe."""
    app.config.update(
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe.url,
        STRIPE_JS_URL=localstripe.js_url,
    )
    return app


@pytest.fixture
def stripe_api(localstripe: LocalStripe) -> stripe.StripeClient:
    """The tests' own view of localstripe (what Stripe's dashboard would show)."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url})


@pytest.fixture
def webhooks(stripe_app: Flask, live_server: str, localstripe: LocalStripe) -> str:
    """localstripe delivers its signed events to the live server's webhook endpoint."""
    url = f"{live_server}/payments/stripe/webhook"
    localstripe.register_webhook(url, WEBHOOK_SECRET)
    return url


def wait_until(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Poll until `check()` is truthy (webhooks arrive about a second after the event)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(interval)


@dataclass
class CardBuyer:
    """What the order page's script does, step by step, from a logged-in client.

    The card is typed into localstripe's Card Element in the browser journey;
    here it is sent as the fake Stripe.js would send it.
    """

    client: FlaskClient
    localstripe: LocalStripe
    order_id: int
    csrf: str = ""

    def _headers(self) -> dict[str, str]:
        if not self.csrf:
            page = self.client.get(f"/orders/{self.order_id}")
            self.csrf = csrf_token_from(html(page))
        return {"X-CSRFToken": self.csrf, "Accept": "application/json"}

    def setup(self) -> Any:
        return self.client.post(
            f"/orders/{self.order_id}/card/setup", json={}, headers=self._headers()
        )

    def confirm_card_setup(self, client_secret: str, card: str = VISA) -> dict:
        """stripe.confirmCardSetup(): localstripe attaches the card to the SetupIntent."""
        seti = client_secret.split("_secret_")[0]
        data: dict[str, Any] = {"client_secret": client_secret, "use_stripe_sdk": True}
        if card.startswith("pm_"):
            data["payment_method"] = card
        else:
            data["payment_method_data"] = {
                "type": "card",
                "card": {"number": card, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
            }
        path = f"/v1/setup_intents/{seti}/confirm"
        status, body = self.localstripe.post(path, data, key=PUBLISHABLE_KEY)
        if status == 200 and body.get("status") == "requires_action":
            # The buyer completes 3-D Secure in the fake modal.
            status, body = self.localstripe.post(
                path, {"client_secret": client_secret, "use_stripe_sdk": True},
                key=PUBLISHABLE_KEY,
            )  # fmt: skip
        assert status == 200, body
        assert body["status"] == "succeeded", body
        return body

    def pay_request(self, setup_intent_id: str) -> Any:
        return self.client.post(
            f"/orders/{self.order_id}/card/pay",
            json={"setup_intent_id": setup_intent_id},
            headers=self._headers(),
        )

    def pay(self, card: str = VISA) -> Any:
        """Set up the card and ask the server to charge it; the pay endpoint's response."""
        setup = self.setup()
        assert setup.status_code == 200, setup.get_json()
        self.confirm_card_setup(setup.get_json()["client_secret"], card)
        return self.pay_request(setup.get_json()["setup_intent_id"])

    def authenticate(self, client_secret: str, success: bool = True) -> dict:
        """stripe.confirmCardPayment() on an intent awaiting 3-D Secure (localstripe's modal)."""
        pi = client_secret.split("_secret_")[0]
        status, body = self.localstripe.post(
            f"/v1/payment_intents/{pi}/_authenticate?success={'true' if success else 'false'}",
            {"client_secret": client_secret},
            key=PUBLISHABLE_KEY,
        )
        assert status == 200, body
        return body

    def status(self, payment_id: int) -> Any:
        return self.client.get(
            f"/orders/{self.order_id}/card/payments/{payment_id}",
            headers={"Accept": "application/json"},
        )


@pytest.fixture
def card_buyer(
    stripe_app: Flask, localstripe: LocalStripe
) -> Callable[[FlaskClient, int, str], CardBuyer]:
    """card_buyer(client, order_id, email): log in and act as the order page's script."""

    def make(client: FlaskClient, order_id: int, email: str) -> CardBuyer:
        log_in(client, email)
        return CardBuyer(client, localstripe, order_id)

    return make
