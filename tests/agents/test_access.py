"""Who may call what over /mcp: the token, its scopes, the role in the team, the team's own
things only, and the HTTP edges (401, 405, 413, the rate limits), all as for the API."""

from __future__ import annotations

import anyio
import pytest
import requests

from app.accounts.tokens import hash_token, revoke_token
from app.extensions import db
from app.models import ApiToken, User
from tests.agents.helpers import numbers_of
from tests.agents.mcp_client import call

TOOL_SCOPES = {
    "search_numbers": "numbers:read",
    "quote": "numbers:read",
    "list_numbers": "numbers:read",
    "number_health": "numbers:read",
    "hold_number": "numbers:buy",
    "buy_number": "numbers:buy",
    "assign_number": "numbers:manage",
    "release_number": "numbers:manage",
}
ALL_SCOPES = ["numbers:read", "numbers:buy", "numbers:manage", "assistants:manage", "team:manage"]


def arguments(tool: str, number_id: str) -> dict:
    return {
        "search_numbers": {"country_code": "US"},
        "quote": {"phone_number": "+13125550140"},
        "list_numbers": {},
        "number_health": {"number_id": number_id},
        "hold_number": {"phone_number": "+13125550141"},
        "buy_number": {"quote_id": "quo_" + "0" * 26, "idempotency_key": "k"},
        "assign_number": {"number_id": number_id, "assistant": None},
        "release_number": {"number_id": number_id, "dry_run": True},
    }[tool]


def test_the_server_offers_the_eight_tools(mcp, people):
    owner = people.member("growth")

    async def names():
        async with mcp(owner.token)() as session:
            return sorted(tool.name for tool in (await session.list_tools()).tools)

    assert anyio.run(names) == sorted(TOOL_SCOPES)


@pytest.mark.parametrize("tool", sorted(TOOL_SCOPES))
def test_a_token_without_the_tools_scope_is_refused(server, mcp, people, tool):
    owner = people.member("growth")
    number_id = people.number(owner, f"+1312555{sorted(TOOL_SCOPES).index(tool):04d}")
    needed = TOOL_SCOPES[tool]
    others = people.token(owner, [s for s in ALL_SCOPES if s != needed], name="All but one")
    answer = call(mcp(others), tool, arguments(tool, number_id))
    assert answer.body == {
        "success": False,
        "error": {
            "code": "insufficient_scope",
            "message": f"This API token (“All but one”, {others[:10]}…) lacks the {needed} "
            "scope: make a token with it on the API tokens page.",
            "requiredScope": needed,
        },
    }
    # With just that scope the same call gets past the scope (an answer other than that).
    allowed = people.token(owner, [needed], name="Just right")
    assert call(mcp(allowed), tool, arguments(tool, number_id)).code != "insufficient_scope"


def test_a_members_token_cannot_release(mcp, people):
    owner = people.member("growth")
    member = people.member(team_id=owner.team_id, role="member")
    number_id = people.number(owner, "+13125550150")
    answer = call(mcp(member.token), "release_number", {"number_id": number_id, "dry_run": True})
    assert answer.code == "forbidden"
    assert answer.body["error"]["message"].endswith(
        "may not release numbers: ask an owner or admin."
    )


def test_another_teams_numbers_and_team_are_invisible(server, mcp, people):
    owner = people.member("growth")
    theirs = people.member("growth")
    their_number = people.number(theirs, "+13125550151")
    session = mcp(owner.token)
    for tool, args in (
        ("number_health", {"number_id": their_number}),
        ("assign_number", {"number_id": their_number, "assistant": None}),
        ("release_number", {"number_id": their_number, "dry_run": True}),
    ):
        answer = call(session, tool, args)
        assert answer.body["error"] == {"code": "not_found", "message": "Phone number not found."}
    listed = call(session, "list_numbers", {"team_id": theirs.team_id})
    assert listed.body["error"] == {"code": "team_not_found", "message": "Team not found."}
    held = call(session, "hold_number", {"phone_number": "+13125550152", "team_id": theirs.team_id})
    assert held.code == "team_not_found"
    assert numbers_of(server.app, theirs.team_id)[0][:2] == ("+13125550151", "active")


def test_someone_in_two_teams_names_the_team(mcp, people):
    owner = people.member("growth")
    from tests.factories import add_team

    second = add_team(people.app, owner, "Second", "growth")
    answer = call(mcp(owner.token), "list_numbers", {})
    assert answer.code == "invalid_request"
    assert answer.body["error"]["fields"]["team_id"].startswith(
        "Name the team: this token's user is in 2 teams: "
    )
    named = call(mcp(owner.token), "list_numbers", {"team_id": second.team_id})
    assert named.body["teamId"] == second.team_id


def post(server, token: str | None, body: bytes = b"{}", method: str = "POST"):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, f"{server.url}/mcp", data=body, headers=headers, timeout=10)


def test_http_without_a_valid_token_is_401(server, people):
    owner = people.member("growth")
    for token, message in (
        (None, "Send an API token as 'Authorization: Bearer <token>'."),
        ("tt_not-a-token", "The API token is not valid or has been revoked."),
    ):
        response = post(server, token)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="mcp"'
        assert response.json() == {
            "success": False,
            "error": {"code": "unauthorized", "message": message},
        }
    with server.app.app_context():
        token = db.session.scalar(
            db.select(ApiToken).where(ApiToken.token_hash == hash_token(owner.token))
        )
        revoke_token(db.session.get(User, owner.user_id), token.id)
    assert post(server, owner.token).status_code == 401


def test_http_other_methods_and_big_bodies_get_the_envelope(server, people):
    owner = people.member("growth")
    got = post(server, owner.token, method="GET")
    assert got.status_code == 405
    assert set(got.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert got.json()["error"]["code"] == "method_not_allowed"
    big = post(server, owner.token, b"{" + b" " * (64 * 1024) + b"}")
    assert big.status_code == 413
    assert big.json()["error"] == {
        "code": "payload_too_large",
        "message": "The request body is too large.",
    }


def test_searches_share_the_apis_rate_limit(server, client_for_api, mcp, people):
    owner = people.member("growth")
    server.app.config["RATELIMIT_API_SEARCH"] = "3 per minute"
    try:
        api = client_for_api(owner)
        assert api.status_code == 200
        session = mcp(owner.token)
        first, second = (call(session, "search_numbers", {"country_code": "US"}) for _ in "12")
        assert not first.error and not second.error
        third = call(session, "quote", {"phone_number": "+13125550160"})
    finally:
        server.app.config["RATELIMIT_API_SEARCH"] = "120 per minute"
    assert third.code == "rate_limited"
    assert third.body["error"]["message"].startswith("Too many requests (limit: 3 per 1 minute)")
    assert 1 <= third.body["retryAfter"] <= 61  # the window, rounded up


@pytest.fixture
def client_for_api(server):
    """One search through the API itself, over HTTP, for the member."""

    def search(member):
        return requests.post(
            f"{server.url}/api/phone-numbers/search",
            json={"filters": {"countryCode": "US"}},
            headers=member.headers,
            timeout=10,
        )

    return search
