"""The Numbers page kept rendered per team version (app.dashboard.page_cache): each session gets
its own CSRF token from the kept bytes, a write shows at once, and a message is never kept."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.factories import counting, hold
from tests.helpers import sandbox_number
from tests.pages.helpers import HTMX, Auth, buy, numbers_url, row_url, search_url, soup, text


@pytest.fixture
def cached(app, monkeypatch):
    app.config["PAGE_CACHE_SECONDS"] = 300
    # Settled teams: a new team's checklist reads its own query on each view (its ticks move
    # no team version); tests/pages/test_numbers_paging.py counts that one.
    monkeypatch.setattr("app.dashboard.numbers.checklist", lambda team: None)
    return app


def tokens_on(page) -> list[str]:
    """Every CSRF token the page carries: the forms' hidden inputs and htmx's header."""
    html = soup(page)
    found = [field["value"] for field in html.select("input[name=csrf_token]")]
    body = html.select_one("body")
    if body is not None and body.get("hx-headers"):
        found.append(body["hx-headers"].split('"X-CSRFToken": "')[1].split('"')[0])
    return found


def raw_token(app, signed: str) -> str:
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(signed)


def reads_numbers(statements: list[str]) -> bool:
    return any("FROM phone_numbers" in s for s in statements)


def test_two_sessions_share_the_kept_page_but_never_a_token(cached, factory):
    owner = factory.member("growth")
    factory.number(owner, sandbox_number("415", 0))
    seen = []
    for _ in range(2):  # the same person signed in twice: the same page, two sessions
        client = cached.test_client()
        Auth(client).sign_in(owner)
        client.get(numbers_url(owner.team_id))  # the sign-in's message, if any, goes here
        with counting(cached) as statements:
            page = client.get(numbers_url(owner.team_id))
        with client.session_transaction() as session:
            own = session["csrf_token"]
        seen.append((page, statements, own, client))
    (first, _, first_raw, _), (second, second_reads, second_raw, second_client) = seen
    assert first_raw != second_raw
    assert not reads_numbers(second_reads)  # served from the cache
    for page, _statements, own, _client in seen:
        tokens = tokens_on(page)
        assert len(tokens) >= 2  # the signout form and the hx-headers at least
        assert {raw_token(cached, token) for token in tokens} == {own}
        assert b"csrf-placeholder" not in page.get_data()
    assert first.headers["ETag"] != second.headers["ETag"]
    # The token the second session got works for it (a label saved through its form).
    token = tokens_on(second)[0]
    number_id = soup(second).select_one("tr[data-number]")["id"].removeprefix("number-")
    saved = second_client.post(
        row_url(owner.team_id, number_id, "label"),
        data={"label": "Front desk", "csrf_token": token},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert saved.status_code == 200


def test_the_table_fragment_is_kept_apart_from_the_page(cached, factory, client, auth):
    owner = factory.member("growth")
    factory.number(owner, sandbox_number("415", 0))
    auth.sign_in(owner)
    client.get(numbers_url(owner.team_id))
    page = client.get(numbers_url(owner.team_id))
    fragment = client.get(numbers_url(owner.team_id), headers=HTMX)
    again = client.get(numbers_url(owner.team_id), headers=HTMX)
    assert soup(page).select_one("html") is not None
    assert soup(fragment).select_one("html") is None
    assert soup(fragment).select_one("#numbers-table") is not None
    assert again.get_data() == fragment.get_data()
    assert page.headers["ETag"] != fragment.headers["ETag"]


def _label(client, team_id, number_id, token):
    data = {"label": "Front desk", "csrf_token": token}
    return client.post(row_url(team_id, number_id, "label"), data=data)


def _assign(client, team_id, number_id, token, assistant_id):
    data = {"assistant_id": assistant_id, "csrf_token": token}
    return client.post(row_url(team_id, number_id, "assistant"), data=data)


def _release(client, team_id, number_id, token):
    return client.post(row_url(team_id, number_id, "release"), data={"csrf_token": token})


@pytest.mark.parametrize(
    ("write", "shown"),
    [
        ("label", "Front desk"),
        ("assign", "Ava"),
        ("release", "Releasing at"),
        ("buy", "(415) 555-0101"),
    ],
)
def test_a_write_shows_at_once(cached, factory, client, auth, write, shown):
    owner = factory.member("growth")
    assistant_id = factory.assistant(owner, "Ava")
    number_id = factory.number(owner, sandbox_number("415", 0))
    auth.sign_in(owner)
    client.get(numbers_url(owner.team_id))
    before = client.get(numbers_url(owner.team_id))
    where = "#numbers-table tbody" if write == "buy" else f"#number-{number_id}"
    assert shown not in text(soup(before).select_one(where))
    token = tokens_on(before)[0]
    if write == "label":
        answer = _label(client, owner.team_id, number_id, token)
    elif write == "assign":
        answer = _assign(client, owner.team_id, number_id, token, assistant_id)
    elif write == "release":
        answer = _release(client, owner.team_id, number_id, token)
    else:
        answer = buy(client, owner.team_id, sandbox_number("415", 1), htmx=False, token=token)
    assert answer.status_code in (200, 302)
    client.get(numbers_url(owner.team_id))  # the write's message is shown (and not kept) here
    after = client.get(numbers_url(owner.team_id))
    assert shown in text(soup(after).select_one(where))


def test_a_message_is_shown_once_and_never_kept(cached, factory, client, auth):
    owner = factory.member("growth")
    factory.number(owner, sandbox_number("415", 0))
    auth.sign_in(owner)
    client.get(numbers_url(owner.team_id))
    client.get(numbers_url(owner.team_id))  # kept now
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Label saved for you.")]
    shown = client.get(numbers_url(owner.team_id))
    assert "Label saved for you." in shown.get_data(as_text=True)
    assert "ETag" not in shown.headers
    later = client.get(numbers_url(owner.team_id))
    assert "Label saved for you." not in later.get_data(as_text=True)
    other = cached.test_client()
    Auth(other).sign_in(owner)
    other.get(numbers_url(owner.team_id))
    assert "Label saved for you." not in other.get(numbers_url(owner.team_id)).get_data(True)


def test_another_role_gets_its_own_page(cached, factory):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    factory.number(owner, sandbox_number("415", 0))
    factory.number(owner, sandbox_number("415", 1))  # a one-number team has no bulk bar
    pages = {}
    for someone in (owner, member):
        client = cached.test_client()
        Auth(client).sign_in(someone)
        client.get(numbers_url(owner.team_id))
        pages[someone.role] = soup(client.get(numbers_url(owner.team_id)))
    release = 'option[value="release"]'
    assert pages["owner"].select_one(release) is not None
    assert pages["member"].select_one(release) is None


def test_the_search_form_is_kept_with_each_sessions_token_and_the_cart_count(cached, factory):
    owner = factory.member("growth")
    pages = []
    for _ in range(2):
        client = cached.test_client()
        Auth(client).sign_in(owner)
        client.get(search_url(owner.team_id))
        with counting(cached) as statements:
            page = client.get(search_url(owner.team_id))
        with client.session_transaction() as session:
            own = session["csrf_token"]
        pages.append((client, page, statements, own))
    (_, first, _, first_raw), (client, second, statements, second_raw) = pages
    assert not any("FROM phone_numbers" in s for s in statements)  # kept: no plan count
    for _client, page, _statements, own in pages:
        assert {raw_token(cached, token) for token in tokens_on(page)} == {own}
    assert first_raw != second_raw
    assert soup(second).select_one("#country option[selected]")["value"] == "US"
    assert len(soup(second).select("#country option")) > 200
    hold(cached, owner, sandbox_number("415", 3))  # a hold moves no version: the count is keyed
    held = client.get(search_url(owner.team_id))
    assert held.get_data() != second.get_data()
    assert soup(held).select_one("#cart-link [data-cart-count]")["data-cart-count"] == "1"


def test_a_kept_page_can_carry_no_idempotency_key(app):
    from flask import g

    from app.dashboard.search import new_idempotency_key

    with app.test_request_context():
        assert new_idempotency_key() != new_idempotency_key()  # a fresh key each Buy form
        g.rendering_kept_page = True
        with pytest.raises(RuntimeError):
            new_idempotency_key()
