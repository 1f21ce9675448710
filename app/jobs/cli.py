"""`flask worker` and `flask jobs ...`: run the queue, and see and retry what failed."""

from __future__ import annotations

import logging

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.cli_usage import CommandGroup
from app.extensions import db
from app.jobs import failures
from app.jobs.periodic import SWEEPS, last_runs
from app.jobs.queue import huey
from app.models import EmailStatus, OutgoingEmail
from app.text import one_line

jobs_cli = CommandGroup("jobs", help="See the job queue, and retry jobs that failed.")


@click.command("worker")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Do not run the periodic schedule here (it runs once a minute across all workers "
    "anyway; this only keeps a worker to queued jobs).",
)
@with_appcontext
def worker(threads: int, no_periodic: bool) -> None:
    """Run queued, delayed and periodic jobs until stopped (SIGINT lets running jobs finish)."""
    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is on: jobs run where they are queued.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    where = current_app.config["JOBS_REDIS_URL"] or current_app.config["JOBS_SQLITE_PATH"]
    click.echo(f"Working the job queue at {_safe(where)} with {threads} threads")
    from app.jobs.worker import run_worker

    run_worker(threads, periodic=not no_periodic)


@jobs_cli.command("failed")
def failed() -> None:
    """List jobs that failed for good (newest first); prints how many."""
    rows = failures.unresolved()
    for failure in rows:
        click.echo(
            f"{failure.id}  {failure.failed_at:%Y-%m-%d %H:%M:%S}Z  {failure.task}"
            f"{_arguments(failure.args)}  {failure.error}"
        )
    click.echo(f"{len(rows)} failed jobs")


@jobs_cli.command("retry")
@click.argument("failure_id")
def retry(failure_id: str) -> None:
    """Queue a failed job again; prints its id."""
    try:
        failure = failures.retry(failure_id)
    except failures.UnknownFailure as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{failure.id} queued again")


@jobs_cli.command("status")
def status() -> None:
    """The queue's depth, emails waiting or given up, and each periodic job's last run."""
    try:
        click.echo(f"queued jobs: {huey.pending_count()}, delayed: {huey.scheduled_count()}")
    except Exception as error:  # the rest of the status is in the database
        click.echo(f"queue: unreachable ({one_line(str(error))})")
    counts = dict(
        db.session.execute(
            sa.select(OutgoingEmail.status, sa.func.count()).group_by(OutgoingEmail.status)
        ).all()
    )
    waiting = counts.get(EmailStatus.QUEUED, 0) + counts.get(EmailStatus.SENDING, 0)
    click.echo(f"emails waiting: {waiting}, given up: {counts.get(EmailStatus.FAILED, 0)}")
    runs = last_runs()
    for name in SWEEPS:
        run = runs.get(name)
        if run is None:
            click.echo(f"{name}: not run yet")
        else:
            ended = f"{run.outcome}" if run.finished_at else "running, or stopped half-way"
            click.echo(f"{name}: {run.due_at:%Y-%m-%d %H:%M}Z on {run.worker}: {ended}")
    click.echo(f"{len(failures.unresolved())} failed jobs")


def _arguments(args: dict) -> str:
    values = [repr(a) for a in args.get("args", [])]
    values += [f"{k}={v!r}" for k, v in args.get("kwargs", {}).items()]
    return f"({', '.join(values)})"


def _safe(url: str) -> str:
    return sa.engine.make_url(url).render_as_string() if "://" in url else url


def register(app: Flask) -> None:
    for command in (worker, jobs_cli):
        app.cli.add_command(command)
