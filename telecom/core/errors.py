"""Service-layer errors and the HTTP error pages.

Services raise these; views translate them. A view never decides whether an
action is allowed, it only turns `Forbidden` into a 403 page.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class ServiceError(Exception):
    """A rule refused the request; `message` is safe to show to the user."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    status_code = 400


class Forbidden(ServiceError):
    status_code = 403


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _error_page(status: int, title: str, message: str):  # type: ignore[no-untyped-def]
    if request_ctx.url_adapter is None:
        # The request named a host we do not serve (TRUSTED_HOSTS): no URL can
        # be built, so the layout cannot render; answer in plain text.
        return Response(f"{status} {title}\n", status=status, mimetype="text/plain")
    if _wants_json():
        return jsonify(error=message, status=status), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):  # type: ignore[no-untyped-def]
        titles = {403: _("Access denied"), 404: _("Not found"), 409: _("Conflict")}
        return _error_page(
            error.status_code, titles.get(error.status_code, _("Error")), error.message
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        return _error_page(
            400,
            _("Form expired"),
            _(
                "The form could not be accepted because its security token is missing or "
                "expired. Go back, reload the page and submit it again."
            ),
        )

    @app.errorhandler(429)
    def too_many_requests(error: HTTPException):  # type: ignore[no-untyped-def]
        return _error_page(
            429,
            _("Too many attempts"),
            _("Too many attempts from your address. Please wait a minute and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        status = error.code or 500
        messages = {
            400: (_("Bad request"), _("The request could not be understood.")),
            401: (_("Login required"), _("Please log in to continue.")),
            403: (_("Access denied"), _("You do not have permission to see this page.")),
            404: (_("Page not found"), _("There is no page at this address.")),
            405: (_("Not allowed"), _("This action is not available here.")),
            413: (_("Too large"), _("The upload is larger than allowed.")),
        }
        title, message = messages.get(status, (error.name, error.description or ""))
        response = make_response(_error_page(status, title, message))
        if status == 405:
            # Clients learn what the address does accept (RFC 9110 requires Allow on 405).
            for name, value in error.get_headers():
                if name.lower() == "allow":
                    response.headers["Allow"] = value
        return response

    @app.before_request
    def refuse_nul_characters():  # type: ignore[no-untyped-def]
        # No text anyone types contains NUL, and PostgreSQL refuses it in a string
        # (a 500 deep in a query); answer every such request with a plain 400 instead.
        # Multipart bodies are left to their views, which read uploads themselves.
        fields = [request.args]
        if request.mimetype == "application/x-www-form-urlencoded":
            fields.append(request.form)
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value
            for values in fields
            for key, value in values.items(multi=True)
        ):
            return _error_page(
                400,
                _("Bad request"),
                _("The request contains a NUL character, which no field accepts."),
            )
        return None

    @app.errorhandler(500)
    def internal_error(error: Exception):  # type: ignore[no-untyped-def]
        from telecom.extensions import db

        db.session.rollback()
        return _error_page(
            500,
            _("Something went wrong"),
            _("An unexpected error occurred. Nothing was saved; please try again."),
        )
