"""Flask commands: the result on the last line of stdout, errors as one line on stderr."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.accounts import teams, tokens, two_factor, users
from app.accounts.scopes import SCOPES
from app.billing.plan_changes import change_plan
from app.calls.control import repair as repair_connections
from app.cli_usage import CommandGroup
from app.exceptions import ServiceError
from app.jobs.tasks import (
    enforcement_line,
    expire_trial_numbers,
    release_scheduled,
    send_trial_notices,
    settle_numbers,
)
from app.models import Role, utcnow
from app.numbers.reconciling import reconcile, summary
from app.plans.catalog import PLAN_KEYS, get_plan
from app.plans.custom_limits import set_custom_limit
from app.plans.enforcement import enforce_limits
from app.plans.limits import team_limit

teams_cli = CommandGroup("teams", help="Create teams, change their plan and limits.")
users_cli = CommandGroup("users", help="Create users.")
tokens_cli = CommandGroup("tokens", help="Issue API tokens.")
numbers_cli = CommandGroup("numbers", help="Maintain phone numbers.")
billing_cli = CommandGroup("billing", help="What billing webhooks could not settle on their own.")

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_TEAM = "Demo Team"


def _fail(error: ServiceError) -> click.ClickException:
    fields = getattr(error, "fields", None)
    return click.ClickException(" ".join(fields.values()) if fields else error.message)


@teams_cli.command("create")
@click.argument("name")
@click.option("--plan", type=click.Choice(PLAN_KEYS), default="free", show_default=True)
def create_team(name: str, plan: str) -> None:
    """Create a team; prints its id."""
    try:
        click.echo(teams.create_team(name, plan).id)
    except ServiceError as error:
        raise _fail(error) from None


@teams_cli.command("set-plan")
@click.argument("team_id")
@click.argument("plan", type=click.Choice(PLAN_KEYS))
def set_plan(team_id: str, plan: str) -> None:
    """Move a team to another plan; prints TEAM_ID PLAN."""
    try:
        team = change_plan(teams.team_by_id(team_id), plan)
    except ServiceError as error:
        raise _fail(error) from None
    click.echo(f"{team.id} {team.plan}")


@teams_cli.command("set-limit")
@click.argument("team_id")
@click.argument("limit", required=False, type=click.IntRange(min=1))
@click.option("--clear", is_flag=True, help="Remove the custom limit: the plan's applies again.")
def set_limit(team_id: str, limit: int | None, clear: bool) -> None:
    """Give one team a custom limit of LIMIT numbers (a paid plan's, in its place); prints
    TEAM_ID and the limit. A change of plan clears it."""
    if (limit is None) == (not clear):
        raise click.UsageError("Give a LIMIT, or --clear (not both).")
    try:
        team = set_custom_limit(teams.team_by_id(team_id), limit)
    except ServiceError as error:
        raise _fail(error) from None
    if team.custom_limit is None:
        click.echo(f"{team.id} plan limit {team_limit(team)} ({get_plan(team.plan).name})")
    else:
        click.echo(f"{team.id} custom limit {team.custom_limit}")


@teams_cli.command("enforce-limits")
@click.option("--now", "now_text", help="Pretend it is this ISO 8601 time (default: now, UTC).")
def enforce_limits_command(now_text: str | None) -> None:
    """Start a grace for teams over their limit, clear it for teams back within it, and at its
    end release what their owners did not keep; email owners. The job queue runs it every ten
    minutes; safe to run at the same time, on any host."""
    run = enforce_limits(_moment(now_text))
    click.echo(enforcement_line(run))
    if run.failed:
        raise click.ClickException(
            f"{run.failed} releases did not go through (see the log); the next run tries again."
        )


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--team", "team_id", required=True, help="The team the user joins.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=None,
    help="Default: owner for the team's first person, member after that.",
)
def create_user(email: str, name: str, password: str, team_id: str, role: str | None) -> None:
    """Create a user in a team; prints the role it gave, then the email on the last line."""
    try:
        team = teams.team_by_id(team_id)
        role = role or teams.default_role(team)
        user = users.create_user(email, name, password)
        teams.add_member(user, team, role)
    except ServiceError as error:
        raise _fail(error) from None
    click.echo(f"Role: {role} in {team.name}")
    click.echo(user.email)


@users_cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Turn off a person's two-factor sign-in when they lost their phone and their recovery
    codes (after checking who they are, outside the app); every session of theirs ends."""
    user = users.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    ended = two_factor.reset(user)
    click.echo(
        f"{user.email}: two-factor sign-in off, {ended} session{'' if ended == 1 else 's'} ended"
    )


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", "label", default="", help="A label to tell tokens apart.")
@click.option(
    "--scope",
    "scope_names",
    multiple=True,
    metavar="SCOPE",
    help=f"A scope to give it; repeat, or separate with commas ({', '.join(SCOPES)}). "
    "Default: every scope the user's roles allow.",
)
@click.option(
    "--expires",
    "expires_in_days",
    type=click.Choice(["30", "90", "365", "never"]),
    default="never",
    show_default=True,
    help="Days until the API refuses it.",
)
def create_token(
    email: str, label: str, scope_names: tuple[str, ...], expires_in_days: str
) -> None:
    """Issue an API token for a user; prints its scopes, then the token (shown once, only a
    hash is kept)."""
    user = users.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    names = [name.strip() for given in scope_names for name in given.split(",") if name.strip()]
    if not scope_names:
        names = [scope.name for scope in tokens.grantable_to(user)]
    try:
        issued = tokens.issue_token(
            user, label, scopes=names, expires_in_days=tokens.clean_expiry(expires_in_days)
        )
    except ServiceError as error:
        raise _fail(error) from None
    click.echo(f"Scopes: {', '.join(issued.token.scopes or ())}")
    click.echo(issued.plain)


@numbers_cli.command("sync")
@click.option(
    "--grace",
    type=click.IntRange(min=0),
    default=120,
    show_default=True,
    help="Seconds a reservation without an order id is left alone (it may be in flight).",
)
def sync_numbers(grace: int) -> None:
    """Settle every number between states from the provider's own; prints how many settled.

    At Telnyx it first repairs numbers whose connection is not our call application.
    The job queue runs these every minute and every 5 minutes; this runs them now.
    """
    repaired = repair_connections()
    if repaired is not None and (repaired.repaired or repaired.failed):
        click.echo(str(repaired))  # only when a number's routing was repaired (or could not be)
    click.echo(settle_numbers(utcnow(), timedelta(seconds=grace)))


def _moment(now_text: str | None) -> datetime:
    """--now as an aware time (UTC when no zone is given), or the real now."""
    if not now_text:
        return utcnow()
    try:
        now = datetime.fromisoformat(now_text.replace("Z", "+00:00"))
    except ValueError:
        raise click.ClickException(f"--now must be an ISO 8601 time, not {now_text!r}.") from None
    return now if now.tzinfo else now.replace(tzinfo=UTC)


@numbers_cli.command("expire-trials")
@click.option("--now", "now_text", help="Pretend it is this ISO 8601 time (default: now, UTC).")
def expire_trials_command(now_text: str | None) -> None:
    """Release every trial past its expiry; prints how many. The job queue runs it every
    minute; safe to run at the same time, on any host."""
    click.echo(expire_trial_numbers(_moment(now_text)))


@numbers_cli.command("release-due")
@click.option("--now", "now_text", help="Pretend it is this ISO 8601 time (default: now, UTC).")
def release_due_command(now_text: str | None) -> None:
    """Release every number whose grace window has passed; prints how many. The job queue runs
    it every minute; safe to run at the same time, on any host."""
    click.echo(release_scheduled(_moment(now_text)))


@numbers_cli.command("notify-trials")
@click.option("--now", "now_text", help="Pretend it is this ISO 8601 time (default: now, UTC).")
def notify_trials_command(now_text: str | None) -> None:
    """Queue emails to team owners a day before a trial number ends, and when it has; each
    notice once. The job queue runs it every 5 minutes; safe to run at the same time."""
    click.echo(send_trial_notices(_moment(now_text)))


@numbers_cli.command("health")
@click.option("--now", "now_text", help="Pretend it is this ISO 8601 time (default: now, UTC).")
def health_command(now_text: str | None) -> None:
    """Check the spam risk of numbers due a check and count today's calls against the ramp,
    alerting once; prints how many. The job queue runs it every 10 minutes."""
    from app.jobs.tasks import check_number_health

    click.echo(check_number_health(_moment(now_text)))


@numbers_cli.command("reconcile")
@click.option(
    "--release-orphans", is_flag=True, help="Release, at the provider, numbers no team holds."
)
@click.option(
    "--mark-missing", is_flag=True, help="Mark released the numbers the provider no longer has."
)
def reconcile_numbers(release_orphans: bool, mark_missing: bool) -> None:
    """Compare the provider account with the platform; prints a table, then a summary line."""
    findings = reconcile(release_orphans=release_orphans, mark_missing=mark_missing)
    if findings:
        header = ("number", "finding", "provider id", "at provider", "team", "here", "action")
        rows = [header] + [
            (
                f.phone_number,
                f.kind,
                f.provider_id or "—",
                f.provider_status,
                f.team_id or "—",
                f.here,
                f.action,
            )
            for f in findings
        ]
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
        for row in rows:
            cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
            click.echo("  ".join(cells).rstrip())
    click.echo(summary(findings))


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create (if absent) a demo team on Growth, its owner and a token; print login and token."""
    user = users.user_by_email(DEMO_EMAIL)
    if user is None:
        team = teams.create_team(DEMO_TEAM, "growth")
        user = users.create_user(DEMO_EMAIL, "Demo Owner", DEMO_PASSWORD)
        teams.add_member(user, team, Role.OWNER)
    team = user.memberships[0].team
    # Derived from SECRET_KEY, so each run can print the same token while storing only its hash.
    plain = tokens.derived_token(current_app.config["SECRET_KEY"], f"demo:{user.id}")
    if tokens.user_for_token(plain) is None:
        tokens.issue_token(user, "demo", scopes=None, plain=plain)  # every scope, now and later
    click.echo(f"Team:     {team.name} ({team.id}, {get_plan(team.plan).name} plan)")
    click.echo(f"Sign in:  {DEMO_EMAIL} / {DEMO_PASSWORD}")
    click.echo("API token (next line):")
    click.echo(plain)


@billing_cli.command("issues")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def billing_issues(limit: int) -> None:
    """Billing events kept for the operator (a customer that is another team's, a second
    subscription cancelled), newest first; then `N billing issues`."""
    from app.billing.subscription_events import recent_issues

    issues = recent_issues(limit)
    for issue in issues:
        when = issue.created_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{issue.id}  {when}  {issue.kind}  {issue.team_id or '-'}  {issue.detail}")
    click.echo(f"{len(issues)} billing issue{'' if len(issues) == 1 else 's'}")


def register(app: Flask) -> None:
    from app.events import cli as webhooks

    for command in (teams_cli, users_cli, tokens_cli, numbers_cli, billing_cli, demo):
        app.cli.add_command(command)
    webhooks.register(app)
