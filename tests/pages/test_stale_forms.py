"""A form sent with a stale CSRF token keeps what was typed: the same fields come back with a
fresh token and the reason, and sending them again does what the first send would have done."""

from __future__ import annotations

import json

import pytest

from app.extensions import db
from app.models import Invitation
from tests.pages.helpers import HTMX, csrf_token, soup

WHY = "Your session changed in another tab; check and send again."
OURS = {"Origin": "http://localhost"}  # a browser names the page's origin on every POST


def test_without_javascript_the_fields_come_back_with_a_fresh_token(app, client, member):
    url = f"/teams/{member.team_id}/invitations"
    response = client.post(
        url, data={"email": "ada@example.com", "role": "admin", "csrf_token": "stale"}, headers=OURS
    )
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#resend-why").get_text(strip=True) == WHY
    form = page.select_one("#resend-form")
    assert form["action"] == url and form["method"] == "post"
    assert {i["name"]: i["value"] for i in form.select("input[type=text]")} == {
        "email": "ada@example.com",
        "role": "admin",
    }
    fresh = form.select_one("input[name=csrf_token]")["value"]
    assert fresh == csrf_token(client, f"/teams/{member.team_id}/settings")
    assert page.select_one("#resend-submit").has_attr("autofocus")

    # One click: the same fields with the fresh token do what the first send meant.
    sent = client.post(url, data={"email": "ada@example.com", "role": "admin", "csrf_token": fresh})
    assert sent.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(Invitation.email)) == "ada@example.com"


def test_a_password_is_never_echoed_and_a_list_is_kept_whole(client, member):
    response = client.post(
        "/signin",
        data={
            "email": "a@example.com",
            "password": "hunter22",
            "ids": ["n1", "n2"],
            "csrf_token": "x",
        },
        headers={"Referer": "http://localhost/signin"},  # Referer when there is no Origin
    )
    page = soup(response)
    password = page.select_one("#resend-form [data-field=password] input")
    assert password["type"] == "password" and not password.get("value")
    assert password.has_attr("autofocus")
    assert "hunter22" not in response.get_data(as_text=True)
    kept = page.select("#resend-form input[type=hidden][name=ids]")
    assert [i["value"] for i in kept] == ["n1", "n2"]
    assert page.select_one("[data-field=ids]").get_text(" ", strip=True) == (
        "Ids 2 chosen, kept as they were."
    )


def test_signed_out_pages_keep_the_input_too(client):
    response = client.post(
        "/signup", data={"email": "new@example.com", "csrf_token": "old"}, headers=OURS
    )
    assert response.status_code == 400
    field = soup(response).select_one("#resend-form [data-field=email] input")
    assert field["value"] == "new@example.com"


def test_htmx_keeps_the_form_and_gets_a_fresh_token(client, member):
    url = f"/teams/{member.team_id}/invitations"
    response = client.post(
        url,
        data={"email": "ada@example.com", "csrf_token": "stale"},
        headers={**HTMX, "X-CSRFToken": "stale"},
    )
    assert response.status_code == 400
    assert response.headers["HX-Reswap"] == "none"  # the form and its values stay as they are
    renewed = json.loads(response.headers["HX-Trigger"])["form-token-renewed"]
    assert renewed["message"] == WHY
    assert renewed["token"] == csrf_token(client, f"/teams/{member.team_id}/settings")


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {}])
def test_a_form_from_another_site_does_not_come_back_ready_to_send(client, member, headers):
    """A forged cross-site POST (or one naming no page) gets the plain error: never its fields
    with a fresh token, which one click would send."""
    url = f"/teams/{member.team_id}/members/{member.user_id}/role"
    response = client.post(url, data={"role": "owner", "csrf_token": "x"}, headers=headers)
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#resend-form") is None
    assert page.select_one("#error")["data-status"] == "400"
