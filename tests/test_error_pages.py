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


def test_a_nul_character_in_a_query_or_form_is_a_400_page(app: Flask) -> None:
    # PostgreSQL refuses NUL inside a string, so this reached the database as a 500 before.
    edition = make_edition()
    client = app.test_client()

    search = client.get(f"/editions/{edition.slug}/exhibitors", query_string={"q": "a\x00b"})
    app.config["WTF_CSRF_ENABLED"] = False  # reach the form check, not the CSRF one
    login = client.post("/account/login", data={"email": "a\x00@example.org", "password": "x"})
    api = client.get("/api/v1/editions", query_string={"page": "1\x00"})

    for response in (search, login):
        assert response.status_code == 400
        assert "NUL character" in response.get_data(as_text=True)
    assert api.status_code == 400 and api.is_json


def test_a_method_not_allowed_names_the_allowed_ones(app: Flask) -> None:
    response = app.test_client().delete("/healthz")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
