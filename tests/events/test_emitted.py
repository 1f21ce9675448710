"""Which changes send which events: each action of a team, and the event types its endpoint
receives for it (written out here, in the order they happen)."""

from __future__ import annotations

import json

import pytest

from tests.events.helpers import made
from tests.fakes.receiver import Receiver
from tests.helpers import buy, new_assistant, sandbox_number

EVERY_SENT = [
    "number.bought",
    "number.active",
    "number.released",
    "number.routing_changed",
    "purchase_request.created",
    "plan.changed",
]


@pytest.fixture
def listening(app, client, factory):
    """An owner whose team's endpoint takes every event that is sent today."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True  # the receiver listens on 127.0.0.1
    app.config["RELEASE_GRACE_MINUTES"] = 0  # a release goes at once
    owner = factory.member("growth")
    with Receiver() as receiver:
        _endpoint, secret = made(client, owner, receiver.url, EVERY_SENT)
        receiver.secrets = [secret]
        yield owner, receiver


def received(receiver) -> list[str]:
    types = [json.loads(request.body)["type"] for request in receiver.received]
    receiver.received.clear()
    return types


def test_each_change_sends_its_events(client, listening):
    owner, receiver = listening
    headers = owner.headers
    number = buy(client, owner, sandbox_number("415", 0)).get_json()["phoneNumber"]["id"]
    assert received(receiver) == ["number.bought", "number.active"]

    front = new_assistant(client, owner, "Front desk")
    assert received(receiver) == []  # an assistant alone routes nothing
    answer = client.post(
        f"/api/assistants/{front}/phone-numbers",
        json={"teamId": owner.team_id, "phoneNumberIds": [number]},
        headers=headers,
    )
    assert answer.status_code == 200, answer.get_json()
    assert received(receiver) == ["number.routing_changed"]

    routing = {"inbound": {"fallback": {"type": "phone", "address": "+14155550199"}}}
    answer = client.patch(
        f"/api/phone-numbers/{number}",
        json={"teamId": owner.team_id, "routing": routing},
        headers=headers,
    )
    assert answer.status_code == 200, answer.get_json()
    assert received(receiver) == ["number.routing_changed"]
    client.patch(  # the same routing again: nothing changed, nothing sent
        f"/api/phone-numbers/{number}",
        json={"teamId": owner.team_id, "routing": routing},
        headers=headers,
    )
    assert received(receiver) == []

    gone = client.delete(
        f"/api/phone-numbers/{number}", query_string={"teamId": owner.team_id}, headers=headers
    )
    assert gone.status_code == 200, gone.get_json()
    assert received(receiver) == ["number.released"]
