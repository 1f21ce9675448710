"""Rate limits that hold: per user across their tokens and the pages, a cap on tokens, the
client address taken from forwarded headers only behind trusted proxies, one Redis shared by
every worker, and a loud warning when gunicorn workers would each keep their own counts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.accounts import tokens
from app.accounts.tokens import MAX_LIVE_TOKENS
from app.extensions import db
from app.models import User
from app.shared_state import workers_warning
from tests import workers
from tests.factories import Factory
from tests.helpers import SEARCH, assert_error, buy, sandbox_number
from tests.pages.helpers import Auth, csrf_token, post, soup, text
from tests.pages.helpers import buy as page_buy
from tests.support import build_app, free_port, teardown_app

ROOT = Path(__file__).resolve().parent.parent
REDIS = workers.redis_url(15)
OTHER_REDIS = workers.redis_url(14)
BODY = {"filters": {"countryCode": "US", "limit": 1}}


@pytest.fixture
def limited(tmp_path):
    app = build_app(
        tmp_path,
        RATELIMIT_API_SEARCH="3 per minute",
        RATELIMIT_API_PURCHASE="2 per minute",
        RATELIMIT_SIGNIN="2 per minute",
        RATELIMIT_SIGNUP="2 per minute",
    )
    yield app
    teardown_app(app)


def more_tokens(app, member, count: int) -> list[dict[str, str]]:
    with app.app_context():
        user = db.session.get(User, member.user_id)
        made = [
            tokens.issue_token(user, f"extra {i}", scopes=["numbers:read"]) for i in range(count)
        ]
    plain = [issued.plain for issued in made]
    return [{"Authorization": f"Bearer {p}"} for p in plain]


def test_all_of_a_users_tokens_share_one_search_limit(limited):
    client, factory = limited.test_client(), Factory(limited)
    alice, bob = factory.member("growth"), factory.member("growth")
    headers = [alice.headers, *more_tokens(limited, alice, 2)]
    for each in headers:  # three tokens, one search each: the user's three
        assert client.post(SEARCH, json=BODY, headers=each).status_code == 200
    for each in headers:
        assert_error(client.post(SEARCH, json=BODY, headers=each), 429, "rate_limited")
    assert client.post(SEARCH, json=BODY, headers=bob.headers).status_code == 200


def test_the_api_and_the_buy_button_share_one_purchase_budget(limited):
    client, factory = limited.test_client(), Factory(limited)
    member = factory.member("growth")
    Auth(client).sign_in(member)
    assert buy(client, member, sandbox_number("415", 0)).status_code == 200
    assert page_buy(client, member.team_id, sandbox_number("415", 1)).status_code == 200
    assert_error(buy(client, member, sandbox_number("415", 2)), 429, "rate_limited")
    refused = page_buy(client, member.team_id, sandbox_number("415", 3))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_sign_up_is_limited_per_address(limited):
    client = limited.test_client()
    for attempt in range(3):
        form = {"csrf_token": csrf_token(client, "/signup"), "email": "not-an-email"}
        response = client.post("/signup", data=form)
        assert response.status_code == (400 if attempt < 2 else 429)
    assert text(soup(response).select_one("h1")) == "Too many attempts"


def test_tokens_are_capped_per_user(app, client, factory, runner):
    member = factory.member("free")
    more_tokens(app, member, MAX_LIVE_TOKENS - 1)  # the factory made one already
    Auth(client).sign_in(member)
    refused = post(client, "/settings/tokens", {"name": "one too many", "scopes": "numbers:read"})
    assert refused.status_code == 400
    error = text(soup(refused).select_one(".field-error"))
    assert f"You have {MAX_LIVE_TOKENS} live API tokens" in error and "revoke one" in error
    result = runner.invoke(args=["tokens", "create", member.email, "--name", "cli"])
    assert result.exit_code == 1 and "revoke one" in result.output
    revoke = soup(client.get("/settings/tokens")).select_one("details[data-role=revoke] form")
    assert post(client, revoke["action"]).status_code == 200
    replacement = {"name": "replacement", "scopes": "numbers:read"}
    assert post(client, "/settings/tokens", replacement).status_code == 200


def sign_in_attempts(app, forwarded_for: list[str]) -> list[int]:
    """Sign-in POSTs over https (as a TLS proxy forwards them), one per forwarded address."""
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    statuses = []
    for address in forwarded_for:
        token = soup(client.get("/signin", **https)).select_one("input[name=csrf_token]")
        form = {"csrf_token": token["value"], "email": "a@example.com", "password": "x" * 9}
        headers = {
            "X-Forwarded-For": address,
            "X-Forwarded-Proto": "https",
            "Referer": "https://localhost/signin",
        }
        response = client.post("/signin", data=form, headers=headers, **https)
        statuses.append(response.status_code)
    return statuses


def test_rotating_x_forwarded_for_does_not_reset_the_sign_in_limit(tmp_path):
    app = build_app(tmp_path, PREFERRED_URL_SCHEME="https", RATELIMIT_SIGNIN="2 per minute")
    try:
        assert sign_in_attempts(app, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [400, 400, 429]
    finally:
        teardown_app(app)


def test_behind_one_trusted_proxy_its_own_entry_decides(tmp_path):
    app = build_app(
        tmp_path, PREFERRED_URL_SCHEME="https", TRUSTED_PROXIES="1", RATELIMIT_SIGNIN="2 per minute"
    )
    try:
        # The proxy appends the client's address; what the client wrote before it is ignored.
        forged = ["1.1.1.1, 203.0.113.7", "2.2.2.2, 203.0.113.7", "3.3.3.3, 203.0.113.7"]
        assert sign_in_attempts(app, forged) == [400, 400, 429]
        assert sign_in_attempts(app, ["203.0.113.8"]) == [400]  # another client's own count
    finally:
        teardown_app(app)


def test_trusted_proxies_must_be_a_count(tmp_path):
    from app.config import ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        build_app(tmp_path, TRUSTED_PROXIES="yes")


def test_one_redis_url_shares_the_cache_and_the_limits_between_workers(tmp_path):
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        "REDIS_URL": REDIS,
        "RATELIMIT_KEY_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
        "RATELIMIT_API_SEARCH": "3 per minute",
    }
    first = build_app(tmp_path, **settings)
    second = build_app(tmp_path, **settings)  # another worker on the same database
    try:
        for app in (first, second):
            assert app.config["CACHE_TYPE"] == "RedisCache"
            assert app.config["CACHE_REDIS_URL"] == app.config["RATELIMIT_STORAGE_URI"] == REDIS
        member = Factory(first).member("growth")
        clients = [first.test_client(), second.test_client(), first.test_client()]
        for client in clients:
            assert client.post(SEARCH, json=BODY, headers=member.headers).status_code == 200
        limited = second.test_client().post(SEARCH, json=BODY, headers=member.headers)
        assert_error(limited, 429, "rate_limited")
    finally:
        with second.app_context():  # its connections too, or one is left open at exit
            db.session.remove()
            db.engine.dispose()
        teardown_app(first)


def test_the_older_variables_still_win_for_their_part(tmp_path):
    app = build_app(
        tmp_path,
        REDIS_URL=REDIS,
        CACHE_REDIS_URL=OTHER_REDIS,
        RATELIMIT_STORAGE_URI="memory://",
    )
    try:
        assert app.config["CACHE_REDIS_URL"] == OTHER_REDIS
        assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    finally:
        teardown_app(app)


def test_the_warning_names_what_workers_would_not_share():
    memory = {"RATELIMIT_STORAGE_URI": "memory://", "CACHE_TYPE": "SimpleCache"}
    memory["SEARCH_CACHE_SECONDS"] = 30
    warning = workers_warning(memory, 4)
    assert "4 workers" in warning and "rate-limit counts" in warning and "REDIS_URL" in warning
    assert "search cache" in warning
    assert workers_warning(memory, 1) is None
    shared = {"RATELIMIT_STORAGE_URI": REDIS, "CACHE_TYPE": "RedisCache"}
    assert workers_warning(shared, 4) is None


def gunicorn_log(tmp_path, workers: int, **env: str) -> str:
    """gunicorn's start-up log with `workers` workers, read until every worker has booted."""
    environment = {
        **{k: v for k, v in os.environ.items() if "REDIS" not in k and "RATELIMIT" not in k},
        "DATABASE_URL": f"sqlite:///{tmp_path}/gunicorn.db",
        "SECRET_KEY": "warning-test",
        **env,
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "--bind", f"127.0.0.1:{free_port()}", "--workers", str(workers)]
    lines = []
    with subprocess.Popen(
        [*command, "wsgi:app"], cwd=ROOT, env=environment, stderr=subprocess.PIPE, text=True
    ) as server:
        try:
            for line in server.stderr:  # the log, as it comes: no sleeping
                lines.append(line)
                if sum("Booting worker" in seen for seen in lines) == workers:
                    break
        finally:
            server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
            try:
                server.communicate(timeout=20)  # drains and closes the pipe
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
    return "".join(lines)


def test_gunicorn_warns_loudly_when_workers_would_keep_their_own_counts(tmp_path):
    log = gunicorn_log(tmp_path, 2)
    assert "WARNING: 2 workers, and each keeps its own rate-limit counts" in log
    assert "REDIS_URL" in log
    assert "WARNING" not in gunicorn_log(tmp_path, 2, REDIS_URL=REDIS)
