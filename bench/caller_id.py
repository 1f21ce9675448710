"""Caller-ID selection under load: p50/p99 of app time at a 1,000-number pool, 100 requests a
second, through the whole Flask stack (token, campaign lookup, selection, commit).

    python -m bench.caller_id [--database URL] [--seconds 10] [--rate 100]

In-process (Flask's test client, no network): what is timed is the app's own time per request.
Requests are started on a fixed schedule (open loop: one every 1/rate s, spread over 4 threads,
as a dialer's calls arrive whether or not the last one was answered); each row gives the app's
time (start to answer) and the time from the scheduled start (which includes any queueing).
A team with a Scale plan holds 1,000 numbers in 200 area codes, all in one campaign; recipients
are drawn from every US area code (a quarter of them called twice, so stickiness is exercised).
Default database: a SQLite file; pass --database for PostgreSQL (its schema is recreated).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app.campaigns import pool, service
from app.campaigns.area_code_table import AREA_CODE_REGIONS
from app.config import TestConfig
from app.extensions import db
from app.models import Campaign, PhoneNumber, utcnow
from app.phone import canonical
from tests.factories import Factory, actor_of

POOL = 1000


def build(url: str):
    config = type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def seed(app) -> tuple[str, str]:
    """A Scale team's owner token and a campaign of POOL numbers."""
    owner = Factory(app).member("scale")
    us = [npa for npa, region in AREA_CODE_REGIONS.items() if region.startswith("US-")]
    numbers = [
        e164 for npa in us[:200] for i in range(5) if (e164 := canonical(f"+1{npa}55501{i:02d}"))
    ]
    with app.app_context():
        now = utcnow()
        rows = [
            PhoneNumber(
                team_id=owner.team_id,
                phone_number=e164,
                provider="sandbox",
                provider_number_id=f"sandbox-{e164[1:]}",
                customer_reference=f"ref-{e164}",
                number_type="local",
                country_code="US",
                status="active",
                activated_at=now,
            )
            for e164 in numbers[:POOL]
        ]
        db.session.add_all(rows)
        db.session.commit()
        ids = [row.id for row in rows]
        actor = actor_of(owner)
        campaign = service.create_campaign(actor, {"name": "Bench", "dailyCap": 10_000})
        pool.add_numbers(actor, db.session.get(Campaign, campaign.id), ids)
        if db.engine.dialect.name == "postgresql":
            # Fresh tables have no statistics yet (autovacuum gathers them soon after).
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        return owner.token, campaign.id


def recipients(count: int) -> list[str]:
    rng = random.Random(7)
    us = [npa for npa, region in AREA_CODE_REGIONS.items() if region.startswith("US-")]
    fresh = [f"+1{rng.choice(us)}555{rng.randrange(100, 200):04d}" for _ in range(count)]
    again = rng.sample(fresh, count // 4)
    chosen = fresh[: count - len(again)] + again
    rng.shuffle(chosen)
    return chosen


def run(app, token: str, campaign_id: str, seconds: float, rate: float) -> dict[str, float]:
    total = int(seconds * rate)
    targets = recipients(total)
    headers = {"Authorization": f"Bearer {token}"}
    local = threading.local()
    app_ms: list[float] = []
    late_ms: list[float] = []
    reasons: dict[str, int] = {}
    lock = threading.Lock()
    start = time.perf_counter() + 0.5

    def one(index: int) -> None:
        client = getattr(local, "client", None) or app.test_client()
        local.client = client
        due = start + index / rate
        if (wait := due - time.perf_counter()) > 0:
            time.sleep(wait)
        began = time.perf_counter()
        answer = client.post(
            f"/api/campaigns/{campaign_id}/caller-id",
            json={"to": targets[index]},
            headers=headers,
        )
        ended = time.perf_counter()
        assert answer.status_code == 200, answer.get_data(as_text=True)
        with lock:
            app_ms.append((ended - began) * 1000)
            late_ms.append((ended - due) * 1000)
            reason = answer.get_json()["reason"]
            reasons[reason] = reasons.get(reason, 0) + 1

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(total)))
    elapsed = time.perf_counter() - start

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=1000)[int(q * 1000) - 1]

    return {
        "requests": total,
        "achieved_rps": total / elapsed,
        "p50": statistics.median(app_ms),
        "p99": pct(app_ms, 0.99),
        "p50_from_schedule": statistics.median(late_ms),
        "p99_from_schedule": pct(late_ms, 0.99),
        "reasons": reasons,
    }


MARK = "\n<!-- caller-id: written by python -m bench.caller_id --write -->\n"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "| Endpoint | Pool | Requests | Achieved req/s | p50 ms | p99 ms "
    "| p50 ms from schedule | p99 ms from schedule | Goal | Verdict |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
)


def section_of(text: str) -> str:
    """The caller-ID section of RESULTS.md ("" if it has none)."""
    return text[text.index(MARK) :] if MARK in text else ""


def measure(url: str, seconds: float, rate: float) -> str:
    app = build(url)
    try:
        token, campaign_id = seed(app)
        result = run(app, token, campaign_id, seconds, rate)
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    verdict = "PASS" if result["p99"] < 5 else "MISS"
    return (
        f"| POST /api/campaigns/<id>/caller-id ({engine}) | {POOL:,} | {result['requests']:,} | "
        f"{result['achieved_rps']:.0f} | {result['p50']:.2f} | {result['p99']:.2f} | "
        f"{result['p50_from_schedule']:.2f} | {result['p99_from_schedule']:.2f} | "
        f"p99 < 5 ms | {verdict} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", help="a database URL (repeatable)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    options = parser.parse_args()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for url in options.database or [f"sqlite:///{Path(workdir) / 'bench.db'}"]:
            rows.append(measure(url, options.seconds, options.rate))
            print(rows[-1], flush=True)
    section = (
        f"{MARK}\n## Caller-ID selection\n\n"
        f"`python -m bench.caller_id`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"load average {load} at the start (2 cores shared). In-process, Flask's test client, "
        f"4 threads, requests started on a fixed schedule at {options.rate:.0f} req/s for "
        f"{options.seconds:.0f} s; a pool of {POOL:,} numbers in 200 area codes; "
        "bench/caller_id.py says how.\n\n" + HEADER + "\n" + "\n".join(rows) + "\n"
    )
    if options.write:
        text = RESULTS.read_text()
        RESULTS.write_text(text.replace(section_of(text), "") + section)
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
