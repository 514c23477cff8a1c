"""Bearer-token authentication for the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from flask_babel import gettext

from telecom.auth.models import User
from telecom.auth.services import user_for_api_token

F = TypeVar("F", bound=Callable[..., Any])


def _unauthorized(message: str):  # type: ignore[no-untyped-def]
    response = jsonify(error=message, status=401)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="telecom-world"'
    return response


def token_required(view: F) -> F:
    """Resolve `Authorization: Bearer <token>` to `g.api_user` or answer 401."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _unauthorized(
                gettext("Missing API token: send 'Authorization: Bearer <token>'.")
            )
        user = user_for_api_token(secret.strip())
        if user is None:
            return _unauthorized(gettext("Invalid or revoked API token."))
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def api_user() -> User:
    return g.api_user  # type: ignore[no-any-return]
