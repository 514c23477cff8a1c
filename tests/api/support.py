"""Shared helpers of the API tests: tokens, authenticated requests, the error shape."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from telecom.auth import services as auth_services
from telecom.auth.models import User


def token_for(user: User, name: str = "api test") -> str:
    _token, secret = auth_services.create_api_token(user, name, actor=None)
    return secret


def get(client: FlaskClient, url: str, token: str | None = None) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


def assert_json_error(response: TestResponse, status: int, *words: str) -> str:
    """The response is the API's error shape with `status`; its message holds `words`."""
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error", "status"}, body
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    for word in words:
        assert word in body["error"], body["error"]
    return str(body["error"])
