"""Throwaway PostgreSQL databases for the benchmarks, created and dropped from an admin URL."""

from __future__ import annotations

import uuid


def psycopg_url(url: str) -> str:
    """The URL with SQLAlchemy's psycopg 3 driver (a plain postgresql:// means psycopg2)."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def create_database(admin_url: str, prefix: str) -> tuple[str, str]:
    """Create `<prefix>_<random>`; return (its URL, its name)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(psycopg_url(admin_url))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def drop_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(psycopg_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
