"""Security headers, cookie flags, and rate limits (in memory and on Redis)."""

import uuid

import pytest
from bs4 import BeautifulSoup

from tests import workers
from tests.helpers import SEARCH, assert_error, buy, sandbox_number
from tests.support import build_app, teardown_app

REDIS_URL = workers.redis_url(15)


def test_security_headers_on_api_and_errors(client):
    for response in (client.get("/api/openapi.json"), client.get("/api/nope")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in response.headers


def test_cookies_are_httponly_lax_and_secure_behind_https(tmp_path):
    app = build_app(tmp_path, PREFERRED_URL_SCHEME="https")
    try:
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert app.config["SESSION_COOKIE_SECURE"] is True
        response = app.test_client().get("/api/openapi.json")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        teardown_app(app)


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, tmp_path):
    overrides = {"RATELIMIT_API_SEARCH": "3 per minute", "RATELIMIT_API_PURCHASE": "2 per minute"}
    if request.param == "redis":
        # A prefix of our own, so parallel runs and earlier runs never share counts.
        overrides |= {
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    app = build_app(tmp_path, **overrides)
    yield app
    teardown_app(app)


def test_search_is_limited_per_token_with_retry_after(limited_app):
    from tests.factories import Factory

    client, factory = limited_app.test_client(), Factory(limited_app)
    alice, bob = factory.member("growth"), factory.member("growth")
    body = {"filters": {"countryCode": "US", "limit": 1}}
    for _ in range(3):
        assert client.post(SEARCH, json=body, headers=alice.headers).status_code == 200
    limited = client.post(SEARCH, json=body, headers=alice.headers)
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0
    # Another token has its own budget, and purchases have theirs.
    assert client.post(SEARCH, json=body, headers=bob.headers).status_code == 200
    assert buy(client, alice, sandbox_number("415", 0)).status_code == 200


def test_purchase_is_limited_apart_from_search(limited_app):
    from tests.factories import Factory

    client, factory = limited_app.test_client(), Factory(limited_app)
    member = factory.member("growth")
    assert buy(client, member, sandbox_number("415", 0)).status_code == 200
    assert buy(client, member, sandbox_number("415", 1)).status_code == 200
    assert_error(buy(client, member, sandbox_number("415", 2)), 429, "rate_limited")
    body = {"filters": {"countryCode": "US", "limit": 1}}
    assert client.post(SEARCH, json=body, headers=member.headers).status_code == 200


def test_sign_in_costs_the_same_with_or_without_an_account(app, factory, monkeypatch):
    """A missing account still runs a password hash check (no timing oracle)."""
    from app.accounts import users as accounts

    factory.member()
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(
        accounts, "check_password_hash", lambda h, p: checked.append(h) or real(h, p)
    )
    with app.app_context():
        assert accounts.authenticate("nobody@example.com", "whatever-password") is None
        assert accounts.authenticate("user1@example.com", "wrong-password") is None
        assert accounts.authenticate("user1@example.com", "correct horse battery") is not None
    assert len(checked) == 3


def test_signing_in_starts_a_fresh_session(client, factory):
    factory.member()
    page = BeautifulSoup(client.get("/signin").data, "html.parser")
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "x"
    response = client.post(
        "/signin",
        data={
            "email": "user1@example.com",
            "password": "correct horse battery",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with client.session_transaction() as after:
        assert "planted_by_attacker" not in after
        assert after.get("_user_id")


def test_outside_the_tests_passwords_are_hashed_with_scrypt(tmp_path):
    from app.accounts import users
    from app.config import Config
    from tests.support import build_app, teardown_app

    app = build_app(tmp_path, PASSWORD_HASH_METHOD=Config.PASSWORD_HASH_METHOD)
    try:
        with app.app_context():
            user = users.create_user("ada@example.com", "Ada", "analytical engine")
            assert user.password_hash.startswith("scrypt:")
            assert users.authenticate("ada@example.com", "analytical engine") is not None
    finally:
        teardown_app(app)
