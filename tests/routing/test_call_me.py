"""Call me from this number in the sandbox: logged as a simulated outbound call; refused
with the field named when the assistant cannot be called or the phone is not one."""

from app.extensions import db
from app.models import Call
from tests.helpers import new_assistant

NUMBER = "+14155550100"


def setup(client, factory, destination=True):
    owner = factory.member("growth")
    front = new_assistant(client, owner, "Front desk")
    if destination:
        client.patch(
            f"/api/assistants/{front}",
            json={
                "teamId": owner.team_id,
                "destination": {"type": "sip", "address": "sip:desk@sip.retellai.com"},
            },
            headers=owner.headers,
        )
    return owner, factory.number(owner, NUMBER, assistant_id=front)


def call_me(client, owner, number, to):
    return client.post(
        f"/api/phone-numbers/{number}/call-me",
        json={"teamId": owner.team_id, "to": to},
        headers=owner.headers,
    )


def test_the_sandbox_logs_a_simulated_call(app, client, factory):
    owner, number = setup(client, factory)
    answer = call_me(client, owner, number, "+1 415 555 0888")
    assert answer.status_code == 201
    call = answer.get_json()["call"]
    assert call["direction"] == "outbound" and call["to"] == "+14155550888"
    assert call["test"] is True and call["outcome"] == "answered"
    assert call["destination"] == "sip:desk@sip.retellai.com"
    with app.app_context():
        assert db.session.get(Call, call["id"]).assistant_name == "Front desk"


def test_bad_input_names_the_field(client, factory):
    owner, number = setup(client, factory)
    answer = call_me(client, owner, number, "not a phone")
    assert answer.status_code == 400
    assert "to" in answer.get_json()["error"]["fields"]
    other = factory.member("growth")
    assert call_me(client, other, number, "+14155550888").status_code == 404


def test_an_assistant_without_a_destination_cannot_be_called(client, factory):
    owner, number = setup(client, factory, destination=False)
    answer = call_me(client, owner, number, "+14155550888")
    assert answer.status_code == 400
    assert "destination" in answer.get_json()["error"]["fields"]["to"]
