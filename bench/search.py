"""Search service time, in-process: the sandbox, and Telnyx (a fake with latency) cached or not."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import redis

from app import create_app
from app.numbers.searching import search_numbers
from app.providers.base import SearchFilters
from app.providers.sandbox import SandboxProvider
from bench.env import Database, bench_config
from bench.slow_telnyx import SlowTelnyx

FILTERS = SearchFilters("US", "415", "local", 20)
REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class SandboxTimes:
    service_ms: float  # app.numbers.searching.search_numbers: provider plus "held here" lookups
    provider_ms: float  # SandboxProvider.search alone, nothing held
    results: int


@dataclass(frozen=True)
class CacheTimes:
    cache: str
    first_ms: float
    repeated_ms: float  # median of the repeats
    provider_requests: int  # searches that reached the fake Telnyx

    @property
    def speedup(self) -> float:
        return self.first_ms / self.repeated_ms


def median_ms(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def sandbox_times(database: Database, runs: int) -> SandboxTimes:
    app = create_app(bench_config(database))
    with app.app_context():
        results = len(search_numbers(FILTERS).numbers)  # warm-up: imports, metadata
        service = median_ms(lambda: search_numbers(FILTERS), runs)
    provider = SandboxProvider()
    return SandboxTimes(service, median_ms(lambda: provider.search_page(FILTERS), runs), results)


def telnyx_cache_times(database: Database, latency: float, repeats: int) -> list[CacheTimes]:
    """First search vs repeats of it, through the app's cache (in memory, and Redis if up)."""
    caches: list[tuple[str, dict]] = [("SimpleCache (per process)", {"CACHE_TYPE": "SimpleCache"})]
    if _redis_up():
        prefix = f"bench:{uuid.uuid4().hex[:8]}:"  # a fresh key space: the first search is a miss
        caches.append(
            (
                "RedisCache (shared)",
                {
                    "CACHE_TYPE": "RedisCache",
                    "CACHE_REDIS_URL": REDIS_URL,
                    "CACHE_KEY_PREFIX": prefix,
                },
            )
        )
    found = []
    with SlowTelnyx(latency) as fake:
        for name, settings in caches:
            config = bench_config(
                database,
                PHONE_PROVIDER="telnyx",
                TELNYX_API_KEY="bench-key",
                TELNYX_API_BASE=fake.base_url,
                SEARCH_CACHE_SECONDS=300,
                **settings,
            )
            app = create_app(config)
            before = fake.searches
            with app.app_context():
                first = median_ms(lambda: search_numbers(FILTERS), 1)
                repeated = median_ms(lambda: search_numbers(FILTERS), repeats)
            asked = fake.searches - before
            found.append(CacheTimes(name, first, repeated, asked))
    return found


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False
