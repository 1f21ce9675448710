"""Load test: 200 purchases from 20 concurrent clients across 10 teams, against gunicorn.

Afterwards no team exceeds its plan, no number is held twice, and every 200 answer matches a
row (and every held row a 200). Exits non-zero if any of that fails, so CI can run it:

    python -m bench.load_purchases [--purchases 200 --clients 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import HELD, PhoneNumber, Team
from app.plans.catalog import get_plan
from bench.env import Database, bench_config, prepare_database, server_env
from bench.purchases import Answer, Plan, percentile, run_clients
from bench.seed import Member, add_member, create_account, sandbox_numbers
from bench.server import Layout, gunicorn

# Some teams fill up (starter 3, growth 10 against 20 attempts each), scale teams do not.
TEAM_PLANS = ("starter", "starter", "starter", "growth", "growth", "growth") + ("scale",) * 4
# Every client draws from the same 200 numbers, so teams race for numbers, too.
AREAS = ("415", "212")
EXPECTED = {200: "success", 403: "plan_limit_reached", 409: "number_unavailable"}


@dataclass(frozen=True)
class Outcome:
    answers: list[Answer]
    seconds: float
    problems: list[str]
    held: dict[str, int]  # team id -> numbers held afterwards
    plans: dict[str, str]  # team id -> plan key
    clients: int


def run(database: Database, workdir: Path, purchases: int, clients: int, layout: Layout) -> Outcome:
    app = create_app(bench_config(database))
    teams = [
        create_account(app, f"Load team {i}", plan, f"load{i}@bench.example")
        for i, plan in enumerate(TEAM_PLANS)
    ]
    members = [
        teams[c]
        if c < len(teams)
        else add_member(app, teams[c % len(teams)].team_id, f"load{c}@bench.example")
        for c in range(clients)
    ]
    pool = [n for area in AREAS for n in sandbox_numbers(area)]
    per_client = [purchases // clients + (c < purchases % clients) for c in range(clients)]
    plans = [
        Plan(member, random.Random(20261124 + c).sample(pool, per_client[c]))
        for c, member in enumerate(members)
    ]
    with gunicorn("wsgi:app", server_env(database), layout, workdir / "load.log") as server:
        answers, seconds = run_clients(server.url, plans, deadline=time.time() + 120)
    held, problems = check(app, teams, answers, purchases)
    plan_of = {t.team_id: plan for t, plan in zip(teams, TEAM_PLANS, strict=False)}
    return Outcome(answers, seconds, problems, held, plan_of, clients)


def check(app, teams: list[Member], answers: list[Answer], purchases: int):
    """The invariants; (held per team, problems found)."""
    problems = []
    if len(answers) != purchases:
        problems.append(f"{len(answers)} of {purchases} purchases were answered")
    for answer in answers:
        code = answer.body.get("error", {}).get("code") if answer.status != 200 else "success"
        if EXPECTED.get(answer.status) != code:
            problems.append(f"{answer.phone_number}: {answer.status} {answer.body}")
    with app.app_context():
        rows = db.session.scalars(sa.select(PhoneNumber).where(PhoneNumber.status.in_(HELD))).all()
        plans = {t.team_id: db.session.get(Team, t.team_id).plan for t in teams}
    held = Counter(row.team_id for row in rows)
    for team_id, count in held.items():
        if count > get_plan(plans[team_id]).max_numbers:
            problems.append(f"{team_id} holds {count}, over its {plans[team_id]} plan")
    doubles = [n for n, count in Counter(row.phone_number for row in rows).items() if count > 1]
    problems += [f"{number} is held twice" for number in doubles]
    by_id = {row.id: row for row in rows}
    ok = [a for a in answers if a.status == 200]
    for answer in ok:
        row = by_id.get(answer.body["phoneNumber"]["id"])
        if row is None or (row.team_id, row.phone_number, row.status) != (
            answer.team_id,
            answer.phone_number,
            answer.body["phoneNumber"]["status"],
        ):
            problems.append(f"200 for {answer.phone_number} does not match a row: {row}")
    if len(rows) != len(ok):
        problems.append(f"{len(rows)} numbers held but {len(ok)} purchases answered 200")
    return {t.team_id: held[t.team_id] for t in teams}, problems


def report(outcome: Outcome) -> list[str]:
    statuses = Counter(a.status for a in outcome.answers)
    times = [a.ms for a in outcome.answers]
    full = sum(outcome.held[t] == get_plan(p).max_numbers for t, p in outcome.plans.items())
    by_plan = Counter()
    for team_id, plan in outcome.plans.items():
        by_plan[plan] += outcome.held[team_id]
    return [
        f"{len(outcome.answers)} purchases from {outcome.clients} clients across "
        f"{len(outcome.plans)} teams in {outcome.seconds:.1f} s "
        f"({len(outcome.answers) / outcome.seconds:.0f}/s): "
        + ", ".join(f"{n}× {s}" for s, n in sorted(statuses.items())),
        f"latency p50 {percentile(times, 50):.0f} ms, p99 {percentile(times, 99):.0f} ms",
        f"{full} of {len(outcome.plans)} teams at their plan's limit; numbers held by plan: "
        + ", ".join(f"{plan} {n}" for plan, n in sorted(by_plan.items())),
        "invariants: "
        + ("all hold" if not outcome.problems else f"{len(outcome.problems)} broken"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--purchases", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        database = prepare_database(Path(tmp))
        print(f"load test on {database.note}, {Layout().describe()}")
        outcome = run(database, Path(tmp), args.purchases, args.clients, Layout())
    print("\n".join(report(outcome)))
    for problem in outcome.problems[:20]:
        print(f"  BROKEN: {problem}", file=sys.stderr)
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())
