import pytest

from app.extensions import db
from app.models import ApiToken, utcnow
from tests.helpers import PURCHASE, SEARCH, assert_error

BODY = {"filters": {"countryCode": "US"}}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer tt_not-a-real-token"},
    ],
)
def test_requests_without_a_live_token_are_401(client, headers):
    assert_error(client.post(SEARCH, json=BODY, headers=headers), 401, "unauthorized")
    assert_error(
        client.get(PURCHASE, query_string={"teamId": "team_x"}, headers=headers),
        401,
        "unauthorized",
    )
    assert_error(client.post(PURCHASE, json={}, headers=headers), 401, "unauthorized")


def test_a_revoked_token_is_401(app, client, factory):
    member = factory.member()
    assert client.post(SEARCH, json=BODY, headers=member.headers).status_code == 200
    with app.app_context():
        for token in db.session.scalars(db.select(ApiToken)):
            token.revoked_at = utcnow()
        db.session.commit()
    assert_error(client.post(SEARCH, json=BODY, headers=member.headers), 401, "unauthorized")


def test_only_a_hash_of_the_token_is_stored(app, factory):
    member = factory.member()
    with app.app_context():
        stored = db.session.scalars(db.select(ApiToken)).one()
        assert member.token.startswith("tt_")
        assert member.token not in (stored.token_hash, stored.display_prefix, stored.name)
        assert len(stored.token_hash) == 64


def test_using_a_token_records_when(app, client, factory):
    member = factory.member()
    with app.app_context():
        assert db.session.scalars(db.select(ApiToken)).one().last_used_at is None
    client.post(SEARCH, json=BODY, headers=member.headers)
    with app.app_context():
        assert db.session.scalars(db.select(ApiToken)).one().last_used_at is not None


def test_unknown_api_paths_answer_json(client):
    response = client.get("/api/does-not-exist")
    assert_error(response, 404, "not_found")
    assert response.mimetype == "application/json"


def test_wrong_method_answers_json(client, factory):
    response = client.delete(SEARCH, headers=factory.member().headers)
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
