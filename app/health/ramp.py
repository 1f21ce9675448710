"""The warm-up ramp: how many outbound calls a day a number may place at its age, and how many
it placed today.

Why a ramp: the call-analytics engines behind "Spam Likely" labels (Hiya, First Orion, TNS)
score a number partly on its age and on how its volume grows; Telnyx's reputation feed
reports this as the number's `maturity_score` (developers.telnyx.com, Number Reputation,
"Phone Number Reputation"). A new number that jumps to hundreds of calls a day looks like a
number bought to burn, so it is ramped up over its first month and then held at a steady
volume a person-staffed line could place. The table is ours, conservative on purpose; a
team that calls more spreads the volume over a bigger pool (campaigns' daily caps).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

import sqlalchemy as sa

from app.extensions import db
from app.models import Call, CampaignNumber, PhoneNumber

# (first day of age, last day or None for "from then on", outbound calls a day at most)
RAMP: tuple[tuple[int, int | None, int], ...] = (
    (1, 7, 20),
    (8, 14, 50),
    (15, 30, 100),
    (31, None, 150),
)


def age_days(number: PhoneNumber, now: datetime) -> int:
    """Day 1 is the first 24 hours after the number became active (or was bought)."""
    since = number.activated_at or number.created_at
    return max(0, (now - since).days) + 1


def ramp_limit(age: int) -> int:
    for first, last, limit in RAMP:
        if age >= first and (last is None or age <= last):
            return limit
    return RAMP[0][2]  # age 0 or less cannot happen; the strictest step if it does


def ramp_stage(age: int) -> str:
    for first, last, _limit in RAMP:
        if age >= first and (last is None or age <= last):
            return f"days {first}–{last}" if last else f"day {first} on"
    return f"days {RAMP[0][0]}–{RAMP[0][1]}"


@dataclass(frozen=True)
class Usage:
    calls: int
    source: str  # call_log | campaign | none


def start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)


def calls_today(number_ids: list[str], now: datetime) -> dict[str, Usage]:
    """Each number's outbound calls today (UTC): from the call log where it has any, else
    the campaign selector's count (a team placing calls elsewhere asks it once per call)."""
    if not number_ids:
        return {}
    logged = dict(
        db.session.execute(
            sa.select(Call.phone_number_id, sa.func.count())
            .where(
                Call.phone_number_id.in_(number_ids),
                Call.direction == "outbound",
                Call.is_test.is_(False),
                Call.started_at >= start_of_day(now),
            )
            .group_by(Call.phone_number_id)
        ).all()
    )
    chosen = dict(
        db.session.execute(
            sa.select(CampaignNumber.phone_number_id, CampaignNumber.used_today).where(
                CampaignNumber.phone_number_id.in_(number_ids),
                CampaignNumber.used_on == now.astimezone(UTC).date(),
            )
        ).all()
    )
    usage = {}
    for number_id in number_ids:
        if logged.get(number_id):
            usage[number_id] = Usage(logged[number_id], "call_log")
        elif chosen.get(number_id):
            usage[number_id] = Usage(chosen[number_id], "campaign")
        else:
            usage[number_id] = Usage(0, "none")
    return usage


def busy_today(now: datetime) -> list[str]:
    """The numbers that placed a call today by either count: the only ones a ramp sweep reads."""
    logged = sa.select(Call.phone_number_id).where(
        Call.phone_number_id.is_not(None),
        Call.direction == "outbound",
        Call.is_test.is_(False),
        Call.started_at >= start_of_day(now),
    )
    chosen = sa.select(CampaignNumber.phone_number_id).where(
        CampaignNumber.used_on == now.astimezone(UTC).date(), CampaignNumber.used_today > 0
    )
    return list(db.session.scalars(sa.union(logged, chosen)))
