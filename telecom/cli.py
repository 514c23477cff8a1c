"""Flask CLI commands. Their names and options are an interface: keep them stable."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from telecom.core.db import commit
from telecom.core.errors import ServiceError
from telecom.core.permissions import Role

users_cli = AppGroup("users", help="Manage accounts.")
outbox_cli = AppGroup("outbox", help="Deliver queued e-mail.")


@click.command("demo")
@click.option("--force", is_flag=True, help="Allow loading demo data in production.")
def demo_command(force: bool) -> None:
    """Load the demo editions, candidate venues and accounts (idempotent)."""
    from telecom.demo import load_demo_data

    if current_app.config["ENV_NAME"] == "production" and not force:
        raise click.ClickException("Refusing to load demo data in production (use --force).")
    created = load_demo_data()
    summary = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in created.items())
    click.echo(f"Demo data loaded ({summary} created).")
    click.echo(
        "Organizer login: {email} / {password}".format(
            email=current_app.config["DEMO_ORGANIZER_EMAIL"],
            password=current_app.config["DEMO_ORGANIZER_PASSWORD"],
        )
    )


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "full_name", default="", help="Full name (defaults to the e-mail).")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([role.value for role in Role]),
    help="Role to grant; repeat for several.",
)
def create_user_command(email: str, password: str, full_name: str, roles: tuple[str, ...]) -> None:
    """Create a confirmed account."""
    from telecom.auth.services import create_user

    try:
        user = create_user(
            email=email,
            full_name=full_name or email,
            password=password,
            roles={Role(role) for role in roles} or None,
            confirmed=True,
            actor=None,
        )
        commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")


@users_cli.command("token")
@click.option("--email", required=True)
@click.option("--name", default="CLI token")
def create_token_command(email: str, name: str) -> None:
    """Print a new API token for an account (shown once)."""
    from telecom.auth.services import create_api_token, get_user_by_email

    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the e-mail address {email}.")
    _token, secret = create_api_token(user, name, actor=None)
    click.echo(secret)


@outbox_cli.command("deliver")
def deliver_command() -> None:
    """Send pending and failed messages (for a scheduler)."""
    from telecom.core.outbox import deliver, mail_configured

    if not mail_configured():
        raise click.ClickException("MAIL_SERVER is not set; messages stay in the dev mailbox.")
    sent, failed = deliver()
    click.echo(f"{sent} sent, {failed} failed.")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)
    from telecom.exhibitors.cli import booths_cli
    from telecom.kpi.cli import kpi_cli
    from telecom.media.cli import media_cli
    from telecom.payments.cli import payments_cli
    from telecom.plan.cli import plan_cli
    from telecom.traffic.cli import traffic_cli

    app.cli.add_command(booths_cli)
    app.cli.add_command(kpi_cli)
    app.cli.add_command(media_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(plan_cli)
    app.cli.add_command(traffic_cli)
