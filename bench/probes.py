"""What the benchmark asks of the app: one Probe per table row, sent in-process or over HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from bench.seed import PASSWORD, Member, add_numbers, create_account

HTMX = (("HX-Request", "true"),)
_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')


@dataclass(frozen=True)
class Probe:
    """One endpoint at one size: a row of the table."""

    key: str  # also the bare endpoint's name for the same bytes
    label: str
    rows: int
    account: Member
    path: str
    method: str = "GET"
    signed_in: bool = False  # a page: a session cookie instead of the bearer token
    headers: tuple[tuple[str, str], ...] = ()
    body: dict | None = field(default=None, hash=False)
    status: int = 200  # what a right answer is (304: the client has it already)
    uncached: bool = False  # a page rendered each time (served with PAGE_CACHE_SECONDS=0)

    def encoded_body(self) -> bytes:
        return json.dumps(self.body).encode() if self.body is not None else b""

    def all_headers(self, cookie: str | None = None) -> tuple[tuple[str, str], ...]:
        extra = (("Content-Type", "application/json"),) if self.body is not None else ()
        if self.signed_in:
            auth = (("Cookie", f"session={cookie}"),) if cookie else ()
        else:
            auth = tuple(self.account.bearer.items())
        return (*auth, *extra, *self.headers)


def csrf_token(html: str) -> str:
    tag = _CSRF.search(html)
    value = _VALUE.search(tag.group(0)) if tag else None
    if value is None:
        raise RuntimeError("no csrf_token input on the sign-in page")
    return value.group(1)


def sign_in(client: FlaskClient, account: Member) -> FlaskClient:
    """Sign in through the real form, as a browser does."""
    token = csrf_token(client.get("/signin").get_data(as_text=True))
    answer = client.post(
        "/signin", data={"email": account.email, "password": PASSWORD, "csrf_token": token}
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {account.email} answered {answer.status_code}")
    return client


def send(client: FlaskClient, probe: Probe):
    headers = dict(probe.all_headers())
    return client.open(
        probe.path, method=probe.method, headers=headers, data=probe.encoded_body() or None
    )


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def queries_per_request(app: Flask, client: FlaskClient, probe: Probe) -> int:
    """Statements for one request, after a warm-up request (token last-used write, caches)."""
    first = send(client, probe)
    if first.status_code >= 400:
        raise RuntimeError(f"{probe.label}: {first.status_code} {first.get_data(as_text=True)}")
    with counting(app) as statements:
        send(client, probe)
    return len(statements)


# The User-Agent of the benchmark's "browser": at sign-in and on every page request after it.
BROWSER = (("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench"),)


def analyze(app: Flask) -> None:
    """Fresh planner statistics after seeding, as a database that has lived a while has."""
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))


def build_probes(app: Flask, sizes: tuple[int, ...]) -> tuple[list[Probe], Member]:
    """Seed one Scale team per size; the probes that read them, and the smallest team."""
    teams = {}
    for index, size in enumerate(sizes):
        account = create_account(app, f"Team of {size}", "scale", f"size{size}@bench.example")
        add_numbers(app, account, size, offset=sum(sizes[:index]))
        teams[size] = account
    analyze(app)
    small, middle, largest = teams[sizes[0]], sizes[len(sizes) // 2], sizes[-1]

    def listing(size: int, query: str = "") -> str:
        return f"/api/phone-numbers/purchase?teamId={teams[size].team_id}{query}"

    def numbers(size: int) -> str:
        return f"/teams/{teams[size].team_id}/numbers"

    # A client that already has the middle list revalidates it: its ETag as If-None-Match.
    answer = app.test_client().get(listing(middle), headers=teams[middle].bearer)
    revalidate = (("If-None-Match", answer.headers["ETag"]),)
    search = f"/teams/{small.team_id}/search?country=US&area_code=415&number_type=local&limit=20"
    body = {"filters": {"countryCode": "US", "areaCode": "415", "limit": 20}}
    # A browser: the User-Agent it signed in with (app.web.http_cookie), on every request.
    page = {"signed_in": True, "headers": BROWSER}
    fragment = {"signed_in": True, "headers": (*BROWSER, *HTMX)}
    return [
        *(
            Probe(f"list-{n}", "GET /api/phone-numbers/purchase", n, teams[n], listing(n))
            for n in sizes
        ),
        Probe(
            "list-revalidated",
            "GET /api/phone-numbers/purchase (If-None-Match: 304)",
            middle,
            teams[middle],
            listing(middle),
            headers=revalidate,
            status=304,
        ),
        Probe(
            "list-paged",
            "GET /api/phone-numbers/purchase?limit=100 (page 1)",
            largest,
            teams[largest],
            listing(largest, "&limit=100"),
        ),
        *(
            Probe(f"page-{n}", "GET /teams/<id>/numbers (page)", n, teams[n], numbers(n), **page)
            for n in sizes
        ),
        Probe(
            f"page-{middle}-uncached",
            "GET /teams/<id>/numbers (page, rendered each time: PAGE_CACHE_SECONDS=0)",
            middle,
            teams[middle],
            numbers(middle),
            uncached=True,
            **page,
        ),
        Probe(
            "table-fragment",
            "GET /teams/<id>/numbers (htmx fragment: the table)",
            middle,
            teams[middle],
            numbers(middle),
            **fragment,
        ),
        Probe(
            "search-api",
            "POST /api/phone-numbers/search (sandbox)",
            20,
            small,
            "/api/phone-numbers/search",
            "POST",
            body=body,
        ),
        Probe("search-page", "GET /teams/<id>/search (page, sandbox)", 20, small, search, **page),
        Probe(
            "search-form",
            "GET /teams/<id>/search (the form before a search: kept)",
            0,
            small,
            f"/teams/{small.team_id}/search",
            **page,
        ),
        Probe(
            "search-fragment",
            "GET /teams/<id>/search (htmx fragment: form + results)",
            20,
            small,
            search,
            **fragment,
        ),
    ], small
