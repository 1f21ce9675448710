"""A number after its team is done with it, and a number bought twice by the same team."""

from datetime import timedelta

from app.extensions import db
from app.models import PhoneNumber, utcnow
from app.numbers.sweeps import release_due
from tests.helpers import assert_error, bought_id, buy, new_assistant, sandbox_number, search

NUMBER = sandbox_number("415", 0)


def offered(client, member) -> list[str]:
    response = search(client, member, areaCode="415", limit=5)
    assert response.status_code == 200
    return [n["phoneNumber"] for n in response.get_json()["numbers"]]


def release(app, client, member, number_id):
    """Released, and its grace window over: the sweep has given it back."""
    response = client.delete(
        f"/api/phone-numbers/{number_id}",
        query_string={"teamId": member.team_id},
        headers=member.headers,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert NUMBER not in offered(client, member)  # still the team's until the sweep
    with app.app_context():
        assert release_due(utcnow() + timedelta(minutes=61)) == 1


def test_a_released_number_is_offered_by_search_again(app, client, factory):
    owner, someone = factory.member("growth"), factory.member("growth")
    assert NUMBER in offered(client, someone)
    number_id = bought_id(client, owner, NUMBER)
    assert NUMBER not in offered(client, someone)  # held: offered to nobody
    release(app, client, owner, number_id)
    assert NUMBER in offered(client, someone)
    assert buy(client, someone, NUMBER).status_code == 200


def test_a_released_number_cannot_be_assigned_to_an_assistant(app, client, factory):
    owner = factory.member("growth")
    number_id = bought_id(client, owner, NUMBER)
    assistant_id = new_assistant(client, owner)
    release(app, client, owner, number_id)
    response = client.post(
        f"/api/assistants/{assistant_id}/phone-numbers",
        json={"phoneNumberIds": [number_id]},
        headers=owner.headers,
    )
    assert_error(response, 404, "not_found")
    with app.app_context():
        assert db.session.get(PhoneNumber, number_id).assistant_id is None


def test_buying_a_number_your_team_already_holds_says_it_is_yours(client, factory):
    owner = factory.member("growth")
    bought_id(client, owner, NUMBER)
    body = assert_error(buy(client, owner, NUMBER), 409, "number_unavailable")
    assert body["error"]["message"] == f"{NUMBER} is already held by your team."
