"""Scale: the list, the held-number checks and the plan count on 1,000,000 numbers.

The bench database is seeded by COPY, first small (100 teams, 1,000 numbers), where each
read is timed in-process; then grown to 100,000 teams and 1,000,000 numbers (ten a team,
one of them released, so history is there too), timed again, and each read's SQL (captured
as the app sends it) run under EXPLAIN (ANALYZE, BUFFERS). bench/SCALE.md keeps the plans.
Only in the full run: seeding takes about a minute, bounded by SEED_DEADLINE.

python -m bench.scale     # this step alone (PostgreSQL only); rewrites bench/SCALE.md
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.accounts.tokens import holder_for_token
from app.extensions import db
from app.models import utcnow
from app.numbers.queries import (
    ListQuery,
    held_numbers,
    list_state,
    purchase_check,
    team_number_rows,
)
from app.plans.rules import held_count
from bench.copy_seed import PER_TEAM, copy_teams, seeded_number
from bench.env import Database, bench_config, prepare_database
from bench.seed import Member, create_account

SCALE_FILE = Path(__file__).resolve().parent / "SCALE.md"
TEAMS = 100_000
SMALL_TEAMS = 100
SEED_DEADLINE = 300.0  # seconds: seeding stops (and says so) past it
RUNS = 300  # timed calls per read and size; the median is reported
RATIO_TARGET = 1.5


@dataclass(frozen=True)
class Read:
    name: str
    call: Callable[[], object]


@dataclass
class Timing:
    name: str
    small_ms: float = 0.0
    large_ms: float = 0.0
    plan: str = ""

    @property
    def ratio(self) -> float:
        return self.large_ms / self.small_ms if self.small_ms else float("inf")

    @property
    def on_index(self) -> bool:
        """The plan reaches phone_numbers through an index, never a sequential scan."""
        return "Seq Scan on phone_numbers" not in self.plan and "Index" in self.plan


@dataclass
class Scale:
    teams: int = 0
    numbers: int = 0
    seed_seconds: float = 0.0
    note: str = ""
    timings: list[Timing] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.timings) and all(
            t.on_index and t.ratio <= RATIO_TARGET for t in self.timings
        )


def run(workdir: Path, progress: Callable[[str], None] = print, teams: int = TEAMS) -> Scale:
    """Seed, time and explain; `teams` smaller than TEAMS only checks the step works (smoke)."""
    database = prepare_database(workdir)
    if not database.is_postgres:
        return Scale(note=f"not measured: {database.note}")
    app = create_app(bench_config(database))
    probe = create_account(app, "Probe", "growth", "probe@scale.example")
    scale, started = Scale(), time.monotonic()
    copy_teams(database, probe, range(0, SMALL_TEAMS))
    reads = _reads(app, probe)
    progress(f"scale: {SMALL_TEAMS * PER_TEAM:,} numbers seeded; timing the reads")
    scale.timings = [Timing(r.name, small_ms=_median_ms(app, r)) for r in reads]
    deadline = started + SEED_DEADLINE
    done = _grow(database, probe, SMALL_TEAMS, teams, deadline, progress)
    scale.teams, scale.numbers = done + 1, (done + 1) * PER_TEAM
    scale.seed_seconds = time.monotonic() - started
    if done < teams - 1:
        scale.note = f"seeding stopped at its {SEED_DEADLINE:.0f} s bound"
    progress(f"scale: {scale.numbers:,} numbers in {scale.seed_seconds:.0f} s; timing again")
    for timing, read in zip(scale.timings, reads, strict=True):
        timing.large_ms = _median_ms(app, read)
        timing.plan = _explain(app, read)
    with app.app_context():
        db.engine.dispose()
    return scale


def _reads(app: Flask, probe: Member) -> list[Read]:
    """What every list, search and purchase asks the database, as the app asks it."""
    team = probe.team_id
    # Twenty candidates as a search offers them: two are held (one by the probe), the rest free.
    candidates = [
        seeded_number(1),
        seeded_number(15),
        *(f"+1415555{line:04d}" for line in range(200, 218)),
    ]
    return [
        Read("token, user, team and role (one query)", lambda: holder_for_token(probe.token, team)),
        Read("the list: a team's numbers", lambda: team_number_rows(ListQuery(team))),
        Read("the list, page 1 (limit 100)", lambda: team_number_rows(ListQuery(team, 101))),
        Read("held-number check: 20 search results", lambda: held_numbers(candidates)),
        Read(
            "purchase check: holder and plan count",
            lambda: purchase_check(team, seeded_number(3), utcnow()),
        ),
        Read("plan count (held_count)", lambda: held_count(team)),
        Read("page state: plan count, orders completing", lambda: list_state(team, utcnow())),
    ]


def _median_ms(app: Flask, read: Read) -> float:
    with app.app_context():
        for _ in range(20):  # warm: statement caches, the buffer cache
            read.call()
            db.session.rollback()
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            read.call()
            times.append(time.perf_counter() - start)
            db.session.rollback()
    return statistics.median(times) * 1000


def _explain(app: Flask, read: Read) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the statement the read sends, with its own parameters."""
    captured: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine

        def record(_conn, _cursor, statement, parameters, *_args):
            if statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            read.call()
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        db.session.rollback()
        statement, parameters = captured[-1]
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
            ).all()
    return "\n".join(row[0] for row in rows)


def _grow(database: Database, probe: Member, start: int, end: int, deadline: float, progress):
    """COPY teams start..end in batches until the deadline; the last team index seeded."""
    batch = 10_000
    done = start - 1
    for first in range(start, end, batch):
        if time.monotonic() > deadline:
            break
        last = min(first + batch, end)
        copy_teams(database, probe, range(first, last))
        done = last - 1
        progress(f"scale: {(done + 1) * PER_TEAM:,} numbers")
    with database.engine().connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return done


def markdown(scale: Scale) -> str:
    """bench/SCALE.md: the table, then each read's plan."""
    lines = [
        "# Scale: 1,000,000 numbers",
        "",
        "Written by `make bench` (or `python -m bench.scale`); bench/README.md says how.",
        "",
    ]
    if not scale.timings:
        return "\n".join([*lines, scale.note, ""])
    lines += [
        f"{scale.teams:,} teams and {scale.numbers:,} numbers seeded by COPY in "
        f"{scale.seed_seconds:.0f} s{f' ({scale.note})' if scale.note else ''}. Each read is "
        f"the app's own function, in-process, median of {RUNS} calls, against "
        f"{SMALL_TEAMS * PER_TEAM:,} numbers and then {scale.numbers:,}.",
        "",
        f"| read | {SMALL_TEAMS * PER_TEAM:,} numbers | {scale.numbers:,} numbers | ratio "
        f"| index | verdict (≤ {RATIO_TARGET:g}×, on an index) |",
        "|---|---:|---:|---:|---|---|",
    ]
    for t in scale.timings:
        verdict = "PASS" if t.on_index and t.ratio <= RATIO_TARGET else "MISS"
        lines.append(
            f"| {t.name} | {t.small_ms:.3f} ms | {t.large_ms:.3f} ms | {t.ratio:.2f}× "
            f"| {'yes' if t.on_index else 'NO'} | {verdict} |"
        )
    lines += ["", "## Plans at full size", ""]
    for t in scale.timings:
        lines += [f"### {t.name}", "", "```", t.plan, "```", ""]
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        scale = run(Path(tmp))
    SCALE_FILE.write_text(markdown(scale))
    print(markdown(scale).split("## Plans")[0])
    print(f"written to {SCALE_FILE}")
    return 0 if scale.passed else 1


if __name__ == "__main__":
    sys.exit(main())
