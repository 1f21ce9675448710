"""The health card of one number, as the page and the API show it (one shape for both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.caller_names.lifecycle import caller_name_line
from app.extensions import db
from app.health.ramp import age_days, calls_today, ramp_limit, ramp_stage
from app.models import HealthCheck, NumberHealth, NumberStatus, PhoneNumber
from app.timefmt import iso

HISTORY = 10  # checks shown on the card


def attestation(number: PhoneNumber, now: datetime) -> tuple[str | None, str]:
    """The STIR/SHAKEN attestation calls from the number should carry, and why."""
    if number.effective_status(now) != NumberStatus.ACTIVE and not number.release_scheduled:
        return None, "None yet: the number is not active."
    return "A", (
        "Full (A): the team holds the number through us, so calls placed through us are "
        "signed as coming from its owner. Calls placed through another carrier get what "
        "that carrier gives (often B)."
    )


def health_of(number: PhoneNumber) -> NumberHealth | None:
    return db.session.get(NumberHealth, number.id)


def health_card(number: PhoneNumber, now: datetime) -> dict[str, Any]:
    health = health_of(number)
    age = age_days(number, now)
    usage = calls_today([number.id], now)[number.id]
    limit = ramp_limit(age)
    grade, why = attestation(number, now)
    checks = db.session.scalars(
        sa.select(HealthCheck)
        .where(HealthCheck.phone_number_id == number.id)
        .order_by(HealthCheck.checked_at.desc(), HealthCheck.id.desc())
        .limit(HISTORY)
    ).all()
    resting = health is not None and health.rest_until is not None and health.rest_until > now
    return {
        "phoneNumberId": number.id,
        "ageDays": age,
        "since": iso(number.activated_at or number.created_at),
        "calls": {
            "today": usage.calls,
            "source": usage.source,
            "rampLimit": limit,
            "rampStage": ramp_stage(age),
            "overRamp": usage.calls > limit,
        },
        "attestation": {"expected": grade, "why": why},
        "callerName": caller_name_line(number),
        "spamRisk": {
            "risk": health.risk if health else "unknown",
            "category": health.category if health else None,
            "outcome": health.check_outcome if health else None,
            "checkedAt": iso(health.checked_at) if health else None,
        },
        "alert": (
            {"kind": health.alert, "detail": health.alert_detail, "at": iso(health.alert_at)}
            if health and health.alert
            else None
        ),
        "restUntil": iso(health.rest_until) if resting else None,
        "history": [
            {
                "checkedAt": iso(check.checked_at),
                "outcome": check.outcome,
                "risk": check.risk,
                "category": check.category,
                "detail": check.detail,
            }
            for check in checks
        ],
    }


@dataclass(frozen=True)
class NumberBadge:
    alert: str | None
    detail: str | None
    resting: bool


def team_badges(team_id: str, now: datetime) -> dict[str, NumberBadge]:
    """The team's numbers with an open alert or a rest (few): the Numbers list's badges."""
    rows = db.session.scalars(
        sa.select(NumberHealth).where(
            NumberHealth.team_id == team_id,
            sa.or_(NumberHealth.alert.is_not(None), NumberHealth.rest_until > now),
        )
    )
    return {
        row.phone_number_id: NumberBadge(
            row.alert, row.alert_detail, row.rest_until is not None and row.rest_until > now
        )
        for row in rows
    }
