"""The benchmark's table, what fails a run, and bench/RESULTS.md."""

from __future__ import annotations

import importlib.metadata
import platform
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime

import gunicorn
import sqlalchemy

from bench.figures import Report, kb, row
from bench.targets import PURCHASE_STATEMENTS, purchase_verdict, row_goal, targets

HEADER = (
    "Endpoint",
    "Numbers",
    "Bytes",
    "Conns",
    "req/s",
    "p50 ms",
    "p99 ms",
    "Queries/req",
    "Bare req/s",
    "Bare ÷ app",
    "Goal",
    "Verdict",
)


def table(rep: Report) -> list[str]:
    lines = [row(*HEADER), "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for probe in rep.probes:
        app, bare, slow = rep.app[probe.key], rep.bare[probe.key], rep.slowdown(probe.key)
        lines.append(
            row(
                probe.label,
                f"{probe.rows:,}",
                kb(rep.bytes[probe.key]),
                rep.shapes[probe.key].connections,
                f"{app.rps:,.0f}" if app.rps >= 10 else f"{app.rps:.1f}",
                f"{app.p50_ms:.1f}",
                f"{app.p99_ms:.1f}",
                rep.queries[probe.key],
                f"{bare.rps:,.0f}",
                f"{slow:.1f}×" if slow else "—",
                *row_goal(probe.key, slow),
            )
        )
    if not rep.has_pages:
        todo = "TODO: Numbers page, Search page, htmx fragments (not built yet)"
        lines.append(row(todo, *["—"] * (len(HEADER) - 1)))
    if rep.purchases:
        buy = rep.purchases
        label = f"POST /api/phone-numbers/purchase (sandbox, {buy.clients} clients)"
        lines.append(
            row(
                label,
                1,
                "—",
                buy.clients,
                f"{buy.rps:,.0f}",
                f"{buy.latency(50):.1f}",
                f"{buy.latency(99):.1f}",
                rep.queries.get("purchase", "—"),
                "—",
                "—",
                f"≤ {PURCHASE_STATEMENTS} queries, bound by the database",
                purchase_verdict(rep),
            )
        )
    return lines


def render(rep: Report, smoke: bool = False) -> str:
    head = (
        f"{rep.layout}; {rep.database}; load generator {rep.generator}: {rep.seconds:g} s a row "
        "after a warm-up, fewer connections (Conns) and up to 15 s for rows whose single "
        "request takes over 0.1 s / 1 s, the same for the bare endpoint; queries counted "
        "in-process" + (". SMOKE run: tiny sizes and short runs, not comparable" if smoke else "")
    )
    lines = [head, "", *table(rep), "", row("Target", "Measured", "Verdict"), "|---|---|---|"]
    lines += [row(*t) for t in targets(rep)]
    if rep.load_test:
        lines += ["", "Purchase load test (`python -m bench.load_purchases`):", ""]
        lines += [f"- {line}" for line in rep.load_test]
    lines += ["", f"Run took {rep.elapsed:.0f} s; load average before it: {rep.load_before}."]
    return "\n".join(lines)


def problems(rep: Report) -> list[str]:
    """What fails the run: figures that did not come out. A missed target does not."""
    found = []
    for where, results in (("app", rep.app), ("bare", rep.bare)):
        for key, result in results.items():
            if result.requests == 0 or result.failures:
                found.append(f"{where} {key}: {result.requests} answered, {result.failures} failed")
    buy = rep.purchases
    if buy is None or not buy.ok or buy.ok != len(buy.answers) or not buy.solo_rps:
        answers = buy.answers if buy else []
        statuses = Counter(a.status for a in answers)
        failed = next((a for a in answers if a.status != 200), None)
        found.append(
            f"the purchases did not all succeed: statuses {dict(statuses)}, solo "
            f"{buy.solo_rps if buy else 0:.0f}/s; first failure: {failed}"
        )
    if rep.sandbox is None or not rep.sandbox.results:
        found.append("the sandbox search found nothing")
    for cache in rep.cache:
        if cache.provider_requests != 1 or cache.speedup <= 1:
            found.append(f"{cache.cache}: {cache.provider_requests} provider searches, not 1")
    if rep.overlap is None or rep.overlap.bought != rep.overlap.clients:
        found.append("the lock-scope purchases did not all succeed")
    return found


def load_average() -> str:
    try:
        with open("/proc/loadavg") as loadavg:
            return " ".join(loadavg.read().split()[:3])
    except OSError:
        return "unknown"


def _command(*command: str) -> str:
    if not shutil.which(command[0]):
        return f"{command[0]}: not installed"
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).rstrip()


def machine(rep: Report) -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _command("lscpu").splitlines()
            if line.startswith("Model name")
        ),
        platform.processor() or "unknown",
    )
    versions = (
        f"gunicorn {gunicorn.__version__}, Flask {importlib.metadata.version('flask')}, "
        f"SQLAlchemy {sqlalchemy.__version__}, psycopg {importlib.metadata.version('psycopg')}"
    )
    return [
        f"- `nproc`: {_command('nproc')} ({cpu})",
        f"- `free -h`:\n\n```\n{_command('free', '-h')}\n```\n",
        f"- Python {platform.python_version()} on {platform.system()} {platform.release()}",
        f"- {rep.database}",
        f"- {_command('wrk', '--version').splitlines()[0]}",
        f"- {versions}",
        f"- load average when the run started: {rep.load_before} (other work on the machine "
        "slows both the app and the bare endpoint; the ratios suffer less than the rates)",
    ]


def results_file(text: str, rep: Report) -> str:
    commit = _command("git", "rev-parse", "--short", "HEAD")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    intro = (
        f"The latest full run of `make bench` (`python -m bench.run`), {when}, on commit {commit} "
        "plus the working tree at the time. Rerun with `make bench`, which rewrites this file; "
        "bench/README.md says what each figure means."
    )
    return "\n".join(
        [
            "# Benchmark results",
            "",
            intro,
            "",
            "## Machine",
            "",
            *machine(rep),
            "",
            "## Results",
            "",
            text,
            "",
        ]
    )
