"""Buying over MCP (streamable HTTP, the SDK's client): only at a server quote's price.

buy_number takes a quote id and an idempotency key, nothing else: a price an agent sends is
refused, a quote is its maker's and its team's only, it buys once, it ends, and a provider
price that moved since is refused with a new quote. The purchase is the purchase service's:
plan, spend cap and approvals apply as for the API.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.agents.helpers import age_quote, numbers_of, quote_used, requests_of
from tests.agents.mcp_client import call, calls
from tests.factories import guard

BUY_KEYS = {"quote_id", "idempotency_key"}


def quoted(session, number: str, **more) -> str:
    answer = call(session, "quote", {"phone_number": number, **more})
    assert not answer.error, answer.body
    return answer.body["quote"]["quoteId"]


def test_buy_number_takes_no_price_argument(mcp, people):
    owner = people.member("growth")

    async def schema(session):
        tools = {t.name: t for t in (await session.list_tools()).tools}
        return tools["buy_number"].input_schema

    import anyio

    async def run():
        async with mcp(owner.token)() as session:
            return await schema(session)

    found = anyio.run(run)
    assert set(found["properties"]) == BUY_KEYS
    assert set(found["required"]) == BUY_KEYS


@pytest.mark.parametrize("forged", ["price", "monthly_price", "setup_price", "phone_number"])
def test_a_forged_price_or_number_is_refused_and_buys_nothing(server, mcp, people, forged):
    owner = people.member("growth")
    session = mcp(owner.token)
    quote_id = quoted(session, "+12125550142")
    value = "+12125550199" if forged == "phone_number" else "0.01"
    answer = call(
        session, "buy_number", {"quote_id": quote_id, "idempotency_key": "k1", forged: value}
    )
    assert answer.error
    assert answer.body["error"]["code"] == "invalid_request"
    assert answer.body["error"]["fields"] == {
        forged: f"buy_number takes no argument {forged!r}; it takes idempotency_key, quote_id."
    }
    assert numbers_of(server.app, owner.team_id) == []
    assert not quote_used(server.app, quote_id)


def test_buying_with_a_quote_buys_that_number_at_that_price_once(server, mcp, people):
    owner = people.member("growth")
    session = mcp(owner.token)
    quote = call(session, "quote", {"phone_number": "+12125550143"}).body["quote"]
    assert quote == {
        "quoteId": quote["quoteId"],
        "teamId": owner.team_id,
        "phoneNumber": "+12125550143",
        "setupPrice": "1.00",
        "monthlyPrice": "1.00",
        "currency": "USD",
        "dueNow": "2.00",
        "trial": False,
        "expiresAt": quote["expiresAt"],
    }
    buy = {"quote_id": quote["quoteId"], "idempotency_key": "order-1"}
    first, again, other_key = calls(
        session,
        ("buy_number", buy),
        ("buy_number", buy),
        ("buy_number", {**buy, "idempotency_key": "order-2"}),
    )
    assert not first.error, first.body
    assert first.body["status"] == "bought"
    assert first.body["phoneNumber"]["phone_number"] == "+12125550143"
    assert first.body["phoneNumber"]["status"] == "active"
    assert first.body["price"] == {"setupPrice": "1.00", "monthlyPrice": "1.00", "currency": "USD"}
    assert first.body["eligibility"]["currentCount"] == 1
    # The same key answers the first answer again, and buys nothing more.
    assert again.body == {**first.body, "replayed": True}
    assert other_key.code == "quote_used"
    assert numbers_of(server.app, owner.team_id) == [("+12125550143", "active", "1.00", "1.00")]


def test_a_quote_is_only_its_makers(server, mcp, people):
    owner = people.member("growth")
    teammate = people.member(team_id=owner.team_id, role="admin")
    stranger = people.member("growth")
    quote_id = quoted(mcp(owner.token), "+12125550144")
    for person in (teammate, stranger):
        answer = call(
            mcp(person.token), "buy_number", {"quote_id": quote_id, "idempotency_key": "x"}
        )
        assert answer.body == {
            "success": False,
            "error": {"code": "not_found", "message": "Quote not found."},
        }
    made_up = call(
        mcp(owner.token), "buy_number", {"quote_id": "quo_" + "0" * 26, "idempotency_key": "y"}
    )
    assert made_up.code == "not_found"
    assert numbers_of(server.app, owner.team_id) == []
    assert numbers_of(server.app, stranger.team_id) == []


def test_an_expired_quote_buys_nothing(server, mcp, people):
    owner = people.member("growth")
    session = mcp(owner.token)
    quote_id = quoted(session, "+12125550145")
    age_quote(server.app, quote_id, timedelta(minutes=6))
    answer = call(session, "buy_number", {"quote_id": quote_id, "idempotency_key": "k"})
    assert answer.code == "quote_expired"
    assert answer.body["error"]["message"].startswith(f"Quote {quote_id} expired at ")
    assert answer.body["error"]["message"].endswith(": ask for a new quote.")
    assert numbers_of(server.app, owner.team_id) == []


def test_a_price_that_moved_is_refused_with_a_new_quote(server, mcp, people, monkeypatch):
    owner = people.member("growth")
    session = mcp(owner.token)
    quote_id = quoted(session, "+12125550146")
    # The provider's price goes up after the quote (the sandbox prices every number itself).
    monkeypatch.setattr(
        "app.providers.sandbox.offer_price",
        lambda kind, country: (Decimal("3.00"), Decimal("5.00")),
    )
    refused = call(session, "buy_number", {"quote_id": quote_id, "idempotency_key": "k"})
    assert refused.code == "price_changed"
    fresh = refused.body["quote"]
    assert fresh["quoteId"] != quote_id
    assert (fresh["setupPrice"], fresh["monthlyPrice"], fresh["dueNow"]) == ("5.00", "3.00", "8.00")
    assert refused.body["error"]["message"] == (
        f"The provider's price for +12125550146 changed since quote {quote_id} (setup $1.00, "
        "$1.00 a month): it is now setup $5.00, $3.00 a month. Nothing was bought; buy with "
        f"the new quote {fresh['quoteId']} if that price suits."
    )
    assert numbers_of(server.app, owner.team_id) == []
    bought = call(session, "buy_number", {"quote_id": fresh["quoteId"], "idempotency_key": "k2"})
    assert bought.body["status"] == "bought"
    assert numbers_of(server.app, owner.team_id) == [("+12125550146", "active", "5.00", "3.00")]


def test_the_spend_cap_refuses_and_leaves_the_quote_usable(server, mcp, people):
    owner = people.member("growth")
    guard(server.app, owner, spend_cap="1.50")
    session = mcp(owner.token)
    quote_id = quoted(session, "+12125550147")
    refused = call(session, "buy_number", {"quote_id": quote_id, "idempotency_key": "k"})
    assert refused.code == "spend_cap_reached"
    assert refused.body["spending"] == {"cap": "1.50", "spent": "0.00", "thisPurchase": "2.00"}
    assert numbers_of(server.app, owner.team_id) == []
    assert not quote_used(server.app, quote_id)  # nothing was bought with it
    # The refusal is the answer for that key; the owner raises the cap, a new key buys.
    guard(server.app, owner, spend_cap="2.00")
    replay = call(session, "buy_number", {"quote_id": quote_id, "idempotency_key": "k"})
    assert replay.code == "spend_cap_reached" and replay.body["replayed"] is True
    bought = call(session, "buy_number", {"quote_id": quote_id, "idempotency_key": "k2"})
    assert bought.body["status"] == "bought"


def test_a_members_purchase_waits_for_approval_at_the_quoted_price(server, mcp, people):
    owner, _admin, member = people.approving_team()
    session = mcp(member.token)
    quote_id = quoted(session, "+12125550148")
    answer = call(session, "buy_number", {"quote_id": quote_id, "idempotency_key": "k"})
    assert not answer.error, answer.body
    assert answer.body["status"] == "requested"
    assert answer.body["request"]["status"] == "pending"
    assert answer.body["request"]["setupPrice"] == "1.00"
    assert answer.body["message"].startswith("Sent for approval:")
    assert numbers_of(server.app, owner.team_id) == []
    assert requests_of(server.app, owner.team_id) == [("+12125550148", "pending", "1.00", "1.00")]
    assert quote_used(server.app, quote_id)


def test_the_plan_limit_applies(server, mcp, people):
    owner = people.member("starter")
    people.number(owner, "+12125550100")
    people.number(owner, "+12125550101")
    people.number(owner, "+12125550102")
    session = mcp(owner.token)
    quote_id = quoted(session, "+12125550149")
    refused = call(session, "buy_number", {"quote_id": quote_id, "idempotency_key": "k"})
    assert refused.code == "plan_limit_reached"
    assert refused.body["eligibility"]["currentCount"] == 3
    assert "+12125550149" not in [n for n, *_ in numbers_of(server.app, owner.team_id)]


def test_a_free_teams_quote_says_the_trial_costs_nothing(mcp, people):
    owner = people.member("free")
    quote = call(mcp(owner.token), "quote", {"phone_number": "+12125550150"}).body["quote"]
    assert (quote["trial"], quote["dueNow"], quote["setupPrice"]) == (True, "0.00", "1.00")


def test_a_number_another_team_holds_cannot_be_quoted(mcp, people):
    first = people.member("growth")
    people.number(first, "+12125550151")
    other = people.member("growth")
    answer = call(mcp(other.token), "quote", {"phone_number": "+12125550151"})
    assert answer.body["error"] == {
        "code": "number_unavailable",
        "message": "+12125550151 is already held by another team on this platform.",
    }


def test_a_bad_idempotency_key_or_number_names_the_argument(mcp, people):
    owner = people.member("growth")
    session = mcp(owner.token)
    bad_number = call(session, "quote", {"phone_number": "415 555"})
    assert bad_number.body["error"]["fields"] == {
        "phone_number": "Phone number must be in E.164 format, such as +14155550101."
    }
    quote_id = quoted(session, "+12125550152")
    bad_key = call(session, "buy_number", {"quote_id": quote_id, "idempotency_key": "two words"})
    assert bad_key.body["error"]["fields"] == {
        "idempotency_key": "idempotency_key must be 1 to 255 visible ASCII characters."
    }
