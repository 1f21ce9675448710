"""Forgot password: the same answer for every address; the link lasts an hour and works once."""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.pages.helpers import (
    csrf_token,
    form_post,
    later,
    link_in,
    mail_to,
    mailbox,
    soup,
    text,
)


def ask(client, email: str):
    return form_post(client, "/forgot-password", {"email": email})


def sign_in_works(client, email: str, password: str) -> bool:
    token = csrf_token(client)
    response = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code == 302


def test_known_and_unknown_addresses_get_the_same_answer(app, client, factory):
    someone = factory.member()
    known, unknown = ask(client, someone.email), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    blank = lambda r, e: text(soup(r).select_one("main")).replace(e, "EMAIL")  # noqa: E731
    assert blank(known, someone.email) == blank(unknown, "nobody@example.com")
    assert [m.to for m in mailbox(app)] == [[someone.email]]


def test_the_reset_link_sets_a_new_password_once(app, client, factory):
    someone = factory.member()
    ask(client, someone.email)
    [message] = mail_to(app, someone.email)
    assert message.subject == "Reset your password"
    link = link_in(message)
    page = soup(client.get(link))
    assert page.select_one("#reset-form")

    response = form_post(client, link, {"password": "a fresh password"})
    assert response.status_code == 302 and response.location == "/signin"
    assert sign_in_works(app.test_client(), someone.email, "a fresh password")
    assert not sign_in_works(app.test_client(), someone.email, PASSWORD)

    again = client.get(link)
    assert again.status_code == 400
    assert "already used" in soup(again).select_one("#link-problem").get_text()
    assert form_post(client, link, {"password": "third password"}, page="/forgot-password")
    assert sign_in_works(app.test_client(), someone.email, "a fresh password")


def test_a_reset_link_expires_after_an_hour(app, client, factory, monkeypatch):
    someone = factory.member()
    ask(client, someone.email)
    link = link_in(mail_to(app, someone.email)[-1])
    later(monkeypatch, seconds=3600 - 30)
    assert client.get(link).status_code == 200
    later(monkeypatch, seconds=3600 + 30)
    response = client.get(link)
    assert response.status_code == 400
    assert "expired" in soup(response).select_one("#link-problem").get_text()
    assert soup(response).select_one("a[href='/forgot-password']")


def test_a_new_password_must_follow_the_rule(app, client, factory):
    someone = factory.member()
    ask(client, someone.email)
    link = link_in(mail_to(app, someone.email)[-1])
    response = form_post(client, link, {"password": "short"})
    assert response.status_code == 400
    assert soup(response).select_one("#password-error")
    assert sign_in_works(app.test_client(), someone.email, PASSWORD)


def test_the_link_is_built_on_base_url_whatever_host_the_request_named(app, client, factory):
    someone = factory.member()
    evil = "http://evil.example"
    page = soup(client.get("/forgot-password", base_url=evil))
    token = page.select_one("input[name=csrf_token]")["value"]
    response = client.post(
        "/forgot-password", data={"email": someone.email, "csrf_token": token}, base_url=evil
    )
    assert response.status_code == 200
    [message] = mail_to(app, someone.email)
    assert "evil.example" not in message.body
    link_in(message)  # asserts the link starts with BASE_URL


def test_sign_in_page_links_to_forgot_password(client):
    assert soup(client.get("/signin")).select_one("#forgot-link")["href"] == "/forgot-password"
