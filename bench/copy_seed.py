"""Seeding by COPY for the scale step: teams, each with an owner, an assistant and ten
numbers (one released, a Free team's first a live trial), as fast as PostgreSQL loads them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from app.models.numbers import name_key
from bench.env import Database
from bench.seed import Member

PER_TEAM = 10
PLANS = ("free", "starter", "growth", "scale")
SYNTHETIC = "S"  # ids of seeded rows: SYNTHETIC then digits, valid ids (Crockford) of their own

AVA_KEY = name_key("Ava")  # the stored key that keeps names unique whatever their case


def copy_teams(database: Database, probe: Member, teams: range) -> None:
    """Teams (each with an owner, an assistant and ten numbers) by COPY, one transaction."""
    engine = database.engine()
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            now = datetime.now(UTC)
            for table, columns, lines in _tables(probe, teams, now):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for chunk in _chunks(lines):
                        copy.write(chunk)
        raw.driver_connection.commit()
        with raw.driver_connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        raw.driver_connection.commit()
    finally:
        raw.close()
        engine.dispose()


def _tables(probe: Member, teams: range, now: datetime):
    stamp = now.isoformat()
    others = [t for t in teams if t != 0]  # team 0 is the probe, made through the services
    yield (
        "teams",
        "id, name, plan, purchase_seq, version, created_at",
        (f"{_id('team', t)}\tTeam {t}\t{PLANS[t % 4]}\t0\t0\t{stamp}\n" for t in others),
    )
    yield (
        "users",
        "id, email, name, password_hash, created_at",
        (f"{_id('usr', t)}\tscale{t}@scale.example\tOwner {t}\t!\t{stamp}\n" for t in others),
    )
    yield (
        "memberships",
        "user_id, team_id, role, created_at",
        (f"{_id('usr', t)}\t{_id('team', t)}\towner\t{stamp}\n" for t in others),
    )
    yield (
        "assistants",
        "id, team_id, name, name_key, created_at",
        (f"{_id('asst', t)}\t{_team(probe, t)}\tAva\t{AVA_KEY}\t{stamp}\n" for t in teams),
    )
    yield (
        "phone_numbers",
        "id, team_id, phone_number, provider, provider_number_id, customer_reference, "
        "number_type, country_code, status, is_trial, trial_expires_at, features, label, "
        "assistant_id, created_by_id, created_at, activated_at, released_at",
        _numbers(probe, teams, now),
    )


def _numbers(probe: Member, teams: range, now: datetime) -> Iterator[str]:
    later = (now + timedelta(days=3)).isoformat()
    for t in teams:
        team, user, assistant = _team(probe, t), _id("usr", t), _id("asst", t)
        if t == 0:  # the probe team gets the first ten numbers: a team like every other
            user = probe.user_id
        for j in range(PER_TEAM):
            g = t * PER_TEAM + j
            number = seeded_number(g)
            status = "released" if j == PER_TEAM - 1 else "active"
            trial = PLANS[t % 4] == "free" and j == 0
            created = (now - timedelta(minutes=g)).isoformat()
            yield (
                "\t".join(
                    (
                        _id("pn", g),
                        team,
                        number,
                        "sandbox",
                        f"sandbox-{number[1:]}",
                        f"pnr_scale_{g}",
                        "local",
                        "US",
                        status,
                        "t" if trial else "f",
                        later if trial else "\\N",
                        "[]",
                        f"Line {j}" if j % 3 == 0 else "\\N",
                        assistant if j % 2 else "\\N",
                        user,
                        created,
                        created,
                        created if status == "released" else "\\N",
                    )
                )
                + "\n"
            )


def _chunks(lines: Iterator[str], size: int = 1 << 20) -> Iterator[bytes]:
    buffer = io.StringIO()
    for line in lines:
        buffer.write(line)
        if buffer.tell() >= size:
            yield buffer.getvalue().encode()
            buffer = io.StringIO()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _team(probe: Member, index: int) -> str:
    return probe.team_id if index == 0 else _id("team", index)


def _id(prefix: str, index: int) -> str:
    return f"{prefix}_{SYNTHETIC}{index:025d}"


def seeded_number(g: int) -> str:
    """A million distinct numbers in the 556 exchange (never the sandbox's 555 lines)."""
    return f"+1{200 + g // 10_000}556{g % 10_000:04d}"
