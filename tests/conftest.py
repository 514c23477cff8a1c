"""Test fixtures: a migrated database per backend, the app, mail and browsers.

Every database test runs on SQLite and, when TEST_DATABASE_URL points at a
PostgreSQL server, again on a throwaway PostgreSQL database created (and
dropped) here. The schema always comes from the Alembic migrations, never from
create_all(), so the migrations are tested on every run.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from telecom import create_app
from telecom.core import process_cache
from telecom.extensions import db, limiter
from tests.helpers import IsolatedClient, MailSink, start_mail_sink
from tests.payments.localstripe_server import LocalStripe
from tests.payments.localstripe_server import start as start_localstripe

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _create_postgres_database() -> tuple[str, str]:
    base = make_url(os.environ["TEST_DATABASE_URL"])
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = f"telecom_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(name: str) -> None:
    base = make_url(os.environ["TEST_DATABASE_URL"])
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """An empty database, migrated to head with `flask db upgrade`."""
    from flask_migrate import upgrade

    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "telecom-test.db"
        url, pg_name = f"sqlite:///{path}", None
    else:
        url, pg_name = _create_postgres_database()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if pg_name is not None:
        _drop_postgres_database(pg_name)


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


def _empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on a migrated, empty database, inside an app context.

    Test-client requests run in their own app context (IsolatedClient), so a
    test reading the database after a request sees fresh rows only after
    `db.session.expire_all()` or a new query.
    """
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SERVER_NAME="localhost",
        UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        limiter.reset()
        try:
            yield app
        finally:
            db.session.rollback()
            _empty_all_tables()
            process_cache.clear_all()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def racing_app(app: Flask, database_url: str, backend: str) -> Iterator[Flask]:
    """A second app on the test database whose pool lets every racer hold a connection.

    Concurrency guarantees rest on PostgreSQL row locks; SQLite serialises
    every writer, so these tests are skipped there.
    """
    from tests.concurrency import MAX_RACERS

    if backend != "postgresql":
        pytest.skip(
            "row locks are only meaningful on PostgreSQL; SQLite serialises every writer "
            "(set TEST_DATABASE_URL to run this test)"
        )
    racing = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SERVER_NAME="localhost",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": MAX_RACERS + 5, "max_overflow": 0},
    )
    # Mail settings made by the `mail` fixture (request it before this one).
    racing.config.update({k: v for k, v in app.config.items() if k.startswith("MAIL_")})
    yield racing
    with racing.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def mail(app: Flask) -> Iterator[MailSink]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; the app sends its mail there."""
    sink, controller = start_mail_sink()
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served by werkzeug on 127.0.0.1 on a free port, in a thread."""
    from werkzeug.serving import make_server

    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not os.path.exists(CHROMIUM):
        message = (
            "Browser tests need Debian's Chromium: apt-get install chromium "
            "(set TELECOM_REQUIRE_BROWSER=1 to make its absence a failure)."
        )
        if os.environ.get("TELECOM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """localstripe on 127.0.0.1 (no disk dump), once per session, for card-payment tests."""
    server = start_localstripe()
    try:
        yield server
    finally:
        server.stop()
