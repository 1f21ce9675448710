"""Emailed links and the public forms behind them, against hostile input: a bad token is the
400 page that says the link does not work, a bad field a message on the form; never a 5xx."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.pages.helpers import HTMX, csrf_token, form_post, link_in, mail_to, mailbox, soup

HOSTILE = [
    "\u096a\u0967\u096b",
    "\u00b2",
    "a\x00b",
    "\u200b",
    "\u202eevil",
    "%ED%A0%80",
    "x" * 5000,
]
LINKS = [
    ("GET", "/signup/confirm/{}"),
    ("POST", "/signup/confirm/{}"),
    ("GET", "/reset-password/{}"),
    ("POST", "/reset-password/{}"),
    ("GET", "/invitations/{}"),
    ("POST", "/invitations/{}/signup"),
    ("POST", "/invitations/{}/signin"),
    ("POST", "/invitations/{}/accept"),
]


@pytest.mark.parametrize(("method", "path"), LINKS)
def test_a_hostile_token_is_the_link_does_not_work_page(client, member, method, path):
    token = csrf_token(client, "/account")
    for hostile in HOSTILE:
        value = hostile if hostile.startswith("%") else quote(hostile, safe="")
        response = client.open(path.format(value), method=method, data={"csrf_token": token})
        assert response.status_code == 400, (path, hostile, response.status_code)
        assert soup(response).select_one("#link-problem"), (path, hostile)


@pytest.mark.parametrize(
    ("email", "status", "answer"),
    [
        # Cleaned to an address nobody has: the same "check your inbox" as for anyone.
        ("a\x00b@example.com", 200, "#reset-sent"),
        ("\u202eevil@example.com", 200, "#reset-sent"),
        # Not an address at all: the form says so.
        ("x" * 400, 400, "#email-error"),
        ("", 400, "#email-error"),
    ],
)
def test_forgot_password_answers_hostile_addresses_on_the_page(app, client, email, status, answer):
    response = form_post(client, "/forgot-password", {"email": email})
    assert response.status_code == status
    assert soup(response).select_one(answer)
    assert mailbox(app) == []  # no account has such an address


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "a\x00b"), ("name", "\u200b\u200d"), ("password", "a\x00bcdefghij"), ("name", "")],
)
def test_signing_up_from_an_invitation_refuses_hostile_fields_on_the_form(
    app, client, factory, auth, field, value
):
    owner = factory.member("growth")
    auth.sign_in(owner)
    token = csrf_token(client, f"/teams/{owner.team_id}/settings")
    client.post(
        f"/teams/{owner.team_id}/invitations",
        data={"email": "grace@example.com", "role": "member", "csrf_token": token},
        headers={**HTMX, "X-CSRFToken": token},
    )
    link = link_in(mail_to(app, "grace@example.com")[-1])
    visitor = app.test_client()
    form = {"name": "Grace", "password": "cobol rules!", field: value}
    response = form_post(visitor, f"{link}/signup", form, page=link)
    assert response.status_code == 400
    assert soup(response).select_one(f"#{field}-error")
    assert visitor.get(link).status_code == 200  # the invitation is still there to use
