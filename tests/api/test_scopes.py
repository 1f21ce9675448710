"""Scoped tokens on the API: the scope is checked first, the role in the team still applies,
the refusal says what to do, and tokens made before scopes keep every scope."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.accounts.scopes import SCOPES
from app.accounts.tokens import hash_token
from app.api.auth import token_required
from app.extensions import db
from app.ids import new_id
from app.models import utcnow
from tests.factories import add_team
from tests.helpers import PURCHASE, assert_error, bought_id, new_assistant, sandbox_number

ASSISTANTS = "/api/assistants"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_scope_is_checked_before_the_body_and_the_team(client, factory):
    owner, stranger = factory.member("growth"), factory.member("growth")
    reader = bearer(factory.token(owner, ["numbers:read"]))
    # A body that is not valid, and a team the caller is not in: the scope answers first.
    assert_error(
        client.post(PURCHASE, json={"phoneNumber": "x"}, headers=reader), 403, "insufficient_scope"
    )
    body = {"phoneNumber": sandbox_number("415", 0), "teamId": stranger.team_id}
    assert_error(client.post(PURCHASE, json=body, headers=reader), 403, "insufficient_scope")
    assert_error(client.post(PURCHASE, data="not json", headers=reader), 403, "insufficient_scope")
    # Authentication still comes first: no token, or a dead one, is 401.
    assert_error(client.post(PURCHASE, json=body), 401, "unauthorized")
    assert_error(client.post(PURCHASE, json=body, headers=bearer("tt_nope")), 401, "unauthorized")


def test_the_role_still_applies_to_a_scoped_token(client, factory):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    manager = bearer(factory.token(member, ["numbers:read", "numbers:manage"]))
    number = bought_id(client, owner, sandbox_number("415", 0))
    label = {"teamId": owner.team_id, "label": "Front desk"}
    labelled = client.patch(f"/api/phone-numbers/{number}", json=label, headers=manager)
    assert (
        labelled.status_code == 200 and labelled.get_json()["phoneNumber"]["label"] == "Front desk"
    )
    released = client.delete(
        f"/api/phone-numbers/{number}", query_string={"teamId": owner.team_id}, headers=manager
    )
    refused = assert_error(released, 403, "forbidden")
    assert "(member) may not release numbers" in refused["error"]["message"]


def test_a_scope_held_for_one_team_works_only_where_the_role_allows(app, client, factory):
    # An owner of one team and a member of another may give a token assistants:manage: it
    # creates assistants where they own the team, and is refused by role where they do not.
    theirs = factory.member("growth")
    mine = factory.member(team_id=theirs.team_id, role="member")
    own_team = add_team(app, mine, "Own team", "starter")
    token = bearer(factory.token(mine, ["assistants:manage"]))
    made = client.post(ASSISTANTS, json={"teamId": own_team.team_id, "name": "Ava"}, headers=token)
    assert made.status_code == 201
    elsewhere = client.post(
        ASSISTANTS, json={"teamId": theirs.team_id, "name": "Ava"}, headers=token
    )
    assert (
        "(member) may not create" in assert_error(elsewhere, 403, "forbidden")["error"]["message"]
    )


def test_a_refusal_says_who_can_give_a_scope_the_user_cannot_have(client, factory):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    token = factory.token(member, ["numbers:read"], name="Bot")
    body = {"teamId": owner.team_id, "name": "Ava"}
    refused = assert_error(
        client.post(ASSISTANTS, json=body, headers=bearer(token)), 403, "insufficient_scope"
    )
    assert refused["error"]["message"] == (
        f"This API token (“Bot”, {token[:10]}…) lacks the assistants:manage scope: "
        "only an owner or admin of a team can give a token that scope."
    )
    assert refused["error"]["requiredScope"] == "assistants:manage"


def test_a_token_without_a_name_is_named_by_its_first_characters(client, factory):
    owner = factory.member("growth")
    token = factory.token(owner, ["numbers:read"], name="")
    body = {"phoneNumber": sandbox_number("415", 0), "teamId": owner.team_id}
    refused = client.post(PURCHASE, json=body, headers=bearer(token))
    refused = assert_error(refused, 403, "insufficient_scope")
    assert refused["error"]["message"].startswith(f"This API token ({token[:10]}…) lacks")


def test_a_token_made_before_scopes_keeps_every_scope_its_role_allows(app, client):
    """Written as 0009 left it, then migrated: NULL scopes, and every kind of call works."""
    plain, team, user = "tt_made-before-scopes", new_id("team"), new_id("usr")
    rows = {
        "teams": {"id": team, "name": "Old", "plan": "growth", "purchase_seq": 0, "version": 0},
        "users": {"id": user, "email": "old@example.com", "name": "Old", "password_hash": "x"},
        "memberships": {"user_id": user, "team_id": team, "role": "owner"},
        "api_tokens": {
            "id": new_id("tok"),
            "user_id": user,
            "name": "old",
            "token_hash": hash_token(plain),
            "display_prefix": plain[:10],
        },
    }
    with app.app_context():
        db.drop_all()
        upgrade(revision="0009")
        try:
            with db.engine.begin() as connection:
                for table, row in rows.items():
                    row = {**row, "created_at": utcnow()}
                    columns = ", ".join(row)
                    values = ", ".join(f":{column}" for column in row)
                    connection.execute(
                        sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row
                    )
            upgrade()
            with db.engine.connect() as connection:
                stored = connection.execute(sa.text("SELECT scopes FROM api_tokens")).scalar_one()
            assert stored is None
            headers = bearer(plain)
            body = {"phoneNumber": sandbox_number("415", 0), "teamId": team}
            assert client.post(PURCHASE, json=body, headers=headers).status_code == 200
            made = client.post(ASSISTANTS, json={"teamId": team, "name": "Ava"}, headers=headers)
            assert made.status_code == 201
            listed = client.get(PURCHASE, query_string={"teamId": team}, headers=headers)
            assert listed.get_json()["count"] == 1
        finally:
            db.session.remove()
            downgrade(revision="base")
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_a_members_legacy_token_is_refused_by_role_not_by_scope(client, factory):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")  # the factory's: NULL scopes
    body = {"teamId": owner.team_id, "name": "Ava"}
    refused = assert_error(
        client.post(ASSISTANTS, json=body, headers=member.headers), 403, "forbidden"
    )
    assert "(member) may not create" in refused["error"]["message"]
    assert new_assistant(client, owner, "Ava")


def test_a_view_must_name_its_scope(app):
    with pytest.raises(TypeError, match="Name the scope the view needs"):
        token_required(lambda: None)  # a bare @token_required fails at import, not at a call
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi_document":
            scope = getattr(app.view_functions[rule.endpoint], "required_scope", None)
            assert scope in SCOPES.values(), rule.rule
