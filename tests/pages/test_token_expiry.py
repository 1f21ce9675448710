"""API tokens expire when their maker chose (30, 90, 365 days, or never): after that the API
answers 401 in its envelope; the tokens page shows when each expires, and when and from
where it was last used (written at most once a minute)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, utcnow
from tests.helpers import assert_error
from tests.pages.helpers import post, soup, text

TOKENS = "/settings/tokens"


def api_list(client, member, token: str, address: str = "127.0.0.1"):
    return client.get(
        "/api/phone-numbers/purchase",
        query_string={"teamId": member.team_id},
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": address},
    )


def create(client, expires: str) -> str:
    response = post(
        client, TOKENS, {"name": "Bot", "scopes": "numbers:read", "expires": expires}, htmx=False
    )
    assert response.status_code == 200
    return soup(response).select_one("#new-token")["value"]


def stored(app, plain_prefix: str) -> ApiToken:
    with app.app_context():
        return db.session.scalar(
            sa.select(ApiToken).where(ApiToken.display_prefix == plain_prefix[:10])
        )


@pytest.mark.parametrize(("expires", "days"), [("30", 30), ("90", 90), ("365", 365)])
def test_the_chosen_expiry_is_kept(app, client, member, expires, days):
    plain = create(client, expires)
    token = stored(app, plain)
    assert abs(token.expires_at - (utcnow() + timedelta(days=days))) < timedelta(minutes=1)
    row = soup(client.get(TOKENS)).select_one(f"#token-{token.id}")
    assert row.select_one("[data-role=expires] time")["datetime"].endswith("Z")


def test_never_means_no_expiry(app, client, member):
    token = stored(app, create(client, "never"))
    assert token.expires_at is None
    row = soup(client.get(TOKENS)).select_one(f"#token-{token.id}")
    assert text(row.select_one("[data-role=expires]")) == "Never"


def test_an_expiry_not_offered_is_a_form_error(app, client, member):
    response = post(client, TOKENS, {"name": "Bot", "expires": "9999"}, htmx=False)
    assert response.status_code == 400
    assert text(soup(response).select_one("#expires-error")).startswith(
        "Choose when the token expires"
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1


def test_an_expired_token_gets_the_apis_401(app, client, member):
    plain = create(client, "30")
    assert api_list(client, member, plain).status_code == 200
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken).where(ApiToken.display_prefix == plain[:10]))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    body = assert_error(api_list(client, member, plain), 401, "unauthorized")
    assert body["error"]["message"].startswith("The API token expired at ")
    row = soup(client.get(TOKENS)).select_one(f"#token-{token.id}")
    assert text(row.select_one("[data-role=expired]")) == "Expired"
    # An unknown token still gets the plain refusal.
    body = assert_error(api_list(client, member, "tt_unknown"), 401, "unauthorized")
    assert body["error"]["message"] == "The API token is not valid or has been revoked."


def test_last_used_time_and_address_are_shown_and_written_once_a_minute(app, client, member):
    plain = create(client, "90")
    assert api_list(client, member, plain, "198.51.100.7").status_code == 200
    token = stored(app, plain)
    assert token.last_used_ip == "198.51.100.7"
    row = soup(client.get(TOKENS)).select_one(f"#token-{token.id}")
    assert text(row.select_one("[data-role=last-used-ip]")) == "from 198.51.100.7"

    api_list(client, member, plain, "198.51.100.8")  # within the minute: nothing written
    assert stored(app, plain).last_used_ip == "198.51.100.7"
    with app.app_context():
        row = db.session.get(ApiToken, token.id)
        row.last_used_at = row.last_used_at - timedelta(minutes=2)
        db.session.commit()
    api_list(client, member, plain, "198.51.100.8")
    again = stored(app, plain)
    assert again.last_used_ip == "198.51.100.8" and again.last_used_at > token.last_used_at
