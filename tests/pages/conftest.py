"""Page-test helpers: sign in through the real form, read CSRF tokens, parse HTML."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.conftest import Member

PASSWORD = "correct horse battery"  # what tests/conftest.py's Factory gives every user
HTMX = {"HX-Request": "true"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_token(client, path: str = "/signin") -> str:
    """The token a real page carries (the hidden input every form has)."""
    page = soup(client.get(path, follow_redirects=True))
    return page.select_one("input[name=csrf_token]")["value"]


class Auth:
    def __init__(self, client):
        self.client = client

    def sign_in(self, member: Member | str, password: str = PASSWORD, **extra):
        email = member if isinstance(member, str) else member.email
        token = csrf_token(self.client)
        data = {"email": email, "password": password, "csrf_token": token, **extra}
        return self.client.post("/signin", data=data)

    def sign_out(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/signout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def member(factory, auth):
    """A signed-in owner of a Free team."""
    someone = factory.member("free")
    assert auth.sign_in(someone).status_code == 302
    return someone


def numbers_url(team_id: str) -> str:
    return f"/teams/{team_id}/numbers"


def search_url(team_id: str) -> str:
    return f"/teams/{team_id}/search"


def buy(
    client,
    team_id: str,
    phone_number: str,
    *,
    htmx: bool = True,
    token: str | None = None,
    key: str | None = None,
):
    """Click Buy: a form POST carrying the page's CSRF token (htmx sends the header too)."""
    token = token if token is not None else csrf_token(client, search_url(team_id))
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    data = {"phone_number": phone_number, "search": "country=US&area_code=415", "csrf_token": token}
    if key is not None:
        data["idempotency_key"] = key
    return client.post(numbers_url(team_id), data=data, headers=headers)


def post(client, path: str, data: dict | None = None, *, htmx: bool = True, csrf: bool = True):
    """Submit a form as the page does: its CSRF token, and htmx's headers when htmx sends it."""
    token = csrf_token(client, "/settings/tokens") if csrf else None
    headers = ({**HTMX, "X-CSRFToken": token} if token else dict(HTMX)) if htmx else {}
    body = {**(data or {}), **({"csrf_token": token} if token else {})}
    return client.post(path, data=body, headers=headers)


def text(element) -> str:
    """An element's text as a person reads it: whitespace collapsed."""
    return " ".join(element.get_text(" ").split())
