"""Flask commands (contract, "CLI"): the result on the last line of stdout, errors on stderr."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import accounts
from app.errors import ServiceError
from app.extensions import db
from app.models import Team
from app.numbers import lifecycle
from app.numbers.service import sync_pending
from app.plans import PLAN_KEYS, get_plan

teams_cli = AppGroup("teams", help="Create teams and change their plan.")
users_cli = AppGroup("users", help="Create users.")
tokens_cli = AppGroup("tokens", help="Issue API tokens.")
numbers_cli = AppGroup("numbers", help="Maintain phone numbers.")

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_TEAM = "Demo Team"


def _fail(error: ServiceError) -> click.ClickException:
    return click.ClickException(error.message)


@teams_cli.command("create")
@click.argument("name")
@click.option("--plan", type=click.Choice(PLAN_KEYS), default="free", show_default=True)
def create_team(name: str, plan: str) -> None:
    """Create a team; prints its id."""
    try:
        click.echo(accounts.create_team(name, plan).id)
    except ServiceError as error:
        raise _fail(error) from None


@teams_cli.command("set-plan")
@click.argument("team_id")
@click.argument("plan", type=click.Choice(PLAN_KEYS))
def set_plan(team_id: str, plan: str) -> None:
    """Move a team to another plan; prints TEAM_ID PLAN."""
    try:
        team = accounts.set_plan(team_id, plan)
    except ServiceError as error:
        raise _fail(error) from None
    click.echo(f"{team.id} {team.plan}")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--team", "team_id", required=True, help="The team the user joins.")
@click.option("--role", type=click.Choice(["owner", "admin", "member"]), default="member")
def create_user(email: str, name: str, password: str, team_id: str, role: str) -> None:
    """Create a user in a team; prints the email."""
    team = db.session.get(Team, team_id)
    if team is None:
        raise click.ClickException(f"No team with id {team_id}.")
    try:
        user = accounts.create_user(email, name, password)
        accounts.add_member(user, team, role)
    except ServiceError as error:
        raise _fail(error) from None
    click.echo(user.email)


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", "label", default="", help="A label to tell tokens apart.")
def create_token(email: str, label: str) -> None:
    """Issue an API token for a user; prints it (shown once, only a hash is kept)."""
    user = accounts.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    click.echo(accounts.issue_token(user, label).plain)


@numbers_cli.command("sync")
@click.option(
    "--grace",
    type=click.IntRange(min=0),
    default=120,
    show_default=True,
    help="Seconds a purchase that never got an order id is left alone (it may be in flight).",
)
def sync_numbers(grace: int) -> None:
    """Settle pending purchases from the provider's own state; prints how many settled."""
    settled, total = sync_pending(timedelta(seconds=grace))
    click.echo(f"{settled} of {total} pending numbers settled")


@numbers_cli.command("expire-trials")
@click.option("--now", "now_text", help="Pretend it is this ISO 8601 time (default: now, UTC).")
def expire_trials(now_text: str | None) -> None:
    """Release every trial past its expiry; prints how many. Safe to run from cron on many hosts."""
    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text.replace("Z", "+00:00"))
        except ValueError:
            raise click.ClickException(
                f"--now must be an ISO 8601 time, not {now_text!r}."
            ) from None
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
    click.echo(f"{lifecycle.expire_trials(now)} expired trial numbers released")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create (if absent) a demo team on Growth, its owner and a token; print login and token."""
    user = accounts.user_by_email(DEMO_EMAIL)
    if user is None:
        team = accounts.create_team(DEMO_TEAM, "growth")
        user = accounts.create_user(DEMO_EMAIL, "Demo Owner", DEMO_PASSWORD)
        accounts.add_member(user, team, "owner")
    team = user.memberships[0].team
    # Derived from SECRET_KEY, so each run can print the same token while storing only its hash.
    plain = accounts.derived_token(current_app.config["SECRET_KEY"], f"demo:{user.id}")
    if accounts.user_for_token(plain) is None:
        accounts.issue_token(user, "demo", plain=plain)
    click.echo(f"Team:     {team.name} ({team.id}, {get_plan(team.plan).name} plan)")
    click.echo(f"Sign in:  {DEMO_EMAIL} / {DEMO_PASSWORD}")
    click.echo("API token (next line):")
    click.echo(plain)


def register(app: Flask) -> None:
    for command in (teams_cli, users_cli, tokens_cli, numbers_cli, demo):
        app.cli.add_command(command)
