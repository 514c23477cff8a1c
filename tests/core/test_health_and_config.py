"""The health check tells a load balancer the truth; production refuses unsafe settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from config import DEVELOPMENT_SECRET_KEY
from telecom import create_app
from telecom.core.outbox import OutboxMessage
from telecom.extensions import db
from tests.helpers import csrf_token_from, make_user

GOOD_SECRET = "kQ3v8xJ0yZrT6mWbN1pLs4Hc9dFeGuAi"  # 32 characters, not the default


def test_healthz_reports_ok(app, client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "database_uri",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/none",
        "sqlite:////nonexistent-directory-for-telecom-tests/sub/telecom.db",
    ],
    ids=["postgresql port closed", "sqlite in a missing directory"],
)
def test_healthz_reports_an_unreachable_database(database_uri):
    assert not Path("/nonexistent-directory-for-telecom-tests").exists()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    with app.app_context():
        try:
            response = app.test_client().get("/healthz", base_url=f"https://{PUBLIC_HOST}")
        finally:
            db.engine.dispose()

    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "error"}


def test_healthz_recovers_when_the_database_comes_back(tmp_path):
    missing = tmp_path / "later"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}/telecom.db")
    with app.app_context():
        client = app.test_client()
        try:
            assert client.get("/healthz").status_code == 503
            missing.mkdir()
            response = client.get("/healthz")
        finally:
            db.engine.dispose()

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


# --- production configuration ----------------------------------------------------

PUBLIC_HOST = "telecom-world.example.org"


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A clean environment for a production app with a database URL."""
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "FLASK_DEBUG",
        "REDIS_URL",
        "SERVER_NAME",
        "PREFERRED_URL_SCHEME",
        "MAIL_SERVER",
        "TRUSTED_HOSTS",
    ):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'production.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SERVER_NAME", PUBLIC_HOST)
    return url


@pytest.mark.parametrize(
    "secret",
    [None, "", DEVELOPMENT_SECRET_KEY, "short", GOOD_SECRET[:31]],
    ids=["unset", "empty", "development default", "short", "31 characters"],
)
def test_production_refuses_a_weak_secret_key(monkeypatch, production_env, secret):
    if secret is not None:
        monkeypatch.setenv("SECRET_KEY", secret)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_to_run_without_database_url(monkeypatch, production_env):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.delenv("DATABASE_URL")

    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_production_with_proper_settings_runs_securely(monkeypatch, production_env):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("FLASK_DEBUG", "1")  # production ignores a stray debug switch

    app = create_app("production")

    assert app.config["ENV_NAME"] == "production"
    assert app.config["SECRET_KEY"] == GOOD_SECRET
    assert app.config["SQLALCHEMY_DATABASE_URI"] == production_env
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    assert app.debug is False
    assert not app.testing
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
            response = app.test_client().get("/healthz", base_url=f"https://{PUBLIC_HOST}")
        finally:
            db.engine.dispose()
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_refuses_to_run_without_server_name(monkeypatch, production_env):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.delenv("SERVER_NAME")

    with pytest.raises(RuntimeError, match="SERVER_NAME"):
        create_app("production")


def test_production_refuses_forged_hosts_and_mails_links_to_its_own(monkeypatch, production_env):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("TRUSTED_HOSTS", "internal-lb.local")
    app = create_app("production")
    with app.app_context():
        try:
            upgrade()
            make_user("victim@example.org")
            client = app.test_client()
            forged = client.get("/account/reset", base_url="https://attacker.example")
            lb = client.get("/healthz", base_url="http://internal-lb.local")
            page = client.get("/account/reset", base_url=f"https://{PUBLIC_HOST}")
            token = csrf_token_from(page.get_data(as_text=True))
            client.post(
                "/account/reset",
                data={"csrf_token": token, "email": "victim@example.org"},
                base_url=f"https://{PUBLIC_HOST}",
                # Over HTTPS, Flask-WTF also checks that the form came from this site.
                headers={"Referer": f"https://{PUBLIC_HOST}/account/reset"},
            )
            message = db.session.scalar(select(OutboxMessage))
        finally:
            db.engine.dispose()
    assert forged.status_code == 400
    assert lb.status_code == 200
    assert message is not None
    assert f"https://{PUBLIC_HOST}/account/reset/" in message.body_text


def test_environment_is_read_when_the_app_is_created(monkeypatch, production_env):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    first = create_app("production")
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET + "-rotated")

    second = create_app("production")

    assert first.config["SECRET_KEY"] == GOOD_SECRET
    assert second.config["SECRET_KEY"] == GOOD_SECRET + "-rotated"


def test_development_runs_with_the_placeholder_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    app = create_app("development")

    assert app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY
    assert not app.config.get("SESSION_COOKIE_SECURE")


def test_unknown_configuration_name_is_refused():
    with pytest.raises(RuntimeError, match="Unknown configuration 'staging'"):
        create_app("staging")


def test_testing_config_keeps_csrf_on(app):
    assert app.config["TESTING"] is True
    assert app.config["WTF_CSRF_ENABLED"] is True
