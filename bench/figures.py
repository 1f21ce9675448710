"""The benchmark's figures, gathered as the run goes."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.load import Result
from bench.purchases import Answer, Overlap, percentile
from bench.search import CacheTimes, SandboxTimes


@dataclass(frozen=True)
class RowLoad:
    """How hard to push one row, from how long one request takes (the same for its bare twin).

    16 connections on a 3-second page would queue 25 s of work per request on two cores:
    nothing would finish inside the window, and the leftovers would slow the next row.
    """

    connections: int
    seconds: float
    drain: float  # pause after the run, so requests wrk gave up on finish first

    @classmethod
    def for_request(cls, single: float, connections: int, seconds: float) -> RowLoad:
        if single < 0.1:
            return cls(connections, seconds, 0.0)
        if single < 1.0:
            return cls(min(4, connections), seconds, single)
        return cls(2, min(max(seconds, 4 * single), 15.0), single)


@dataclass
class Purchases:
    answers: list[Answer]  # the concurrent clients'
    seconds: float
    solo_rps: float  # one client alone, same server
    db_active_ms: float | None  # PostgreSQL's active_time per purchase
    workers_cores: float  # gunicorn workers' CPU seconds per second while the clients ran

    @property
    def ok(self) -> int:
        return sum(a.status == 200 for a in self.answers)

    @property
    def clients(self) -> int:
        return len({a.team_id for a in self.answers})

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def latency(self, percent: int) -> float:
        return percentile([a.ms for a in self.answers], percent)


@dataclass
class Report:
    database: str
    generator: str
    layout: str
    seconds: float
    has_pages: bool = True
    probes: list = field(default_factory=list)
    queries: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    shapes: dict[str, RowLoad] = field(default_factory=dict)  # how each row was loaded
    app: dict[str, Result] = field(default_factory=dict)
    bare: dict[str, Result] = field(default_factory=dict)
    purchases: Purchases | None = None
    buy_row_bytes: int | None = None
    table_row_bytes: int | None = None  # an assistant picked in a row of the table
    results_only_bytes: int | None = None  # the search fragment's results part alone
    sandbox: SandboxTimes | None = None
    calls: object | None = None  # bench.calls.DecisionTimes
    caller_id: object | None = None  # bench.caller_id.SelectionTimes
    cache: list[CacheTimes] = field(default_factory=list)
    overlap: Overlap | None = None
    load_test: list[str] | None = None
    elapsed: float = 0.0
    load_before: str = ""

    def slowdown(self, key: str) -> float | None:
        app, bare = self.app.get(key), self.bare.get(key)
        return bare.rps / app.rps if app and bare and app.rps else None


def kb(size: int | None) -> str:
    if size is None:
        return "—"
    return f"{size} B" if size < 1000 else f"{size / 1000:,.1f} kB"


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"
