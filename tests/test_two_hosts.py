"""Two gunicorn instances (two hosts) on one database and one Redis serve one consistent
view: a purchase through one is on the other's very next read, ETags included.

On PostgreSQL (TEST_DATABASE_URL) both serve it; on SQLite both serve the same file. The
list's cache is each process's own memory without Redis: the team's version keeps it right
there too, so both are checked.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from tests import workers
from tests.factories import PASSWORD
from tests.helpers import PURCHASE, sandbox_number
from tests.support import free_port, listening, wait_until

ROOT = Path(__file__).resolve().parent.parent
REDIS = workers.redis_url(15)  # shared with other tests: every key here has its own prefix
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@contextlib.contextmanager
def host(database_url: str, **env: str):
    """gunicorn with two workers on the shared database; yields its base URL."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if "REDIS" not in k and "CACHE" not in k},
        "DATABASE_URL": database_url,
        "SECRET_KEY": "two-hosts",  # one deployment: one key, so a session works on both
        "FLASK_SKIP_DOTENV": "1",
        "JOBS_IMMEDIATE": "1",  # no periodic jobs moving numbers between the test's reads
        **env,
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until(lambda: listening(port), timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGQUIT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


@pytest.fixture(params=["redis", "in-process"])
def hosts(request, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {}
    if request.param == "redis":
        env = {"REDIS_URL": REDIS, "CACHE_KEY_PREFIX": f"two-hosts-{uuid.uuid4().hex}:"}
    with host(url, **env) as first, host(url, **env) as second:
        yield first, second


def listing(base: str, member, etag: str | None = None) -> requests.Response:
    headers = {**member.headers, **({"If-None-Match": etag} if etag else {})}
    return requests.get(
        base + PURCHASE, params={"teamId": member.team_id}, headers=headers, timeout=10
    )


def test_a_purchase_on_one_host_is_on_the_others_next_read(hosts, factory):
    first, second = hosts
    member = factory.member("growth")
    before = listing(first, member)
    etag = before.headers["ETag"]
    assert before.json()["count"] == 0
    assert listing(second, member).headers["ETag"] == etag  # the same answer, the same tag
    assert listing(second, member, etag).status_code == 304

    body = {"phoneNumber": sandbox_number("415", 0), "teamId": member.team_id}
    bought = requests.post(first + PURCHASE, json=body, headers=member.headers, timeout=10)
    assert bought.status_code == 200, bought.text

    after = listing(second, member, etag)  # the very next read, on the other host
    assert after.status_code == 200 and after.json()["count"] == 1
    assert after.json()["numbers"][0]["phone_number"] == body["phoneNumber"]
    assert after.headers["ETag"] != etag
    assert listing(first, member, after.headers["ETag"]).status_code == 304


def test_the_numbers_page_tag_moves_on_both_hosts(hosts, factory):
    first, second = hosts
    member = factory.member("growth")
    browser = requests.Session()
    page = browser.get(first + "/signin", timeout=10).text
    token = CSRF.search(page).group(1)
    form = {"email": member.email, "password": PASSWORD, "csrf_token": token}
    assert browser.post(first + "/signin", data=form, timeout=10).ok
    numbers = f"/teams/{member.team_id}/numbers"
    browser.get(second + numbers, timeout=10)  # shows the sign-in's message, if any

    def tag_then_revalidate(base: str, other: str) -> tuple[str, int]:
        # The page's tag includes the minute (the trial countdown reads in minutes): ask
        # again if a minute turned between the two requests.
        while True:
            minute = int(time.time() // 60)
            etag = browser.get(base + numbers, timeout=10).headers["ETag"]
            answer = browser.get(other + numbers, headers={"If-None-Match": etag}, timeout=10)
            if int(time.time() // 60) == minute:
                return etag, answer.status_code

    etag, status = tag_then_revalidate(second, first)
    assert status == 304
    body = {"phoneNumber": sandbox_number("415", 1), "teamId": member.team_id}
    assert requests.post(first + PURCHASE, json=body, headers=member.headers, timeout=10).ok
    fresh = browser.get(second + numbers, headers={"If-None-Match": etag}, timeout=10)
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    number_id = listing(second, member).json()["numbers"][0]["id"]
    rows = BeautifulSoup(fresh.text, "html.parser").select("tr[id]")
    assert f"number-{number_id}" in {row["id"] for row in rows}
