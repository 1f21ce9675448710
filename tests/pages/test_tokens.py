"""Settings → API tokens: list, create (shown once), revoke; the API refuses a revoked token."""

import pytest

from app.accounts import tokens
from app.exceptions import NotFound
from app.extensions import db
from app.models import ApiToken, User
from tests.pages.helpers import HTMX, post, soup, text

TOKENS = "/settings/tokens"


def api_list(client, member, token: str):
    return client.get(
        "/api/phone-numbers/purchase",
        query_string={"teamId": member.team_id},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_list_shows_each_token_without_its_secret(app, client, member):
    page = soup(client.get(TOKENS))
    (row,) = page.select("#tokens-table tbody tr")
    assert row["data-state"] == "active"
    assert text(row.select_one(".token-name")) == "test"
    assert text(row.select_one(".token-prefix")) == member.token[:10] + "…"
    assert member.token not in page.get_text()
    assert text(row.select_one("[data-role=last-used]")) == "Never"
    assert row.select_one("td[data-label=Created] time")["datetime"].endswith("Z")
    assert page.select_one(".header-end a[aria-current=page]")["href"] == TOKENS

    assert api_list(client, member, member.token).status_code == 200
    row = soup(client.get(TOKENS)).select_one("#tokens-table tbody tr")
    assert row.select_one("[data-role=last-used] time[data-local]")["datetime"].endswith("Z")


def test_a_new_token_is_shown_once_and_works_on_the_api(app, client, member):
    response = post(client, TOKENS, {"name": "Voice bot", "scopes": "numbers:read"}, htmx=False)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    field = page.select_one("#token-created input#new-token")
    plain = field["value"]
    assert plain.startswith("tt_") and field.has_attr("readonly")
    assert text(page.select_one("label[for=new-token]")) == "Your new API token"
    assert "only time it is shown" in text(page.select_one("#token-created"))
    assert page.select_one("#token-created button[data-copy='#new-token']")
    names = [text(n) for n in page.select("#tokens-table .token-name")]
    assert names == ["Voice bot", "test"]
    assert api_list(client, member, plain).status_code == 200

    again = soup(client.get(TOKENS))
    assert again.select_one("#token-created") is None
    assert plain not in str(again)


def test_htmx_create_returns_the_panel(client, member):
    response = post(client, TOKENS, {"name": "CI", "scopes": "numbers:read"})
    assert response.status_code == 200
    panel = soup(response)
    assert panel.find("html") is None
    assert panel.select_one("section#tokens-panel #new-token")["value"].startswith("tt_")
    assert "HX-Request" in response.headers["Vary"]


def test_a_token_needs_a_name(app, client, member):
    response = post(client, TOKENS, {"name": "  ", "scopes": "numbers:read"}, htmx=False)
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#name")["aria-invalid"] == "true"
    assert "Give the token a name" in text(page.select_one("#name-error"))
    assert page.select_one("#token-created") is None
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 1


def test_revoked_tokens_get_401_from_the_api(app, client, member):
    token_id = soup(client.get(TOKENS)).select_one("#tokens-table tbody tr")["id"][len("token-") :]
    form = soup(client.get(TOKENS)).select_one("details[data-role=revoke] form")
    assert form["action"] == f"{TOKENS}/{token_id}/revoke"
    response = post(client, form["action"])
    assert response.status_code == 200
    row = soup(response).select_one(f"tr#token-{token_id}")
    assert row["data-state"] == "revoked"
    assert text(row.select_one("[data-role=revoked]")) == "Revoked"
    assert row.select_one("details[data-role=revoke]") is None
    assert api_list(client, member, member.token).status_code == 401
    # Twice is harmless; without JavaScript it redirects with a flash.
    again = post(client, form["action"], htmx=False)
    assert again.status_code == 302 and again.location == TOKENS
    assert "Revoked test" in text(soup(client.get(TOKENS)).select_one("#flashes"))


def test_another_users_token_cannot_be_revoked(app, client, factory, member):
    teammate = factory.member(team_id=member.team_id)
    with app.app_context():
        theirs = db.session.scalar(
            db.select(ApiToken.id).where(ApiToken.user_id == teammate.user_id)
        )
    assert post(client, f"{TOKENS}/{theirs}/revoke").status_code == 404
    assert post(client, f"{TOKENS}/tok_01aaaaaaaaaaaaaaaaaaaaaaaa/revoke").status_code == 404
    assert api_list(client, teammate, teammate.token).status_code == 200
    assert theirs not in str(soup(client.get(TOKENS)))


def test_revoke_token_only_touches_the_users_own(app, factory):
    alice, bob = factory.member(), factory.member()
    with app.app_context():
        bob_token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == bob.user_id))
        with pytest.raises(NotFound):
            tokens.revoke_token(db.session.get(User, alice.user_id), bob_token.id)
        with pytest.raises(NotFound):
            tokens.revoke_token(db.session.get(User, alice.user_id), "junk")
        assert bob_token.revoked_at is None


def test_create_and_revoke_need_the_csrf_token(app, client, member):
    token_id = soup(client.get(TOKENS)).select_one("#tokens-table tbody tr")["id"][len("token-") :]
    assert post(client, TOKENS, {"name": "Forged"}, csrf=False).status_code == 400
    assert client.post(TOKENS, data={"name": "Forged"}).status_code == 400
    assert post(client, f"{TOKENS}/{token_id}/revoke", csrf=False).status_code == 400
    assert client.post(f"{TOKENS}/{token_id}/revoke", headers=HTMX).status_code == 400
    assert api_list(client, member, member.token).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 1


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(TOKENS)
    assert response.status_code == 302 and response.location.startswith("/signin")
