"""`flask --app wsgi payments reconcile`: settle what Stripe knows and we missed.

Run it from a timer (every few minutes). Safe to run at any time and
concurrently: payments are applied under their row lock, refunds retried with
their stored idempotency keys, so nothing happens twice.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

payments_cli = AppGroup("payments", help="Card payments: reconcile with Stripe.")


@payments_cli.command("reconcile")
@click.option("--minutes", default=10, show_default=True, help="Only attempts at least this old.")
def reconcile_command(minutes: int) -> None:
    """Ask Stripe about card payments and refunds still pending (lost webhooks, lost answers)."""
    from datetime import timedelta

    from telecom.payments import card, refunds

    if not card.card_enabled():
        click.echo("Card payments are not configured (STRIPE_SECRET_KEY); nothing to reconcile.")
        return
    settled, pending = card.sync_stale_payments(timedelta(minutes=minutes))
    click.echo(f"Card payments: {settled} settled, {pending} still pending.")
    done, waiting = refunds.retry_pending_refunds(timedelta(minutes=1))
    click.echo(f"Refunds: {done} settled, {waiting} still pending.")
