"""`flask --app wsgi traffic purge|import`: web-traffic maintenance.

`purge` deletes the salts and visitor marks of the days before today (UTC):
counting already does it when the first view of a new day arrives, so run it
daily from a timer to make sure nothing outlives its day on a quiet site.
`import FILE [--replace]` loads daily figures from a CSV file
(date,page_views,unique_visitors), as the organizer page does.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

traffic_cli = AppGroup("traffic", help="Web traffic: purge expired salts, import daily figures.")


@traffic_cli.command("purge")
def purge_command() -> None:
    """Delete the salts and visitor marks of earlier days (run daily)."""
    from telecom.extensions import db
    from telecom.traffic.services import purge_expired

    salts, marks = purge_expired(db.engine)
    click.echo(f"Deleted {salts} expired salt(s) and {marks} visitor mark(s).")


@traffic_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite days that already have figures.")
@click.option(
    "--as",
    "email",
    default=None,
    help="The organizer recorded in the audit log (default: DEMO_ORGANIZER_EMAIL).",
)
def import_command(file: Path, replace: bool, email: str | None) -> None:
    """Import daily page views and unique visitors from FILE (CSV with a header line)."""
    from telecom.auth.services import get_user_by_email
    from telecom.core.csv_import import ImportRejected
    from telecom.core.errors import ServiceError
    from telecom.traffic.services import MAX_IMPORT_BYTES, import_traffic

    address = email or current_app.config.get("DEMO_ORGANIZER_EMAIL", "")
    actor = get_user_by_email(address) if address else None
    if actor is None:
        raise click.ClickException(f"No account {address!r}: give an organizer with --as EMAIL.")
    with file.open("rb") as stream:
        data = stream.read(MAX_IMPORT_BYTES + 1)
    try:
        result = import_traffic(data, replace=replace, actor=actor)
    except ImportRejected as rejected:
        lines = [f"line {error.line}: {error.message}" for error in rejected.first_errors]
        raise click.ClickException("\n".join([rejected.message, *lines])) from None
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Imported {result.created} new day(s) and replaced {result.replaced}, "
        f"{result.first_day} to {result.last_day}: {result.page_views} page views."
    )
