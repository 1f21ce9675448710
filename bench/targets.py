"""The performance issue's targets, checked against the figures: (target, measured, verdict)."""

from __future__ import annotations

import os

from bench.figures import Purchases, Report, kb

LIST_TARGET = 3.0  # the list at 1,000 numbers within 3× of the bare endpoint
CACHE_TARGET = 50.0  # a repeated Telnyx search at least 50× faster than the first
FRAGMENT_TARGET = 0.25  # "a small fraction of the page": a quarter at most


# The goal for each row: at most this many times slower than the bare endpoint.
ROW_GOALS = {
    "list-10": 2.0,
    "list-1000": 3.0,
    "list-10000": 3.0,
    "list-paged": 3.0,
    "list-revalidated": 2.0,  # one small query and a cache fetch, against an empty answer
    # A page rendered each time (a cache miss): an optimal Jinja render of 50 rows is ≈21×.
    "page-1000-uncached": 25.0,
}
PAGE_GOAL = 5.0  # pages, fragments and the search API
PURCHASE_STATEMENTS = 8


def row_goal(key: str, slowdown: float | None) -> tuple[str, str]:
    """(goal, verdict) for a row of the table."""
    goal = ROW_GOALS.get(key, LIST_TARGET if key.startswith("list-") else PAGE_GOAL)
    if slowdown is None:
        return f"≤ {goal:g}×", "—"
    return f"≤ {goal:g}×", _verdict(slowdown <= goal)


def purchase_verdict(rep: Report) -> str:
    statements = rep.queries.get("purchase")
    if statements is None or rep.purchases is None:
        return "—"
    few = _verdict(statements <= PURCHASE_STATEMENTS)
    return f"{few} (queries); {_bound(rep.purchases)} (bound)"


def _by_size(rep: Report, prefix: str) -> list:
    return [p for p in rep.probes if p.key.startswith(prefix) and p.key[len(prefix) :].isdigit()]


def targets(rep: Report) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each target of the performance issue."""
    found = []
    for prefix, name in (("list-", "List endpoint"), ("page-", "Numbers page")):
        probes = _by_size(rep, prefix)
        if not probes:
            found.append((f"{name}: fixed queries whatever the size", "not measured", "TODO"))
            continue
        counts = " / ".join(str(rep.queries[p.key]) for p in probes)
        sizes = " → ".join(f"{p.rows:,}" for p in probes)
        same = len({rep.queries[p.key] for p in probes}) == 1
        found.append((f"{name}: fixed queries, {sizes} numbers", counts, _verdict(same)))
    for prefix, name in (("list-", "List endpoint"), ("page-", "Numbers page")):
        at = next((p for p in _by_size(rep, prefix) if p.rows == 1000), None)
        if at is None:
            continue
        slow = rep.slowdown(at.key) or float("inf")
        goal = LIST_TARGET if prefix == "list-" else PAGE_GOAL  # the page kept rendered
        found.append(
            (
                f"{name} at 1,000 numbers within {goal:g}× of the bare endpoint",
                f"{rep.app[at.key].rps:,.1f} vs {rep.bare[at.key].rps:,.0f} req/s: {slow:,.0f}×",
                _verdict(slow <= goal),
            )
        )
    if rep.sandbox:
        s = rep.sandbox
        found.append(
            (
                "Sandbox search under 1 ms of service time",
                f"search_numbers {s.service_ms:.2f} ms median; "
                f"the provider alone {s.provider_ms:.2f} ms",
                _verdict(s.service_ms < 1),
            )
        )
    if rep.calls:
        c = rep.calls
        found.append(
            (
                "Call routing: a call.initiated decided and commanded in under 50 ms of our time",
                f"p50 {c.p50_ms:.1f} ms, p99 {c.p99_ms:.1f} ms over {c.runs} calls (200-entry "
                "blocklist, hours, an 80/20 split; the Call Control client answering at once)",
                _verdict(c.p99_ms < 50),
            )
        )
    if rep.caller_id:
        c = rep.caller_id
        found.append(
            (
                "Caller-ID selection: p99 under 5 ms of app time, 1,000-number pool, "
                "100 req/s (in-process: no network)",
                f"p50 {c.p50_ms:.2f} ms, p99 {c.p99_ms:.2f} ms ({c.achieved_rps:.0f} req/s, "
                f"{c.requests:,} calls); Python CPU p50 {c.cpu_p50_ms:.2f} ms, "
                f"p99 {c.cpu_p99_ms:.2f} ms; p99 from the scheduled start {c.late_p99_ms:.1f} ms",
                _verdict(c.p99_ms < 5),
            )
        )
    for cache in rep.cache:
        found.append(
            (
                f"Telnyx (fake, 300 ms): repeat search ≥ {CACHE_TARGET:g}× faster, {cache.cache}",
                f"{cache.first_ms:.0f} ms → {cache.repeated_ms:.2f} ms: {cache.speedup:,.0f}×",
                _verdict(cache.speedup >= CACHE_TARGET),
            )
        )
    found += _purchase_targets(rep) + _fragment_targets(rep)
    return found


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _purchase_targets(rep: Report) -> list[tuple[str, str, str]]:
    found = []
    if rep.overlap:
        o = rep.overlap
        idle = (
            ""
            if o.idle_in_transaction is None
            else (f"; {o.idle_in_transaction} connections idle in transaction during the orders")
        )
        found.append(
            (
                "Purchase: no lock held across the provider call",
                f"{o.clients} purchases for one team, each order taking {o.delay_s * 1000:.0f} ms: "
                f"{o.elapsed_s:.2f} s (a lock across the call: ≥ {o.serial_s:.1f} s){idle}",
                _verdict(o.bought == o.clients and o.elapsed_s < o.serial_s / 2),
            )
        )
    if rep.purchases:
        buy, cores = rep.purchases, os.cpu_count() or 1
        found.append(
            (
                f"Purchase: {buy.clients} clients at a rate bounded by the database",
                f"1 client {buy.solo_rps:,.0f}/s → {buy.clients} clients {buy.rps:,.0f}/s "
                f"(p50 {buy.latency(50):.0f} ms). {_busy(buy, cores)}",
                _bound(buy),
            )
        )
    return found


def _busy(buy: Purchases, cores: int) -> str:
    cpu_ms = _cpu_ms(buy)
    workers = (
        f"gunicorn workers on CPU {buy.workers_cores:.2f} s per s (of {cores} cores), "
        f"{cpu_ms:.1f} ms per purchase"
    )
    if buy.db_active_ms is None:
        return f"{workers}; PostgreSQL n/a (SQLite)"
    # active_time is wall time with a statement in flight (a COMMIT's WAL flush included).
    return f"{workers}; PostgreSQL running statements {buy.db_active_ms:.1f} ms per purchase"


def _cpu_ms(buy: Purchases) -> float:
    return buy.workers_cores / buy.rps * 1000 if buy.rps else 0.0


def _bound(buy: Purchases) -> str:
    """The database bounds the rate if a purchase spends longer in it than on Python's CPU."""
    if buy.db_active_ms is None:
        return "n/a (SQLite)"
    if buy.db_active_ms >= _cpu_ms(buy):
        return "PASS"
    return "MISS: bound by Python CPU"


def _fragment_targets(rep: Report) -> list[tuple[str, str, str]]:
    if not rep.has_pages:
        return [("Fragments a small fraction of the full page", "pages not built yet", "TODO")]
    page = rep.bytes.get("search-page")
    small = min((p for p in rep.probes if p.key.startswith("page-")), key=lambda p: p.rows)
    table_page = rep.bytes.get(small.key)
    pairs = [
        ("Search results fragment / the search page", rep.bytes.get("search-fragment"), page, True),
        ("… its results part alone (a results-only fragment)", rep.results_only_bytes, page, None),
        ("A search result's row (the Buy answer) / the search page", rep.buy_row_bytes, page, True),
        (
            f"A table row (an assistant picked) / the Numbers page, {small.rows} numbers",
            rep.table_row_bytes,
            table_page,
            True,
        ),
    ]
    middle = next((p for p in rep.probes if p.key == "table-fragment"), None)
    if middle is not None:
        pairs.append(
            (
                f"Numbers table fragment / the Numbers page, {middle.rows:,} numbers",
                rep.bytes.get("table-fragment"),
                rep.bytes.get(f"page-{middle.rows}"),
                None,
            )
        )
    found = []
    for name, part, whole, judged in pairs:
        if not part or not whole:
            found.append((name, "not measured", "TODO"))
            continue
        verdict = _verdict(part / whole <= FRAGMENT_TARGET) if judged else "(for reference)"
        found.append((name, f"{kb(part)} of {kb(whole)} ({part / whole:.0%})", verdict))
    return found
