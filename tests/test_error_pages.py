"""An unexpected error shows a friendly page and leaves nothing half-saved."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from telecom.events.models import Edition
from telecom.extensions import db
from tests.helpers import make_edition


def test_unexpected_error_gets_friendly_500_page_and_rolls_back(app: Flask) -> None:
    make_edition()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # behave as in production, not as under test

    @app.route("/_boom")
    def boom():  # type: ignore[no-untyped-def]
        edition = db.session.scalar(select(Edition))
        edition.city = "Half-saved"
        db.session.flush()
        raise RuntimeError("simulated bug")

    response = app.test_client().get("/_boom")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "simulated bug" not in page and "Traceback" not in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Edition.city == "Half-saved")) == 0


def test_api_errors_are_json(app: Flask) -> None:
    response = app.test_client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["status"] == 404
