"""The Alembic migrations build exactly the models' schema, and can be undone and redone."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import Result
from flask import Flask, current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError

from telecom import create_app
from telecom.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
FRESH_BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _admin_url() -> URL:
    base = make_url(os.environ["TEST_DATABASE_URL"])
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    return base


@pytest.fixture(params=FRESH_BACKENDS)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, separate from the session's migrated one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    base = _admin_url()
    name = f"telecom_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_app(fresh_database_url: str) -> Iterator[Flask]:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_database_url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def model_tables() -> set[str]:
    return set(db.metadata.tables)


def db_check(app: Flask) -> Result:
    return app.test_cli_runner().invoke(args=["db", "check"])


def head_revision() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"the migrations have {len(heads)} heads: {heads}"
    return str(heads[0])


def stored_revision() -> str | None:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_migrated_database_has_no_drift_from_the_models(app):
    result = db_check(app)

    assert result.exit_code == 0, result.output
    assert "New upgrade operations detected" not in result.output


def test_session_database_is_at_the_head_revision(app):
    assert stored_revision() == head_revision()
    assert table_names() == model_tables() | {"alembic_version"}


def test_downgrade_to_base_and_upgrade_to_head(fresh_app):
    upgrade()
    assert table_names() == model_tables() | {"alembic_version"}
    assert stored_revision() == head_revision()

    downgrade(revision="base")
    assert table_names() - {"alembic_version"} == set(), "base leaves no application table"
    assert stored_revision() is None

    upgrade()
    assert table_names() == model_tables() | {"alembic_version"}
    assert stored_revision() == head_revision()
    result = db_check(fresh_app)
    assert result.exit_code == 0, result.output


def test_rebuilt_schema_still_allows_only_one_chosen_venue(fresh_app):
    upgrade()
    downgrade(revision="base")
    upgrade()
    insert_edition = text(
        "INSERT INTO editions (slug, name, city, country, venue, start_date, end_date, "
        "timezone, currency, created_at, updated_at) VALUES ('e', 'E', 'X', 'HU', 'X', "
        "'2015-10-12', '2015-10-15', 'UTC', 'CHF', :now, :now)"
    )
    insert_candidate = text(
        "INSERT INTO candidate_venues (edition_id, city, country, venue, notes, status, "
        "created_at, updated_at) VALUES (:edition, :city, 'HU', '', '', :status, :now, :now)"
    )
    now = "2015-01-01 00:00:00"
    with db.engine.begin() as connection:
        connection.execute(insert_edition, {"now": now})
        edition = connection.execute(text("SELECT id FROM editions")).scalar_one()
        for city, status in (("A", "chosen"), ("B", "not_selected"), ("C", "not_selected")):
            connection.execute(
                insert_candidate, {"edition": edition, "city": city, "status": status, "now": now}
            )

    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            insert_candidate, {"edition": edition, "city": "D", "status": "chosen", "now": now}
        )


def test_db_check_notices_a_schema_that_drifted(fresh_app):
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_outbox_messages_status"))

    result = db_check(fresh_app)

    assert result.exit_code != 0
    assert "New upgrade operations detected" in result.output
    assert "ix_outbox_messages_status" in result.output


def test_migrations_do_not_import_application_code():
    """A migration must keep working when the models later change."""
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        source = path.read_text()
        assert "from telecom" not in source, path.name
        assert "import telecom" not in source, path.name
