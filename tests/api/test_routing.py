"""A number's routing over the API: PATCH sets it, GET and include=routing read it, old
clients get the answers they always got, and a bad field is named."""

import pytest

from tests.helpers import assert_error, new_assistant

SIP = {"type": "sip", "address": "sip:front-desk@sip.vapi.ai", "platform": "vapi"}


@pytest.fixture
def team(client, factory):
    owner = factory.member("growth")
    front = new_assistant(client, owner, "Front desk")
    number = factory.number(owner, "+14155550100", assistant_id=front)
    return owner, front, number


def patch(client, owner, number, **body):
    return client.patch(
        f"/api/phone-numbers/{number}",
        json={"teamId": owner.team_id, **body},
        headers=owner.headers,
    )


ROUTING = {
    "inbound": {
        "fallback": {"type": "phone", "address": "+14155550199"},
        "blocklist": ["+1900", "+14155550123"],
        "timeZone": "America/New_York",
        "hours": [{"day": d, "start": "09:00", "end": "17:00"} for d in ("mon", "tue")],
    }
}


def test_patch_sets_routing_and_answers_it(client, team):
    owner, front, number = team
    response = patch(client, owner, number, routing=ROUTING)
    assert response.status_code == 200, response.get_json()
    routing = response.get_json()["phoneNumber"]["routing"]
    assert routing == {
        "inbound": {
            "assistants": [
                {"assistantId": front, "name": "Front desk", "weight": 100, "hasDestination": False}
            ],
            "fallback": {"type": "phone", "address": "+14155550199"},
            "answerTimeoutSeconds": 20,
            "blocklist": ["+1900", "+14155550123"],
            "allowedCountries": [],
            "timeZone": "America/New_York",
            "hours": [
                {"day": "mon", "start": "09:00", "end": "17:00"},
                {"day": "tue", "start": "09:00", "end": "17:00"},
            ],
            "afterHours": None,
        },
        "outbound": {
            "assistantIds": None,
            "callers": [{"assistantId": front, "name": "Front desk"}],
            "teamDefault": False,
        },
    }
    got = client.get(
        f"/api/phone-numbers/{number}",
        query_string={"teamId": owner.team_id},
        headers=owner.headers,
    )
    assert got.get_json()["phoneNumber"]["routing"] == routing
    assert got.get_json()["phoneNumber"]["assistant_id"] == front


def test_old_clients_get_the_answers_they_always_got(client, team):
    owner, _front, number = team
    patch(client, owner, number, routing=ROUTING)
    labelled = patch(client, owner, number, label="Front line").get_json()["phoneNumber"]
    assert "routing" not in labelled
    listed = client.get(
        "/api/phone-numbers/purchase", query_string={"teamId": owner.team_id}, headers=owner.headers
    ).get_json()["numbers"]
    assert "routing" not in listed[0]
    assert set(listed[0]) == set(labelled)
    included = client.get(
        "/api/phone-numbers/purchase",
        query_string={"teamId": owner.team_id, "include": "routing"},
        headers=owner.headers,
    ).get_json()["numbers"]
    assert included[0]["routing"]["inbound"]["blocklist"] == ["+1900", "+14155550123"]
    assert {k: v for k, v in included[0].items() if k != "routing"} == listed[0]


def test_a_split_makes_the_heaviest_the_numbers_assistant(client, team):
    owner, front, number = team
    fresh = new_assistant(client, owner, "New prompt")
    split = [{"assistantId": front, "weight": 20}, {"assistantId": fresh, "weight": 80}]
    answer = patch(client, owner, number, routing={"inbound": {"assistants": split}}).get_json()
    assert answer["phoneNumber"]["assistant_id"] == fresh
    assert answer["phoneNumber"]["assistant_name"] == "New prompt"
    assert [a["weight"] for a in answer["phoneNumber"]["routing"]["inbound"]["assistants"]] == [
        20,
        80,
    ]


@pytest.mark.parametrize(
    "routing,field",
    [
        ({"inbound": {"assistants": "x"}}, "routing.inbound.assistants"),
        (
            {"inbound": {"fallback": {"type": "sip", "address": "tel:+1415"}}},
            "routing.inbound.fallback.address",
        ),
        (
            {
                "inbound": {
                    "hours": [
                        {"day": "mon", "start": "09:00", "end": "12:00"},
                        {"day": "mon", "start": "11:00", "end": "13:00"},
                    ]
                }
            },
            "routing.inbound.hours[1]",
        ),
        ({"outbound": {"teamDefault": 1}}, "routing.outbound.teamDefault"),
        ({"sideways": {}}, "routing.sideways"),
        ("everything", "routing"),
    ],
)
def test_a_bad_field_is_named_and_nothing_changes(client, team, routing, field):
    owner, _front, number = team
    response = patch(client, owner, number, routing=routing, label="Not saved")
    body = assert_error(response, 400, "invalid_request")
    assert field in body["error"]["fields"], body
    shown = client.get(
        f"/api/phone-numbers/{number}",
        query_string={"teamId": owner.team_id},
        headers=owner.headers,
    ).get_json()["phoneNumber"]
    assert shown["label"] is None
    assert shown["routing"]["inbound"]["hours"] == []


def test_another_teams_assistant_cannot_be_put_in_a_split(client, factory, team):
    owner, front, number = team
    other = factory.member("growth")
    theirs = new_assistant(client, other, "Theirs")
    split = [{"assistantId": front, "weight": 50}, {"assistantId": theirs, "weight": 50}]
    body = assert_error(
        patch(client, owner, number, routing={"inbound": {"assistants": split}}),
        400,
        "invalid_request",
    )
    assert body["error"]["fields"] == {
        "routing.inbound.assistants[1].assistantId": "No assistant of this team has this id."
    }


def test_another_teams_number_is_not_found(client, factory, team):
    owner, _front, number = team
    other = factory.member("growth")
    assert_error(patch(client, other, number, routing=ROUTING), 404, "not_found")
    got = client.get(
        f"/api/phone-numbers/{number}",
        query_string={"teamId": other.team_id},
        headers=other.headers,
    )
    assert_error(got, 404, "not_found")


def test_assistants_carry_their_destination_and_caller_ids_when_asked(client, team):
    owner, front, number = team
    created = client.post(
        "/api/assistants",
        json={
            "teamId": owner.team_id,
            "name": "Night line",
            "destination": {**SIP, "sipUsername": "desk", "sipPassword": "s3cret"},
        },
        headers=owner.headers,
    )
    assert created.status_code == 201, created.get_json()
    night = created.get_json()["assistant"]
    assert night["destination"] == {
        "type": "sip",
        "address": "sip:front-desk@sip.vapi.ai",
        "sipUsername": "desk",
        "sipPassword": "••••••••",
        "platform": "vapi",
        "platformId": None,
    }
    plain = client.get(
        "/api/assistants", query_string={"teamId": owner.team_id}, headers=owner.headers
    ).get_json()["assistants"]
    assert all(
        set(a) == {"id", "team_id", "name", "created_at", "phone_number_count"} for a in plain
    )
    rich = client.get(
        "/api/assistants",
        query_string={"teamId": owner.team_id, "include": "routing"},
        headers=owner.headers,
    ).get_json()["assistants"]
    by_name = {a["name"]: a for a in rich}
    assert by_name["Front desk"]["destination"] is None
    assert by_name["Front desk"]["callerIdNumbers"] == [
        {"id": number, "phoneNumber": "+14155550100"}
    ]
    assert by_name["Night line"]["callerIdNumbers"] == []
    assert by_name["Night line"]["destination"]["sipPassword"] == "••••••••"


def test_a_rename_answers_as_before_and_a_destination_change_keeps_the_password(client, team):
    owner, front, _number = team
    url = f"/api/assistants/{front}"
    renamed = client.patch(url, json={"name": "Reception"}, headers=owner.headers).get_json()
    assert set(renamed["assistant"]) == {"id", "team_id", "name", "created_at"}
    client.patch(url, json={"destination": {**SIP, "sipPassword": "s3cret"}}, headers=owner.headers)
    moved = client.patch(
        url,
        json={"destination": {"address": "sip:reception@sip.vapi.ai"}},
        headers=owner.headers,
    ).get_json()["assistant"]["destination"]
    assert moved["address"] == "sip:reception@sip.vapi.ai"
    assert moved["sipPassword"] == "••••••••"
    cleared = client.patch(url, json={"destination": None}, headers=owner.headers).get_json()
    assert cleared["assistant"]["destination"] is None


@pytest.mark.parametrize(
    "destination,field,message",
    [
        (
            {"type": "sip", "address": "https://sip.vapi.ai"},
            "destination.address",
            "Enter a SIP URI that starts with sip: or sips:, like sip:assistant@sip.example.com.",
        ),
        (
            {"type": "phone", "address": "+1 415"},
            "destination.address",
            "Enter a phone number in E.164, like +14155550101.",
        ),
        (
            {"type": "webhook", "address": "https://192.168.1.10/agent"},
            "destination.address",
            "This address is on a private network: use a public https URL.",
        ),
        (
            {"type": "webhook", "address": "https://agent.example.com", "sipUsername": "x"},
            "destination.sipUsername",
            "Only a SIP destination takes these.",
        ),
        (
            {"type": "fax", "address": "+14155550101"},
            "destination.type",
            "Choose one of: sip, phone, webhook.",
        ),
        (
            {**SIP, "platform": "twilio"},
            "destination.platform",
            "Choose one of: vapi, retell, livekit, pipecat, other.",
        ),
        (
            {**SIP, "sipPassword": "\ud800"},
            "destination.sipPassword",
            "At most 200 characters, and no NUL or broken text.",
        ),
    ],
)
def test_a_bad_destination_is_refused_with_its_field(client, team, destination, field, message):
    owner, front, _number = team
    response = client.patch(
        f"/api/assistants/{front}",
        json={"name": "Renamed", "destination": destination},
        headers=owner.headers,
    )
    body = assert_error(response, 400, "invalid_request")
    assert body["error"]["fields"] == {field: message}
    listed = client.get(
        "/api/assistants", query_string={"teamId": owner.team_id}, headers=owner.headers
    ).get_json()["assistants"]
    assert [a["name"] for a in listed] == ["Front desk"]  # the rename waited for it
