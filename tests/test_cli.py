"""The CLI: results on the last line of stdout, one-line errors on stderr, non-zero exits."""

import re

import pytest

from app.extensions import db
from app.models import ApiToken, Membership, Team, User
from tests.helpers import SEARCH


def last_line(result) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_teams_create_prints_the_id(app, runner):
    result = runner.invoke(args=["teams", "create", "Acme Voice", "--plan", "growth"])
    assert result.exit_code == 0
    team_id = last_line(result)
    assert re.fullmatch(r"team_[0-9a-z]{26}", team_id)
    with app.app_context():
        team = db.session.get(Team, team_id)
        assert (team.name, team.plan) == ("Acme Voice", "growth")


def test_teams_create_defaults_to_free(app, runner):
    team_id = last_line(runner.invoke(args=["teams", "create", "Solo"]))
    with app.app_context():
        assert db.session.get(Team, team_id).plan == "free"


def test_set_plan(app, runner):
    team_id = last_line(runner.invoke(args=["teams", "create", "Acme"]))
    result = runner.invoke(args=["teams", "set-plan", team_id, "scale"])
    assert (result.exit_code, last_line(result)) == (0, f"{team_id} scale")
    with app.app_context():
        assert db.session.get(Team, team_id).plan == "scale"


def test_set_plan_errors(runner):
    unknown = runner.invoke(args=["teams", "set-plan", "team_nope", "growth"])
    assert unknown.exit_code != 0 and "team_nope" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    bad_plan = runner.invoke(args=["teams", "set-plan", "team_nope", "platinum"])
    assert bad_plan.exit_code != 0 and "platinum" in bad_plan.stderr


def test_users_create_joins_the_team_with_its_role(app, runner):
    team_id = last_line(runner.invoke(args=["teams", "create", "Acme"]))
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Alice@Example.com",
            "--name",
            "Alice Johnson",
            "--password",
            "s3cret-pass",
            "--team",
            team_id,
            "--role",
            "admin",
        ]
    )
    assert (result.exit_code, last_line(result)) == (0, "alice@example.com")
    with app.app_context():
        membership = db.session.scalars(db.select(Membership)).one()
        assert (membership.team_id, membership.role) == (team_id, "admin")
        assert membership.user.password_hash != "s3cret-pass"


def create_user(runner, email: str, team_id: str, *role: str):
    args = ["users", "create", email, "--name", "N", "--password", "long-enough-pw"]
    return runner.invoke(args=[*args, "--team", team_id, *role])


def test_users_create_without_a_role_makes_the_first_an_owner_and_later_ones_members(app, runner):
    team_id = last_line(runner.invoke(args=["teams", "create", "Acme"]))
    first = create_user(runner, "first@example.com", team_id)
    second = create_user(runner, "second@example.com", team_id)
    third = create_user(runner, "third@example.com", team_id, "--role", "admin")
    assert first.stdout.splitlines() == ["Role: owner in Acme", "first@example.com"]
    assert second.stdout.splitlines() == ["Role: member in Acme", "second@example.com"]
    assert third.stdout.splitlines() == ["Role: admin in Acme", "third@example.com"]
    with app.app_context():
        roles = {m.user.email: m.role for m in db.session.scalars(db.select(Membership))}
    assert roles == {
        "first@example.com": "owner",
        "second@example.com": "member",
        "third@example.com": "admin",
    }


def test_users_create_errors_are_one_line(runner):
    team_id = last_line(runner.invoke(args=["teams", "create", "Acme"]))
    args = [
        "users",
        "create",
        "a@example.com",
        "--name",
        "A",
        "--password",
        "long-enough",
        "--team",
    ]
    assert runner.invoke(args=[*args, team_id]).exit_code == 0
    duplicate = runner.invoke(args=[*args, team_id])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.stderr
    no_team = runner.invoke(args=[*args[:-1], "--team", "team_missing"])
    assert no_team.exit_code == 1 and "team_missing" in no_team.stderr
    short = runner.invoke(
        args=[
            "users",
            "create",
            "b@example.com",
            "--name",
            "B",
            "--password",
            "short",
            "--team",
            team_id,
        ]
    )
    assert short.exit_code == 1 and "8 characters" in short.stderr


def test_tokens_create_prints_a_token_that_works(app, client, runner):
    team_id = last_line(runner.invoke(args=["teams", "create", "Acme"]))
    runner.invoke(
        args=[
            "users",
            "create",
            "a@example.com",
            "--name",
            "A",
            "--password",
            "long-enough",
            "--team",
            team_id,
        ]
    )
    result = runner.invoke(args=["tokens", "create", "a@example.com", "--name", "ci"])
    token = last_line(result)
    assert result.exit_code == 0 and token.startswith("tt_")
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(SEARCH, json={"filters": {"countryCode": "US"}}, headers=headers).status_code
        == 200
    )
    missing = runner.invoke(args=["tokens", "create", "nobody@example.com"])
    assert missing.exit_code == 1 and "nobody@example.com" in missing.stderr


def test_demo_is_idempotent_and_prints_a_working_token(app, client, runner):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == second.exit_code == 0
    assert last_line(first) == last_line(second)
    assert "demo@example.com" in first.stdout
    with app.app_context():
        (team,) = db.session.scalars(db.select(Team)).all()
        assert team.plan == "growth"
    headers = {"Authorization": f"Bearer {last_line(first)}"}
    body = {"phoneNumber": "+14155550101", "teamId": team.id}
    response = client.post("/api/phone-numbers/purchase", json=body, headers=headers)
    assert response.status_code == 200


def stored_scopes(app, email: str) -> list[list[str] | None]:
    """The scopes of each of the user's tokens, oldest first."""
    with app.app_context():
        query = (
            db.select(ApiToken.scopes)
            .join(User, User.id == ApiToken.user_id)
            .where(User.email == email)
            .order_by(ApiToken.created_at, ApiToken.id)
        )
        return list(db.session.scalars(query))


def test_tokens_create_gives_every_scope_the_users_roles_allow(app, client, runner, factory):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    made = runner.invoke(args=["tokens", "create", member.email])
    assert made.exit_code == 0
    assert made.stdout.splitlines()[0] == "Scopes: numbers:read, numbers:buy, numbers:manage"
    assert stored_scopes(app, member.email)[-1] == ["numbers:read", "numbers:buy", "numbers:manage"]
    headers = {"Authorization": f"Bearer {last_line(made)}"}
    body = {"teamId": owner.team_id, "name": "Ava"}
    refused = client.post("/api/assistants", json=body, headers=headers)
    assert refused.get_json()["error"]["code"] == "insufficient_scope"
    made = runner.invoke(args=["tokens", "create", owner.email])
    assert made.stdout.splitlines()[0] == (
        "Scopes: numbers:read, numbers:buy, numbers:manage, assistants:manage, team:manage, "
        "webhooks:manage"
    )


def test_tokens_create_with_chosen_scopes(app, runner, factory):
    owner = factory.member("growth")
    args = ["tokens", "create", owner.email, "--scope", "numbers:buy", "--scope", "numbers:read"]
    assert runner.invoke(args=args).stdout.splitlines()[0] == "Scopes: numbers:read, numbers:buy"
    commas = ["tokens", "create", owner.email, "--scope", "team:manage, numbers:manage"]
    assert runner.invoke(args=commas).exit_code == 0
    assert stored_scopes(app, owner.email)[1:] == [
        ["numbers:read", "numbers:buy"],
        ["numbers:manage", "team:manage"],
    ]


def test_tokens_create_refuses_a_scope_the_user_cannot_have_in_one_line(app, runner, factory):
    owner = factory.member("growth")
    admin = factory.member(team_id=owner.team_id, role="admin")
    every = (
        "numbers:read, numbers:buy, numbers:manage, assistants:manage, team:manage, webhooks:manage"
    )
    beyond = "You cannot give a token the team:manage scope: only an owner of a team can."
    for scope, error in [
        ("team:manage", beyond),
        ("numbers:write", f"No scope is called 'numbers:write'; scopes: {every}."),
    ]:
        refused = runner.invoke(args=["tokens", "create", admin.email, "--scope", scope])
        assert refused.exit_code == 1
        assert refused.stdout == ""
        assert refused.stderr == f"Error: {error}\n"
    assert stored_scopes(app, admin.email) == [None]  # only the factory's token


def test_the_demo_token_has_every_scope_now_and_later(app, runner):
    runner.invoke(args=["demo"])
    assert stored_scopes(app, "demo@example.com") == [None]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["teams", "set-limit"],
            "Error: Missing argument 'TEAM_ID'. (see `flask teams set-limit --help`)",
        ),
        (
            ["teams", "create", "X", "--plan", "bogus"],
            "Error: Invalid value for '--plan': 'bogus' is not one of 'free', 'starter', "
            "'growth', 'scale'. (see `flask teams create --help`)",
        ),
        (
            ["jobs", "status", "--bogus"],
            "Error: No such option '--bogus'. (see `flask jobs status --help`)",
        ),
    ],
)
def test_a_bad_argument_is_one_line(runner, args, line):
    result = runner.invoke(args=args, prog_name="flask")  # as a shell runs it
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [line]


def test_tokens_create_with_an_expiry(app, runner, factory):
    from datetime import timedelta

    from app.models import ApiToken, utcnow

    owner = factory.member("growth")
    made = runner.invoke(args=["tokens", "create", owner.email, "--expires", "30"])
    assert made.exit_code == 0
    with app.app_context():
        newest = db.session.scalars(
            db.select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).first()
        assert abs(newest.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)
    refused = runner.invoke(args=["tokens", "create", owner.email, "--expires", "7"])
    assert refused.exit_code == 2


def test_users_reset_two_factor_turns_it_off_and_ends_the_sessions(app, runner, factory):
    from app.accounts import sessions, two_factor
    from app.models import LoginSession, User, utcnow

    someone = factory.member()
    with app.app_context():
        user = db.session.get(User, someone.user_id)
        two_factor.start_setup(user)
        user.totp_enabled_at = utcnow()
        db.session.commit()
        sessions.open_session(user)
    result = runner.invoke(args=["users", "reset-two-factor", someone.email])
    assert result.exit_code == 0
    assert last_line(result) == f"{someone.email}: two-factor sign-in off, 1 session ended"
    with app.app_context():
        user = db.session.get(User, someone.user_id)
        assert (user.totp_enabled_at, user.totp_secret) == (None, None)
        live = db.select(db.func.count()).where(LoginSession.ended_at.is_(None))
        assert db.session.scalar(live) == 0
    missing = runner.invoke(args=["users", "reset-two-factor", "nobody@example.com"])
    assert missing.exit_code == 1
