"""The pages: signing in over HTTP, capturing answers for the bare endpoint, fragment sizes."""

from __future__ import annotations

import re
import time
from pathlib import Path

import requests
from flask import Flask

from bench.probes import HTMX, Probe, csrf_token, sign_in
from bench.seed import PASSWORD, Member, sandbox_numbers


def pages_ready(app: Flask, account: Member) -> bool:
    """Whether the Numbers and Search pages exist yet (another engineer is building them)."""
    try:
        client = sign_in(app.test_client(), account)
    except RuntimeError:
        return False
    return all(
        client.get(f"/teams/{account.team_id}/{page}").status_code == 200
        for page in ("numbers", "search")
    )


def http_cookie(base_url: str, account: Member) -> str:
    """Sign in over HTTP, as a browser does (one User-Agent throughout), and view one page:
    the session cookie as a browser holds it then (its CSRF token in it), to replay."""
    from bench.probes import BROWSER

    with requests.Session() as session:
        session.headers.update(dict(BROWSER))
        token = csrf_token(session.get(f"{base_url}/signin", timeout=10).text)
        data = {"email": account.email, "password": PASSWORD, "csrf_token": token}
        answer = session.post(f"{base_url}/signin", data=data, allow_redirects=False, timeout=10)
        if answer.status_code != 302 or "session" not in session.cookies:
            raise RuntimeError(f"sign-in over HTTP answered {answer.status_code}")
        session.get(f"{base_url}/", timeout=30)  # the first page, with its message
        return session.cookies["session"]


def capture(base_url: str, probe: Probe, cookie: str | None, bare_dir: Path) -> tuple[int, float]:
    """One real answer, kept for the bare endpoint; its size in bytes, and the seconds a
    second request took (the first may meet a cold worker)."""
    for _ in range(2):
        began = time.perf_counter()
        answer = requests.request(
            probe.method,
            base_url + probe.path,
            headers=dict(probe.all_headers(cookie)),
            data=probe.encoded_body() or None,
            allow_redirects=False,
            timeout=60,
        )
    if answer.status_code != probe.status:
        raise RuntimeError(f"{probe.label} answered {answer.status_code}: {answer.text[:300]}")
    (bare_dir / f"{probe.key}.body").write_bytes(answer.content)
    kind = answer.headers.get("Content-Type", "application/json")  # a 304 has none
    (bare_dir / f"{probe.key}.type").write_text(kind)
    return len(answer.content), time.perf_counter() - began


def buy_row_bytes(app: Flask, account: Member) -> int:
    """What one Buy click in a search result's row answers (htmx): the row's cell, and the
    plan banner out of band. Buys a sandbox number for the account's team."""
    client = sign_in(app.test_client(), account)
    search = f"/teams/{account.team_id}/search?country=US&area_code=415"
    token = csrf_token(client.get(search).get_data(as_text=True))
    number = sandbox_numbers("415")[0]
    answer = client.post(
        f"/teams/{account.team_id}/numbers",
        data={"phone_number": number, "search": "country=US&area_code=415", "csrf_token": token},
        headers={**dict(HTMX), "X-CSRFToken": token},
    )
    if answer.status_code != 200:
        raise RuntimeError(f"buy fragment answered {answer.status_code}")
    return len(answer.get_data())


def results_part(fragment: Path) -> int | None:
    """Bytes of the search fragment from its results list on: what a fragment of the results
    alone would weigh (the rest is the search form, country list included)."""
    if not fragment.exists():
        return None
    html = fragment.read_bytes()
    start = html.find(b'<div id="search-results"')
    return len(html) - start if start >= 0 else None


def row_update_bytes(app: Flask, account: Member) -> int | None:
    """What choosing an assistant in a row of the numbers table answers (htmx): the row again,
    with out-of-band news. None if the table has no such picker (yet)."""
    client = sign_in(app.test_client(), account)
    page = client.get(f"/teams/{account.team_id}/numbers").get_data(as_text=True)
    number = re.search(r'id="number-(pn_[0-9a-z]+)"', page)
    assistant = re.search(r'<option value="(asst_[0-9a-z]+)"', page)
    if number is None or assistant is None:
        return None
    token = csrf_token(page)
    answer = client.post(
        f"/teams/{account.team_id}/numbers/{number.group(1)}/assistant",
        data={"assistant_id": assistant.group(1), "csrf_token": token},
        headers={**dict(HTMX), "X-CSRFToken": token},
    )
    return len(answer.get_data()) if answer.status_code == 200 else None
