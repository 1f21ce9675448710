"""Page-test helpers: sign in through the real form, read CSRF tokens, parse HTML."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from app.extensions import db
from app.models import PhoneNumber
from tests.factories import PASSWORD, Factory, Member, insert_number

HTMX = {"HX-Request": "true"}
BASE_URL = "http://127.0.0.1:5000"  # TestConfig's: emailed links start with it


def soup(response) -> BeautifulSoup:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    # A row's answer sends its out-of-band news inside a <template> (htmx swaps what one holds).
    # Neither CSS selectors nor get_text look into one: open them, and read the page again.
    if page.find("template"):
        for template in page.find_all("template"):
            template.unwrap()
        page = BeautifulSoup(str(page), "html.parser")
    return page


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


def add_number(app, team_id, e164, *, user_id=None, **fields) -> str:
    """A held number written straight to the table (tests.factories.insert_number), bought by
    `user_id` (None: by nobody still here)."""
    return insert_number(app, team_id, e164, created_by_id=user_id, **fields)


def make_assistant(app, member, name="Sales Agent", numbers=()) -> str:
    return Factory(app).assistant(member, name, numbers)


def mailbox(app) -> list:
    """The messages the app sent (the tests' in-memory mail backend), oldest first."""
    return list(getattr(app.extensions["mailman"], "outbox", None) or [])


def mail_to(app, address: str) -> list:
    return [message for message in mailbox(app) if address in message.to]


def link_in(message) -> str:
    """The first link in a message's text, as a path the test client can open."""
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    url = urlsplit(found.group(0))
    assert f"{url.scheme}://{url.netloc}" == BASE_URL, url  # built on BASE_URL, not the request
    return url.path + (f"?{url.query}" if url.query else "")


def form_post(client, path: str, data: dict | None = None, *, page: str | None = None):
    """Submit a page's form with the CSRF token read from `page` (default: the same path)."""
    token = csrf_token(client, page or path)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def later(monkeypatch, seconds: int) -> None:
    """Signed links are checked as if `seconds` had passed (itsdangerous reads this clock)."""
    import time

    import itsdangerous

    now = int(time.time()) + seconds
    monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda _self: now)


def row_url(team_id: str, number_id: str, action: str) -> str:
    return f"{numbers_url(team_id)}/{number_id}/{action}"


def stored(app, number_id) -> PhoneNumber:
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        db.session.expunge(number)
        return number
