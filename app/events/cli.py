"""`flask webhooks deliver` and `flask webhooks prune`: the schedule's two webhook sweeps,
run now (the job queue runs them every minute and daily anyway)."""

from __future__ import annotations

import click
from flask import Flask

from app.cli_usage import CommandGroup
from app.models import utcnow

webhooks_cli = CommandGroup("webhooks", help="Send and prune outgoing webhook deliveries.")


@webhooks_cli.command("deliver")
def deliver() -> None:
    """Try every webhook delivery that is due now; prints how many."""
    from app.jobs.tasks import send_webhooks

    click.echo(send_webhooks(utcnow()))


@webhooks_cli.command("prune")
def prune() -> None:
    """Forget deliveries finished more than 30 days ago; prints how many."""
    from app.jobs.tasks import prune_webhooks

    click.echo(prune_webhooks(utcnow()))


def register(app: Flask) -> None:
    app.cli.add_command(webhooks_cli)
