"""Emailed links start with BASE_URL; without it, with where the app is served from this
machine (`make run PORT=7200`), never with a stranger's Host header."""

from __future__ import annotations

import re

import pytest

from tests.pages.helpers import mail_to, soup
from tests.support import build_app, teardown_app


@pytest.fixture
def unset(tmp_path):
    app = build_app(tmp_path, BASE_URL=None)
    yield app
    teardown_app(app)


def sign_up(app, email: str, base_url: str, remote: str = "127.0.0.1") -> str:
    """Signs up from `remote` at `base_url`; the link in the email that follows."""
    client = app.test_client()
    where = {"base_url": base_url, "environ_overrides": {"REMOTE_ADDR": remote}}
    page = soup(client.get("/signup", **where))
    data = {
        "name": "Ada Lovelace",
        "email": email,
        "password": "analytical engine",
        "team_name": "Engines",
        "csrf_token": page.select_one("input[name=csrf_token]")["value"],
    }
    assert client.post("/signup", data=data, **where).status_code == 200
    found = re.search(r"https?://\S+", mail_to(app, email)[-1].body)
    assert found
    return found.group(0)


def test_without_base_url_links_follow_the_port_the_app_is_served_on(unset):
    link = sign_up(unset, "ada@example.com", "http://127.0.0.1:7200")

    assert link.startswith("http://127.0.0.1:7200/signup/confirm/")


def test_a_strangers_host_header_never_reaches_a_link(unset):
    unset.test_client().get("/signin", base_url="http://localhost:7300")  # the developer

    link = sign_up(unset, "victim@example.com", "http://evil.example", remote="203.0.113.9")

    assert link.startswith("http://localhost:7300/signup/confirm/")
    # A local client naming a host that is not local is not believed either.
    unset.test_client().get("/signin", base_url="http://evil.example")
    assert unset.extensions["served_at"] == "http://localhost:7300"


def test_base_url_wins_over_any_request(tmp_path):
    app = build_app(tmp_path, BASE_URL="https://desk.example.com")
    try:
        link = sign_up(app, "ada@example.com", "http://127.0.0.1:7200")
        assert link.startswith("https://desk.example.com/signup/confirm/")
    finally:
        teardown_app(app)
