"""What the API answers when the caller presents the wrong secret, or when the API itself
breaks: never a way in, never an HTML page."""

from app.extensions import db
from app.models import ApiToken
from tests.helpers import SEARCH, assert_error, listed

BODY = {"filters": {"countryCode": "US"}}


def test_the_stored_hash_of_a_token_is_not_a_token(app, client, factory):
    member = factory.member()
    with app.app_context():
        stored = db.session.scalar(db.select(ApiToken))
    assert client.post(SEARCH, json=BODY, headers=member.headers).status_code == 200
    stolen = {"Authorization": f"Bearer {stored.token_hash}"}  # e.g. from a database dump
    assert_error(client.post(SEARCH, json=BODY, headers=stolen), 401, "unauthorized")


def test_an_unexpected_exception_in_an_api_route_answers_the_json_envelope(
    client, factory, monkeypatch, caplog
):
    member = factory.member()

    def broken(*args, **kwargs):
        raise RuntimeError("kaboom: internal detail")

    monkeypatch.setattr("app.api.phone_numbers.list_answer", broken)
    response = listed(client, member)
    assert response.mimetype == "application/json"
    body = assert_error(response, 500, "internal_error")
    assert "kaboom" not in response.get_data(as_text=True)  # logged for us, not told to clients
    assert "kaboom" in caplog.text
    assert set(body) == {"success", "error"}
