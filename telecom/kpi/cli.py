"""`flask --app wsgi kpi export SLUG --format FMT --output FILE [--compare SLUG] [--as-of DATE]`.

Writes the edition's KPI report (telecom/kpi/exports.py) as CSV, XLSX, JSON or
PDF. `--output -` writes CSV or JSON to standard output, for a pipe. The
command line is trusted (whoever runs it has the server), so no account is
checked; the report is the one organizers download from the dashboard.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

kpi_cli = AppGroup("kpi", help="Objective 6 KPIs: export an edition's report.")

TEXT_FORMATS = ("csv", "json")


@kpi_cli.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["csv", "xlsx", "json", "pdf"], case_sensitive=False),
    help="The file format.",
)
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    help="The file to write; - for standard output (csv and json only).",
)
@click.option("--compare", "compare_with", default=None, help="Another edition's slug to compare.")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Figures at the end of this day, YYYY-MM-DD (the edition's time zone).",
)
def export_command(
    slug: str, fmt: str, output: str, compare_with: str | None, as_of: str | None
) -> None:
    """Export the KPI report of edition SLUG."""
    from telecom.core.errors import ServiceError
    from telecom.kpi import exports

    fmt = fmt.lower()
    if output == "-" and fmt not in TEXT_FORMATS:
        raise click.UsageError(f"--output - works for csv and json only, not {fmt}.")
    try:
        day: date | None = exports.parse_as_of(as_of)
    except ServiceError as error:
        raise click.BadParameter(error.message, param_hint="--as-of") from None
    try:
        report = exports.load_report(slug, compare_with=compare_with, as_of=day)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    kpi_file = exports.export_file(report, fmt)
    if output == "-":
        click.echo(kpi_file.data.decode("utf-8-sig"), nl=False)
        return
    target = Path(output)
    try:
        target.write_bytes(kpi_file.data)
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror}.") from None
    what = f"{slug} compared with {compare_with}" if compare_with else slug
    when = f" as of {day.isoformat()}" if day else ""
    click.echo(
        f"Wrote the KPI report of {what}{when} as {fmt} to {target} ({len(kpi_file.data)} bytes)."
    )
