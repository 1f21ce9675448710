"""`flask mcp` over stdio, spawned as a subprocess by the SDK's client against the test's
database (SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import subprocess
import sys
from functools import partial

import pytest

from app.accounts.tokens import hash_token, revoke_token
from app.extensions import db
from app.models import ApiToken, User
from tests.agents.helpers import numbers_of
from tests.agents.mcp_client import ROOT, calls, stdio_parameters, stdio_session
from tests.factories import Factory
from tests.support import build_app, teardown_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("stdio"))
    yield app
    teardown_app(app)


@pytest.fixture(scope="module")
def people(app) -> Factory:
    return Factory(app)


@pytest.fixture
def environment(app, tmp_path) -> dict[str, str]:
    """What `flask mcp` needs to run on the test's database, without touching instance/."""
    return {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PHONE_PROVIDER": "sandbox",
        "JOBS_IMMEDIATE": "1",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        # On PostgreSQL the app is "outside development" and would warn on stderr about mail
        # kept on disk and links without BASE_URL; stderr here must be the server's own words.
        "MAIL_BACKEND": "locmem",
        "BASE_URL": "http://127.0.0.1:5000",
    }


def test_an_agent_searches_quotes_and_buys_over_stdio(app, people, environment):
    owner = people.member("growth")
    session = partial(
        stdio_session, stdio_parameters({**environment, "MCP_API_TOKEN": owner.token})
    )

    found, quoted = calls(
        session,
        ("search_numbers", {"country_code": "US", "area_code": "503", "limit": 2}),
        ("quote", {"phone_number": "+15035550100"}),
    )
    assert [n["phoneNumber"] for n in found.body["numbers"]] == ["+15035550100", "+15035550101"]
    quote_id = quoted.body["quote"]["quoteId"]
    forged, bought = calls(
        session,
        ("buy_number", {"quote_id": quote_id, "idempotency_key": "k", "price": "0.01"}),
        ("buy_number", {"quote_id": quote_id, "idempotency_key": "k"}),
    )
    assert forged.code == "invalid_request" and set(forged.body["error"]["fields"]) == {"price"}
    assert bought.body["status"] == "bought"
    assert numbers_of(app, owner.team_id) == [("+15035550100", "active", "1.00", "1.00")]


def test_scopes_hold_over_stdio_and_a_revoked_token_stops_at_the_next_call(
    app, people, environment
):
    owner = people.member("growth")
    reader = people.token(owner, ["numbers:read"], name="Reader")
    parameters = stdio_parameters({**environment, "AGENT_TOKEN": reader}, token_env="AGENT_TOKEN")

    async def run():
        from tests.agents.mcp_client import reply

        async with stdio_session(parameters) as session:
            held = reply(await session.call_tool("hold_number", {"phone_number": "+15035550110"}))
            with app.app_context():
                token = db.session.scalar(
                    db.select(ApiToken).where(ApiToken.token_hash == hash_token(reader))
                )
                revoke_token(db.session.get(User, owner.user_id), token.id)
            listed = reply(await session.call_tool("list_numbers", {}))
            return held, listed

    import anyio

    held, listed = anyio.run(run)
    assert held.body["error"]["code"] == "insufficient_scope"
    assert held.body["error"]["requiredScope"] == "numbers:buy"
    assert listed.body["error"] == {
        "code": "unauthorized",
        "message": "The API token is not valid or has been revoked.",
    }


@pytest.mark.parametrize(
    ("token", "said"),
    [
        (None, "Error: Set MCP_API_TOKEN to an API token (tt_...): the server acts with it."),
        ("tt_nope", "Error: The API token in MCP_API_TOKEN is not valid or has been revoked"),
    ],
)
def test_without_a_valid_token_it_says_so_on_stderr_and_stops(environment, token, said):
    env = {**stdio_parameters(environment).env}
    if token:
        env["MCP_API_TOKEN"] = token
    done = subprocess.run(
        [sys.executable, "-m", "flask", "mcp"],
        cwd=ROOT,
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""  # stdout is the protocol's alone
    assert done.stderr.startswith(said)
