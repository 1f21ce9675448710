"""What one request for a kept page costs: one query (the session's user, teams and versions),
no transaction around it, no new session cookie, and no trip to the limiter's storage."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.ratelimit import limiter
from tests.factories import counting
from tests.helpers import sandbox_number
from tests.pages.helpers import numbers_url, search_url


@pytest.fixture
def cached(app, monkeypatch):
    app.config["PAGE_CACHE_SECONDS"] = 300
    # Settled teams: a new team's checklist reads its own query on each view (its ticks move
    # no team version); tests/pages/test_numbers_paging.py counts that one.
    monkeypatch.setattr("app.dashboard.numbers.checklist", lambda team: None)
    return app


@pytest.fixture
def owner(cached, factory, auth, client):
    someone = factory.member("growth")
    factory.number(someone, sandbox_number("415", 0))
    auth.sign_in(someone)
    client.get(numbers_url(someone.team_id))  # the sign-in's message, if any
    client.get(numbers_url(someone.team_id))  # kept now
    return someone


def test_a_kept_page_is_one_query(cached, owner, client):
    with counting(cached) as statements:
        page = client.get(numbers_url(owner.team_id))
    assert page.status_code == 200
    assert len(statements) == 1
    assert "login_sessions" in statements[0] and "memberships" in statements[0]


def test_a_kept_page_runs_outside_a_transaction(cached, owner, client):
    """Each statement on AUTOCOMMIT: no BEGIN before it and no ROLLBACK after it."""
    with cached.app_context():
        engine = db.engine
    levels: list[str | None] = []

    def seen(connection, *_args):
        levels.append(connection.get_execution_options().get("isolation_level"))

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        client.get(numbers_url(owner.team_id))
        client.get(search_url(owner.team_id))
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert levels and set(levels) == {"AUTOCOMMIT"}


def test_an_unchanged_session_is_not_sent_again(owner, client):
    again = client.get(numbers_url(owner.team_id))
    assert again.status_code == 200
    assert "Set-Cookie" not in again.headers


def test_a_page_without_a_limit_skips_the_limiter(cached, owner, client, monkeypatch):
    calls: list[str] = []
    storage = limiter.storage
    for name in ("incr", "get", "get_expiry", "acquire_entry", "get_moving_window", "check"):
        if hasattr(storage, name):
            original = getattr(storage, name)

            def spy(*args, _name=name, _original=original, **kwargs):
                calls.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(storage, name, spy)
    client.get(numbers_url(owner.team_id))
    client.get(search_url(owner.team_id))  # the form alone: the search limit is exempt
    assert calls == []
    client.get(search_url(owner.team_id), query_string={"country": "US", "area_code": "415"})
    assert calls  # a search is counted
