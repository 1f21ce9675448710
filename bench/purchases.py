"""Purchases under concurrency: HTTP clients against gunicorn, and where the lock is held."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from bench.env import Database, bench_config
from bench.probes import counting
from bench.seed import Member, sandbox_numbers

PURCHASE = "/api/phone-numbers/purchase"


@dataclass(frozen=True)
class Answer:
    """One purchase attempt as a client saw it."""

    team_id: str
    phone_number: str
    status: int  # 0: no answer (socket error)
    body: dict
    ms: float


@dataclass(frozen=True)
class Plan:
    """What one client buys, in order, for which team, with whose token."""

    account: Member
    numbers: list[str]


def run_clients(base_url: str, plans: list[Plan], deadline: float) -> tuple[list[Answer], float]:
    """Every client at once, one keep-alive connection each; (answers, wall seconds)."""
    start = threading.Barrier(len(plans))
    began = time.monotonic()
    with ThreadPoolExecutor(len(plans)) as pool:
        parts = list(pool.map(lambda plan: _client(base_url, plan, start, deadline), plans))
    return [a for part in parts for a in part], time.monotonic() - began


def _client(base_url: str, plan: Plan, start: threading.Barrier, deadline: float) -> list[Answer]:
    parts = urlsplit(base_url)
    if parts.hostname != "127.0.0.1":
        raise ValueError("the benchmark only loads 127.0.0.1")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {**plan.account.bearer, "Content-Type": "application/json"}
    answers = []
    start.wait()
    try:
        for number in plan.numbers:
            if time.time() > deadline:
                break
            body = json.dumps({"phoneNumber": number, "teamId": plan.account.team_id})
            began = time.perf_counter()
            try:
                connection.request("POST", PURCHASE, body=body, headers=headers)
                response = connection.getresponse()
                status, raw = response.status, response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                status, raw = 0, b"{}"
            ms = (time.perf_counter() - began) * 1000
            answers.append(Answer(plan.account.team_id, number, status, _json(raw), ms))
    finally:
        connection.close()
    return answers


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {"unparsed": raw[:200].decode(errors="replace")}
    return value if isinstance(value, dict) else {"unparsed": value}


def percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[percent - 1]


# -- PostgreSQL's own account of its busy time --------------------------------------------


def postgres_active_ms(database: Database) -> float | None:
    """pg_stat_database.active_time for the bench database: time spent running statements
    (COMMIT's WAL flush included). Backends report it when they disconnect, so read it after
    the server has stopped."""
    if not database.is_postgres:
        return None
    engine = sa.create_engine(database.url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            return connection.scalar(
                sa.text(
                    "SELECT active_time FROM pg_stat_database WHERE datname = current_database()"
                )
            )
    finally:
        engine.dispose()


# -- Is the team lock held across the provider call? --------------------------------------


@dataclass(frozen=True)
class Overlap:
    clients: int
    delay_s: float
    elapsed_s: float
    bought: int
    idle_in_transaction: int | None  # most bench connections seen idle in a transaction

    @property
    def serial_s(self) -> float:
        """What the same purchases would take if the lock were held across the order."""
        return self.clients * self.delay_s


class SlowProvider:
    """The configured provider with a slow order(), like a real carrier's."""

    def __init__(self, inner, delay: float):
        self._inner, self._delay = inner, delay

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def order(self, *args, **kwargs):
        time.sleep(self._delay)
        return self._inner.order(*args, **kwargs)


def lock_overlap(database: Database, account: Member, area: str, delay: float) -> Overlap:
    """20 threads buy for ONE team while every order takes `delay`: with the team's lock held
    across the provider call they would take clients × delay; without, about one delay."""
    clients = 20
    # A connection for every thread, so the pool is not what serialises them.
    options = (
        {"pool_size": clients + 2} if database.is_postgres else {"connect_args": {"timeout": 30}}
    )
    app = create_app(bench_config(database, SQLALCHEMY_ENGINE_OPTIONS=options))
    app.extensions["phone_provider"] = SlowProvider(app.extensions["phone_provider"], delay)
    start = threading.Barrier(clients + 1)
    statuses: list[int] = []
    finished: list[float] = []

    def buy(number: str) -> None:
        client = app.test_client()
        body = {"phoneNumber": number, "teamId": account.team_id}
        start.wait()
        statuses.append(client.post(PURCHASE, json=body, headers=account.bearer).status_code)
        finished.append(time.monotonic())

    threads = [threading.Thread(target=buy, args=(n,)) for n in sandbox_numbers(area)[:clients]]
    for thread in threads:
        thread.start()
    with _Activity(database) as activity:
        start.wait()
        began = time.monotonic()
        while any(thread.is_alive() for thread in threads) and time.monotonic() - began < 60:
            activity.sample()  # while the orders are in flight
            time.sleep(delay / 10)
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        db.engine.dispose()
    elapsed = max(finished, default=began) - began
    return Overlap(clients, delay, elapsed, statuses.count(200), activity.most)


class _Activity:
    """The most bench connections seen idle in a transaction (PostgreSQL only)."""

    QUERY = sa.text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND state = 'idle in transaction'"
    )

    def __init__(self, database: Database):
        self.engine = sa.create_engine(database.url) if database.is_postgres else None
        self.most: int | None = None

    def __enter__(self) -> _Activity:
        self.connection = self.engine.connect() if self.engine else None
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.connection is not None:
            self.connection.close()
            self.engine.dispose()

    def sample(self) -> None:
        if self.connection is not None:
            seen = self.connection.scalar(self.QUERY)
            self.connection.rollback()  # a fresh snapshot of pg_stat_activity each time
            self.most = max(self.most or 0, seen)


def purchase_queries(app, account: Member, number: str, warm_number: str) -> int:
    """Statements for one sandbox purchase, after a warm-up purchase of another number."""
    client = app.test_client()

    def buy(phone_number: str) -> None:
        body = {"phoneNumber": phone_number, "teamId": account.team_id}
        answer = client.post(PURCHASE, json=body, headers=account.bearer)
        if answer.status_code != 200:
            raise RuntimeError(f"purchase answered {answer.status_code}: {answer.get_data()!r}")

    buy(warm_number)
    with counting(app) as statements:
        buy(number)
    return len(statements)
