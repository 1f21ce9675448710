"""Which scopes a person may give a token: capped by the roles they hold, across their teams.

The expected answers are written out by hand, per role: a change to the scopes or the role
matrix fails here until this table says the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts import scopes, teams, tokens
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import ApiToken, Role, User

ORDER = list(Role).index
EVERY = [
    "numbers:read",
    "numbers:buy",
    "numbers:manage",
    "assistants:manage",
    "team:manage",
    "webhooks:manage",
]
GRANTABLE: dict[tuple[Role, ...], list[str]] = {
    (Role.OWNER,): EVERY,
    (Role.ADMIN,): [
        "numbers:read",
        "numbers:buy",
        "numbers:manage",
        "assistants:manage",
        "webhooks:manage",
    ],
    (Role.MEMBER,): ["numbers:read", "numbers:buy", "numbers:manage"],
    (Role.MEMBER, Role.ADMIN): [
        "numbers:read",
        "numbers:buy",
        "numbers:manage",
        "assistants:manage",
        "webhooks:manage",
    ],
    (Role.MEMBER, Role.OWNER): EVERY,
    (): ["numbers:read"],  # in no team: reading (a search) is all a token could do
}


def test_every_scope_is_listed_in_order():
    assert list(scopes.SCOPES) == EVERY


@pytest.mark.parametrize("roles", GRANTABLE, ids=lambda roles: "+".join(roles) or "no team")
def test_the_scopes_a_person_may_give_follow_their_highest_role(roles):
    assert [scope.name for scope in scopes.grantable(roles)] == GRANTABLE[roles]
    for name in EVERY:
        if name in GRANTABLE[roles]:
            assert scopes.chosen_scopes([name], roles) == [name]
            continue
        with pytest.raises(ValidationFailed) as refused:
            scopes.chosen_scopes([name], roles)
        assert refused.value.fields["scopes"].startswith(
            f"You cannot give a token the {name} scope"
        )


def test_the_refusal_says_who_may_give_the_scope():
    with pytest.raises(ValidationFailed) as refused:
        scopes.chosen_scopes(["team:manage"], [Role.ADMIN])
    assert refused.value.fields == {
        "scopes": "You cannot give a token the team:manage scope: only an owner of a team can."
    }
    with pytest.raises(ValidationFailed) as refused:
        scopes.chosen_scopes(["assistants:manage"], [Role.MEMBER])
    assert refused.value.fields["scopes"].endswith("only an owner or admin of a team can.")


def test_chosen_scopes_are_stored_once_each_in_order():
    chosen = scopes.chosen_scopes(
        ["numbers:manage", "numbers:read", "numbers:manage"], [Role.MEMBER]
    )
    assert chosen == ["numbers:read", "numbers:manage"]


@pytest.mark.parametrize(
    "names,message",
    [
        ([], "Choose at least one scope: a token without any could call nothing."),
        (
            ["numbers:write"],
            "No scope is called 'numbers:write'; scopes: " + ", ".join(EVERY) + ".",
        ),
        (["Numbers:Read"], "No scope is called 'Numbers:Read'; scopes: " + ", ".join(EVERY) + "."),
        ([7], "No scope is called that; scopes: " + ", ".join(EVERY) + "."),
    ],
)
def test_no_scope_or_an_unknown_one_is_refused(names, message):
    with pytest.raises(ValidationFailed) as refused:
        scopes.chosen_scopes(names, [Role.OWNER])
    assert refused.value.fields == {"scopes": message}


def test_issue_token_caps_by_every_team_the_user_is_in(app, factory):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    with app.app_context():
        user = db.session.get(User, member.user_id)
        with pytest.raises(ValidationFailed):
            tokens.issue_token(user, "x", scopes=["numbers:read", "assistants:manage"])
        assert db.session.scalar(db.select(db.func.count()).where(ApiToken.name == "x")) == 0
        # An admin of a second team: assistants:manage now, and still not team:manage.
        teams.add_member(user, teams.create_team("Elsewhere"), "admin")
        issued = tokens.issue_token(user, "x", scopes=["assistants:manage", "numbers:read"])
        assert issued.token.scopes == ["numbers:read", "assistants:manage"]
        with pytest.raises(ValidationFailed):
            tokens.issue_token(user, "y", scopes=["team:manage"])


def test_none_gives_every_scope_now_and_later(app, factory):
    member = factory.member("growth")
    with app.app_context():
        issued = tokens.issue_token(db.session.get(User, member.user_id), "all", scopes=None)
        assert db.session.get(ApiToken, issued.token.id).scopes is None
        holder = tokens.holder_for_token(issued.plain)
        assert holder.scopes is None
        for scope in scopes.SCOPES.values():
            holder.require(scope)  # refuses nothing


def test_the_readme_documents_every_scope_and_who_may_give_it():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = text.split("## API tokens and scopes", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = {}
    for row in rows:
        name, allows, _operations, holders = (cell.strip() for cell in row.strip("|").split("|"))
        documented[name.strip("`")] = (allows, holders)
    assert list(documented) == EVERY
    for name, scope in scopes.SCOPES.items():
        holders = "anyone" if not scope.permissions else ", ".join(sorted(scope.roles, key=ORDER))
        assert documented[name] == (scope.allows, holders), name
    assert {name: holders for name, (_allows, holders) in documented.items()} == {
        "numbers:read": "anyone",
        "numbers:buy": "owner, admin, member",
        "numbers:manage": "owner, admin, member",
        "assistants:manage": "owner, admin",
        "team:manage": "owner",
        "webhooks:manage": "owner, admin",
    }
