"""The benchmark: seed, serve with gunicorn, load, and print one table (`make bench`).

python -m bench.run            # the full run (~3 min); rewrites bench/RESULTS.md
python -m bench.run --smoke    # tiny and fast (<60 s): checks that the figures come out
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from app import create_app
from bench import caller_id, calls, figures, load, report, search
from bench.env import Database, bench_config, prepare_database, server_env
from bench.probes import build_probes, queries_per_request, sign_in
from bench.purchases import Plan, lock_overlap, postgres_active_ms, purchase_queries, run_clients
from bench.seed import add_team, create_account, sandbox_areas, sandbox_numbers
from bench.server import Layout, gunicorn, tail
from bench.web import (
    buy_row_bytes,
    capture,
    http_cookie,
    pages_ready,
    results_part,
    row_update_bytes,
)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...] = (10, 1000, 10_000)
    seconds: float = 5.0  # per row; wrk counts whole seconds
    warmup: float = 3.0  # at most: warm-up ends after a few requests per connection
    connections: int = 16
    purchase_clients: int = 20
    purchases_per_client: int = 20
    search_runs: int = 300
    cache_repeats: int = 50
    load_test: bool = True
    selection_seconds: float = 10.0  # caller-ID selections at 100 a second


SMOKE = Settings(
    sizes=(10, 100),
    seconds=1.0,
    warmup=2.0,
    connections=8,
    purchases_per_client=2,
    search_runs=30,
    cache_repeats=10,
    load_test=False,
    selection_seconds=1.0,
)


def measure(settings: Settings, workdir: Path, use_wrk: bool, layout: Layout) -> figures.Report:
    database = prepare_database(workdir)
    generator = "wrk" if use_wrk else "Python"
    progress(f"database: {database.note}; load: {generator}; {layout.describe()}")
    rep = figures.Report(database.note, generator, layout.describe(), settings.seconds)
    app = create_app(bench_config(database))
    probes, small = build_probes(app, settings.sizes)
    rep.has_pages = pages_ready(app, small)
    rep.probes = [p for p in probes if rep.has_pages or not p.signed_in]
    # Purchases: each HTTP client (one alone, a warm-up, then the crowd) buys for its own team.
    # One buyer user owns them all (one password hash to compute, not 24).
    counted = create_account(app, "Counted", "scale", "buyer@bench.example")
    overlap = add_team(app, counted, "Overlap", "scale")
    buyers = [
        add_team(app, counted, f"Buyers {i}", "scale") for i in range(settings.purchase_clients + 2)
    ]
    areas = iter(sandbox_areas())

    progress("queries per request (in-process, SQLAlchemy event listener)")
    count_queries(app, rep)
    warm, measured = sandbox_numbers(next(areas))[:2]
    rep.queries["purchase"] = purchase_queries(app, counted, measured, warm)
    if rep.has_pages:
        rep.buy_row_bytes = buy_row_bytes(app, small)
        rep.table_row_bytes = row_update_bytes(app, small)

    env = server_env(database)
    bare_dir = workdir / "bare"
    bare_dir.mkdir()
    run = (settings, bare_dir, use_wrk)
    progress("the app under load (gunicorn + the database)")
    cookies: dict = {}
    with gunicorn("wsgi:app", env, layout, workdir / "app.log") as server:
        pages = {p.account for p in rep.probes if p.signed_in}
        cookies.update({account: http_cookie(server.url, account) for account in pages})
        probe_all(server.url, [p for p in rep.probes if not p.uncached], cookies, rep, run)
    uncached = [p for p in rep.probes if p.uncached]
    if uncached:  # the same pages rendered each time: what a cache miss costs
        progress("pages rendered each time (PAGE_CACHE_SECONDS=0)")
        missing = {**env, "PAGE_CACHE_SECONDS": "0"}
        with gunicorn("wsgi:app", missing, layout, workdir / "uncached.log") as server:
            probe_all(server.url, uncached, cookies, rep, run)
    rep.results_only_bytes = results_part(bare_dir / "search-fragment.body")

    progress(f"purchases: 1 client, then {settings.purchase_clients} (sandbox, gunicorn)")
    rep.purchases = http_purchases(database, env, layout, workdir, buyers, areas, settings)

    progress("the bare endpoint under load (same bytes, same gunicorn layout)")
    bare_env = {**env, "BENCH_BARE_DIR": str(bare_dir)}
    with gunicorn("bench.bare:app", bare_env, layout, workdir / "bare.log") as server:
        for probe in rep.probes:
            request = load.Request(f"{server.url}/{probe.key}")
            rep.bare[probe.key] = drive(request, rep.shapes[probe.key], settings.warmup, use_wrk)

    progress("search service time and the Telnyx search cache (in-process)")
    rep.sandbox = search.sandbox_times(database, settings.search_runs)
    progress("call routing: call.initiated decided and commanded (in-process)")
    rep.calls = calls.decision_times(database, settings.search_runs)
    progress(f"caller-ID selection: {settings.selection_seconds:g} s at 100 req/s (in-process)")
    rep.caller_id = caller_id.selection_times(database, settings.selection_seconds, 100)
    rep.cache = search.telnyx_cache_times(database, 0.3, settings.cache_repeats)
    rep.overlap = lock_overlap(database, overlap, next(areas), delay=0.1)
    if settings.load_test:
        rep.load_test = load_test(workdir, layout)
    return rep


def probe_all(url: str, probes, cookies: dict, rep: figures.Report, run: tuple) -> None:
    """Each probe's answer kept for the bare endpoint, then the app under load for it."""
    settings, bare_dir, use_wrk = run
    for probe in probes:
        cookie = cookies.get(probe.account)
        rep.bytes[probe.key], single = capture(url, probe, cookie, bare_dir)
        shape = figures.RowLoad.for_request(single, settings.connections, settings.seconds)
        rep.shapes[probe.key] = shape
        request = load.Request(
            url + probe.path, probe.method, probe.all_headers(cookie), probe.encoded_body()
        )
        rep.app[probe.key] = drive(request, shape, settings.warmup, use_wrk)
        progress(f"  {probe.key}: {rep.app[probe.key].rps:,.1f}/s")


_STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:5.1f}s] {message}", flush=True)


def count_queries(app, rep: figures.Report) -> None:
    clients = {}
    for probe in rep.probes:
        client = clients.get((probe.account, probe.signed_in))
        if client is None:
            client = app.test_client()
            if probe.signed_in:
                sign_in(client, probe.account)
            clients[(probe.account, probe.signed_in)] = client
        kept = app.config["PAGE_CACHE_SECONDS"]
        app.config["PAGE_CACHE_SECONDS"] = 0 if probe.uncached else kept
        rep.queries[probe.key] = queries_per_request(app, client, probe)
        app.config["PAGE_CACHE_SECONDS"] = kept


def http_purchases(
    database: Database, env, layout: Layout, workdir: Path, buyers, areas, settings: Settings
) -> figures.Purchases:
    """One client alone, then all of them at once, each buying for its own Scale team."""
    per_client = settings.purchases_per_client
    solo = [Plan(buyers[0], sandbox_numbers(next(areas))[:per_client])]
    crowd = [Plan(b, sandbox_numbers(next(areas))[:per_client]) for b in buyers[1:-1]]
    # Backends report active_time when they disconnect: let the last server's report first.
    time.sleep(1)
    active_before = postgres_active_ms(database)
    with gunicorn("wsgi:app", env, layout, workdir / "purchase.log") as server:
        # Each client's list of numbers bounds a phase; the deadline is only a safety net.
        # Warm-up on 8 connections at once, so that every worker has served a purchase.
        spare = sandbox_numbers(next(areas))
        warm_up = [Plan(buyers[-1], spare[i * 2 : i * 2 + 2]) for i in range(8)]
        run_clients(server.url, warm_up, time.time() + 60)
        solo_answers, solo_seconds = run_clients(server.url, solo, time.time() + 60)
        cpu = server.workers_cpu_seconds()
        answers, seconds = run_clients(server.url, crowd, time.time() + 120)
        cpu = server.workers_cpu_seconds() - cpu
    time.sleep(1)  # the purchase server's backends report as they disconnect
    active_after = postgres_active_ms(database)
    active = None
    if active_before is not None and active_after is not None:
        active = (active_after - active_before) / (len(solo_answers) + len(answers) + 16)
    solo_rps = sum(a.status == 200 for a in solo_answers) / solo_seconds
    return figures.Purchases(answers, seconds, solo_rps, active, cpu / seconds)


def drive(
    request: load.Request, shape: figures.RowLoad, warmup: float, use_wrk: bool
) -> load.Result:
    # So that each worker has compiled its templates before the clock starts.
    load.warm_up(
        request, connections=shape.connections, each=1 if shape.drain else 3, seconds=warmup
    )
    result = load.drive(
        request,
        seconds=shape.seconds,
        max_requests=int(shape.seconds * 50_000),  # a safety bound: time ends a run
        connections=shape.connections,
        use_wrk=use_wrk,
    )
    time.sleep(shape.drain)
    return result


def load_test(workdir: Path, layout: Layout) -> list[str]:
    from bench import load_purchases

    progress("purchase load test: 200 purchases, 20 clients, 10 teams (fresh schema)")
    outcome = load_purchases.run(prepare_database(workdir), workdir, 200, 20, layout)
    if outcome.problems:
        raise SystemExit("load test broke an invariant:\n" + "\n".join(outcome.problems[:20]))
    return load_purchases.report(outcome)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The benchmark (bench/README.md).")
    parser.add_argument("--smoke", action="store_true", help="tiny and fast: checks it works")
    parser.add_argument("--load-generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--seconds", type=float, help="per row (default 5, smoke 1)")
    parser.add_argument("--workers", type=int, default=Layout.workers)
    parser.add_argument("--threads", type=int, default=Layout.threads)
    parser.add_argument("--results", type=Path, help=f"write here (full run default: {RESULTS})")
    args = parser.parse_args(argv)
    settings = SMOKE if args.smoke else Settings()
    if args.seconds:
        settings = replace(settings, seconds=args.seconds)
    if args.load_generator == "python":
        use_wrk = False
    elif args.load_generator == "wrk" or not args.smoke:
        use_wrk = load.ensure_wrk()  # the full run installs Debian's wrk if it may
    else:
        use_wrk = load.wrk_available()
    started, load_before = time.monotonic(), report.load_average()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        rep = measure(settings, Path(tmp), use_wrk, Layout(args.workers, args.threads))
        rep.elapsed, rep.load_before = time.monotonic() - started, load_before
        text = report.render(rep, smoke=args.smoke)
        print(text)
        problems = report.problems(rep)
        for log in sorted(Path(tmp).glob("*.log")) if problems else ():
            print(f"--- {log.name} (last lines) ---\n{tail(log)}", file=sys.stderr)
    target = args.results or (None if args.smoke else RESULTS)
    if target:
        target.write_text(report.results_file(text, rep))
        print(f"written to {target}")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
