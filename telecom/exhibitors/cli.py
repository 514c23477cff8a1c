"""`flask --app wsgi booths ...`: hold expiry and reminders, for a scheduler.

    booths release-expired    release every hold whose time ran out
    booths remind-expiring    mail "your hold expires soon" (once per hold)

Both are safe to run as often as wanted, and concurrently: each hold is
released under its booth's row lock, each reminder claimed by a conditional
update, so nothing happens twice.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

booths_cli = AppGroup("booths", help="Booth holds: release expired ones, remind before expiry.")


@booths_cli.command("release-expired")
def release_expired_command() -> None:
    """Release every hold whose time ran out; the booths become available."""
    from telecom.exhibitors.services.booking import release_expired

    released = release_expired()
    click.echo(f"{released} expired hold(s) released.")


@booths_cli.command("remind-expiring")
def remind_expiring_command() -> None:
    """Mail the exhibitors whose hold is about to expire (each hold once)."""
    from telecom.exhibitors.services.booking import send_hold_reminders

    sent = send_hold_reminders()
    click.echo(f"{sent} reminder(s) sent.")
