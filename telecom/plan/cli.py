"""`flask --app wsgi plan load`: write the strategic plan (Tables 7.1 and 7.2) to the database.

Safe to run any time: a second run creates nothing, and only updates texts
that changed in `telecom.plan.data`; organizers' baselines, targets and values
are kept.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

plan_cli = AppGroup("plan", help="Strategic plan: load its objectives, outputs, results and KPIs.")


@plan_cli.command("load")
def load_command() -> None:
    """Create the plan's objectives, outputs, expected results and KPIs, or update their texts."""
    from telecom.plan.services import sync_plan

    result = sync_plan()
    if not result.changed:
        click.echo("The strategic plan is up to date; nothing changed.")
        return
    summary = ", ".join(
        f"{count} {kind.removeprefix('plan_').replace('_', ' ')}"
        for kind, count in result.created.items()
    )
    click.echo(
        f"Strategic plan loaded: {summary} created; "
        f"{result.updated_objectives} objective(s) updated."
    )
