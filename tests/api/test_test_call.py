"""The routing test over the API (allowed, blocked, after hours, split, webhook), and the
call log it fills: GET /api/calls with filters and keyset paging, and its CSV export."""

import csv
import io

import pytest

from app.routing import probe
from app.routing.secrets import signing_secret
from tests.fakes.agent_webhook import AgentWebhook
from tests.helpers import assert_error, new_assistant

ROUTING = {
    "inbound": {
        "fallback": {"type": "phone", "address": "+14155550199"},
        "blocklist": ["+1900", "+14155550123"],
        "allowedCountries": ["US", "CA"],
        "timeZone": "America/New_York",
        "hours": [{"day": "tue", "start": "09:00", "end": "17:00"}],
        "afterHours": {"type": "sip", "address": "sip:voicemail@pbx.example.com"},
    }
}
TUESDAY_10 = "2026-12-01T10:00"  # in the number's time zone
TUESDAY_20 = "2026-12-01T20:00"


@pytest.fixture
def team(app, client, factory):
    owner = factory.member("growth")
    front = new_assistant(client, owner, "Front desk")
    client.patch(
        f"/api/assistants/{front}",
        json={"destination": {"type": "sip", "address": "sip:front-desk@sip.vapi.ai"}},
        headers=owner.headers,
    )
    number = factory.number(owner, "+14155550100", assistant_id=front)
    client.patch(
        f"/api/phone-numbers/{number}",
        json={"teamId": owner.team_id, "routing": ROUTING},
        headers=owner.headers,
    )
    return owner, front, number


def test_call(client, owner, number, **body):
    response = client.post(
        f"/api/phone-numbers/{number}/test-call",
        json={"teamId": owner.team_id, **body},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["test"]


test_call.__test__ = False  # a helper, not a test


def test_an_allowed_caller_in_hours_reaches_the_assistant(client, team):
    owner, front, number = team
    result = test_call(client, owner, number, **{"from": "+1 (212) 555-0100", "at": TUESDAY_10})
    assert result["from"] == "+12125550100"
    assert result["at"] == "2026-12-01T15:00:00Z"
    assert result["outcome"] == "answered"
    decision = result["decision"]
    assert decision["rule"] == "assistant"
    assert decision["assistant"] == {"id": front, "name": "Front desk"}
    assert decision["destination"] == {"type": "sip", "address": "sip:front-desk@sip.vapi.ai"}
    assert decision["fallback"] == {"type": "phone", "address": "+14155550199"}
    assert [s["rule"] for s in decision["steps"]] == [
        "blocklist",
        "country",
        "hours",
        "assistant",
        "destination",
    ]
    call = result["call"]
    assert (call["test"], call["outcome"], call["from"], call["to"]) == (
        True,
        "answered",
        "+12125550100",
        "+14155550100",
    )


def test_a_blocked_caller_is_rejected(client, team):
    owner, _front, number = team
    result = test_call(client, owner, number, **{"from": "+19005550100", "at": TUESDAY_10})
    assert (result["outcome"], result["decision"]["rule"]) == ("rejected", "blocklist")
    assert result["decision"]["steps"] == [
        {"rule": "blocklist", "matched": True, "detail": "+19005550100 matches +1900"}
    ]


def test_after_hours_goes_to_voicemail(client, team):
    owner, _front, number = team
    result = test_call(client, owner, number, **{"from": "+12125550100", "at": TUESDAY_20})
    assert (result["outcome"], result["decision"]["rule"]) == ("fallback", "hours")
    assert result["decision"]["destination"]["address"] == "sip:voicemail@pbx.example.com"


def test_the_roll_picks_each_side_of_a_split(client, team):
    owner, front, number = team
    fresh = new_assistant(client, owner, "New prompt")
    split = [{"assistantId": front, "weight": 80}, {"assistantId": fresh, "weight": 20}]
    client.patch(
        f"/api/phone-numbers/{number}",
        json={"teamId": owner.team_id, "routing": {"inbound": {"assistants": split}}},
        headers=owner.headers,
    )
    low = test_call(client, owner, number, **{"from": "+12125550100", "at": TUESDAY_10, "roll": 79})
    high = test_call(
        client, owner, number, **{"from": "+12125550100", "at": TUESDAY_10, "roll": 80}
    )
    assert low["decision"]["assistant"]["name"] == "Front desk"
    assert high["decision"]["assistant"]["name"] == "New prompt"
    # New prompt has no destination: its share of the calls goes to the fallback.
    assert (high["outcome"], high["decision"]["destination"]["address"]) == (
        "fallback",
        "+14155550199",
    )


@pytest.mark.parametrize(
    "body,field",
    [
        ({"from": "555-0100"}, "from"),
        ({"from": "+12125550100", "at": "tomorrow"}, "at"),
        ({"from": "+12125550100", "roll": 100}, "roll"),
        ({"from": "+12125550100", "sendWebhook": "yes"}, "sendWebhook"),
        ({"from": "+12125550100", "extra": 1}, "extra"),
    ],
)
def test_bad_test_input_is_named(client, team, body, field):
    owner, _front, number = team
    response = client.post(
        f"/api/phone-numbers/{number}/test-call",
        json={"teamId": owner.team_id, **body},
        headers=owner.headers,
    )
    assert field in assert_error(response, 400, "invalid_request")["error"]["fields"]


@pytest.fixture
def agent(app, client, team):
    owner, front, number = team
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True  # the agent server runs on this machine
    with app.app_context():
        secret = signing_secret(front)
    with AgentWebhook(secret) as server:
        client.patch(
            f"/api/assistants/{front}",
            json={"destination": {"type": "webhook", "address": server.url}},
            headers=owner.headers,
        )
        yield server


def test_a_webhook_destination_gets_a_signed_event_and_its_answer_is_shown(client, team, agent):
    owner, front, number = team
    result = test_call(client, owner, number, **{"from": "+12125550100", "at": TUESDAY_10})
    assert result["outcome"] == "answered"
    webhook = result["webhook"]
    assert (webhook["status"], webhook["error"]) == (200, None)
    assert webhook["answer"] == '{"ok": true, "agent": "front-desk"}'
    assert 0 <= webhook["latencyMs"] < 5000
    [received] = agent.received
    assert received["verified"] is True
    assert received["body"]["type"] == "call.test"
    assert received["body"]["data"] == {
        "test": True,
        "from": "+12125550100",
        "to": "+14155550100",
        "phoneNumberId": number,
        "assistantId": front,
        "rule": "assistant",
    }


def test_a_failing_webhook_sends_the_call_to_the_fallback(client, team, agent):
    owner, _front, number = team
    agent.status = 503
    result = test_call(client, owner, number, **{"from": "+12125550100", "at": TUESDAY_10})
    assert result["outcome"] == "fallback"
    assert result["webhook"]["error"] == "It answered 503."
    assert result["call"]["detail"] == "The webhook failed: It answered 503."


def test_a_slow_webhook_times_out(client, team, agent, monkeypatch):
    owner, _front, number = team
    monkeypatch.setattr(probe, "TIMEOUT", 0.3)
    agent.delay = 1.0
    result = test_call(client, owner, number, **{"from": "+12125550100", "at": TUESDAY_10})
    assert result["webhook"]["error"] == "No answer within 0.3 seconds."
    assert result["webhook"]["status"] is None
    assert result["outcome"] == "fallback"


def test_a_redirect_is_not_followed(client, team, agent):
    owner, _front, number = team
    agent.redirect_to = "http://169.254.169.254/latest/meta-data"
    result = test_call(client, owner, number, **{"from": "+12125550100", "at": TUESDAY_10})
    assert result["webhook"]["error"] == "It redirected; redirects are not followed."
    assert len(agent.received) == 1


def test_a_private_webhook_is_not_called_once_config_forbids_it(app, client, team, agent):
    owner, _front, number = team
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    result = test_call(client, owner, number, **{"from": "+12125550100", "at": TUESDAY_10})
    assert result["webhook"]["error"] == "Its address is on a private network."
    assert agent.received == []


def test_the_call_log_pages_and_filters(client, team, factory):
    owner, front, number = team
    for caller in ("+12125550100", "+19005550100", "+12125550101"):
        test_call(client, owner, number, **{"from": caller, "at": TUESDAY_10})
    url = "/api/calls"
    first = client.get(
        url, query_string={"teamId": owner.team_id, "limit": "2"}, headers=owner.headers
    ).get_json()
    assert [c["from"] for c in first["calls"]] == ["+12125550101", "+19005550100"]
    second = client.get(
        url,
        query_string={"teamId": owner.team_id, "limit": "2", "cursor": first["nextCursor"]},
        headers=owner.headers,
    ).get_json()
    assert [c["from"] for c in second["calls"]] == ["+12125550100"]
    assert second["nextCursor"] is None
    rejected = client.get(
        url, query_string={"teamId": owner.team_id, "outcome": "rejected"}, headers=owner.headers
    ).get_json()["calls"]
    assert [c["from"] for c in rejected] == ["+19005550100"]
    mine = client.get(
        url, query_string={"teamId": owner.team_id, "assistantId": front}, headers=owner.headers
    ).get_json()["calls"]
    assert len(mine) == 2
    real = client.get(
        url, query_string={"teamId": owner.team_id, "test": "false"}, headers=owner.headers
    ).get_json()["calls"]
    assert real == []
    other = factory.member("growth")
    theirs = client.get(url, query_string={"teamId": other.team_id}, headers=other.headers)
    assert theirs.get_json()["calls"] == []
    bad = client.get(
        url, query_string={"teamId": owner.team_id, "cursor": "nope"}, headers=owner.headers
    )
    assert assert_error(bad, 400, "invalid_request")["error"]["fields"] == {
        "cursor": "Cursor is not one this API gave out."
    }
    exported = client.get(
        "/api/calls/export",
        query_string={"teamId": owner.team_id, "outcome": "rejected"},
        headers=owner.headers,
    )
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][:6] == ["started_at", "number", "from", "to", "assistant", "outcome"]
    assert [r[2] for r in rows[1:]] == ["+19005550100"]
    assert rows[1][5:7] == ["rejected", "blocklist"]
