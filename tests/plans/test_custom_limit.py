"""An operator's limit for one team (`flask teams set-limit`): eligibility's maxAllowed, the
banner and the Plans page say "Custom: N numbers"; a change of plan clears it; one that leaves
the team over it starts a grace."""

from __future__ import annotations

import sqlalchemy as sa

from app.billing.plan_changes import change_plan
from app.extensions import db
from app.models import AuditEvent, Team
from tests.factories import seed
from tests.helpers import assert_error, buy, sandbox_number
from tests.pages.helpers import Auth, soup, text


def set_limit(runner, *args):
    return runner.invoke(args=["teams", "set-limit", *args])


def row(app, team_id) -> Team:
    with app.app_context():
        team = db.session.get(Team, team_id)
        db.session.expunge(team)
        return team


def test_set_limit_replaces_the_plans_limit_for_buying_and_eligibility(
    app, client, factory, runner
):
    member = factory.member("scale")
    seed(app, member, 50)
    assert_error(buy(client, member, sandbox_number("212", 0)), 403, "plan_limit_reached")
    result = set_limit(runner, member.team_id, "52")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{member.team_id} custom limit 52"
    bought = buy(client, member, sandbox_number("212", 0))
    assert bought.status_code == 200
    assert bought.get_json()["eligibility"] == {
        "currentCount": 51,
        "maxAllowed": 52,
        "hasSubscription": True,
        "planName": "Scale",
    }
    buy(client, member, sandbox_number("212", 1))
    refused = assert_error(buy(client, member, sandbox_number("212", 2)), 403, "plan_limit_reached")
    assert refused["error"]["message"].startswith(
        "This team's custom limit of 52 numbers is reached."
    )
    assert refused["eligibility"]["maxAllowed"] == 52


def test_the_banner_and_the_plans_page_say_custom(app, client, factory, runner):
    member = factory.member("scale")
    set_limit(runner, member.team_id, "200")
    Auth(client).sign_in(member)
    numbers = soup(client.get(f"/teams/{member.team_id}/numbers"))
    assert (
        text(numbers.select_one("#plan-banner [data-role=custom-limit]")) == "Custom: 200 numbers"
    )
    assert text(numbers.select_one("#plan-headline")) == "0 of 200 numbers · Scale"
    plans = soup(client.get(f"/teams/{member.team_id}/plans"))
    custom = plans.select_one("#plan-scale [data-role=custom-limit]")
    assert text(custom).startswith("Custom: 200 numbers")
    assert plans.select_one("#plan-growth [data-role=custom-limit]") is None


def test_clearing_it_brings_back_the_plans_limit(app, factory, runner):
    member = factory.member("scale")
    set_limit(runner, member.team_id, "80")
    result = set_limit(runner, member.team_id, "--clear")
    assert result.output.strip() == f"{member.team_id} plan limit 50 (Scale)"
    assert row(app, member.team_id).custom_limit is None
    with app.app_context():
        changes = db.session.execute(
            sa.select(AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.action == "custom_limit")
            .order_by(AuditEvent.created_at, AuditEvent.id)
        ).all()
    assert [(b["custom_limit"], a["custom_limit"]) for b, a in changes] == [(None, 80), (80, None)]


def test_bad_uses_are_one_line_each(factory, runner):
    free, scale = factory.member("free"), factory.member("scale")
    cases = [
        ((free.team_id, "10"), "is on the Free plan: a custom limit needs a paid plan."),
        ((scale.team_id, "0"), "Invalid value for '[LIMIT]'"),
        ((scale.team_id, "100001"), "A custom limit is a whole number from 1 to 100,000."),
        ((scale.team_id,), "Give a LIMIT, or --clear (not both)."),
        ((scale.team_id, "5", "--clear"), "Give a LIMIT, or --clear (not both)."),
        (("team_nope", "5"), "No team with id team_nope."),
    ]
    for args, says in cases:
        result = set_limit(runner, *args)
        assert result.exit_code != 0, args
        assert says in result.output, (args, result.output)


def test_a_change_of_plan_clears_it_with_a_history_line(app, factory, runner):
    member = factory.member("scale")
    set_limit(runner, member.team_id, "200")
    with app.app_context():
        change_plan(db.session.get(Team, member.team_id), "growth", member.user_id)
        lines = db.session.scalars(
            sa.select(AuditEvent.action).order_by(AuditEvent.created_at, AuditEvent.id)
        ).all()
    assert row(app, member.team_id).custom_limit is None
    assert lines[-2:] == ["custom_limit", "plan_change"]


def test_a_lower_limit_that_leaves_the_team_over_starts_a_grace(app, factory, runner):
    member = factory.member("growth")
    seed(app, member, 8)
    set_limit(runner, member.team_id, "5")
    assert row(app, member.team_id).grace_ends_at is not None
    set_limit(runner, member.team_id, "--clear")  # within the plan's 10 again
    assert row(app, member.team_id).grace_ends_at is None
