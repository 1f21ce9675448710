"""Health alerts: raised once when a number's spam risk rises or it calls past its ramp, not
on every sweep that sees the same state again.

The once is kept in the number's health row, read under a row lock: `alerted_risk` (the
highest risk alerted since the number was last low) and `over_ramp` (over at the last count).
An alert writes History and the `number.health_alert` webhook event in the transaction that
changes the row, then emails the team's owners and admins (each email a job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import audit, events
from app.accounts.roles import Permission, roles_with
from app.events import payloads
from app.extensions import db
from app.links import external_url
from app.mail import outgoing
from app.mail.sending import Email
from app.models import Membership, NumberHealth, PhoneNumber, Team, User
from app.phone import national

RANK = {"low": 0, "medium": 1, "high": 2}
HEALTH_ALERT = "health_alert"


@dataclass(frozen=True)
class Alert:
    kind: str  # risk | ramp
    detail: str
    risk: str
    calls_today: int | None = None
    ramp_limit: int | None = None


def after_reading(number: PhoneNumber, health: NumberHealth, now: datetime) -> Alert | None:
    """A risk above what was last alerted raises an alert; back to low ends it. Unknown (no
    reading) changes nothing."""
    risk = health.risk
    if risk == "low":
        health.alerted_risk = None
        if health.alert == "risk":
            _close(health)
        return None
    if risk not in RANK or RANK[risk] <= RANK.get(health.alerted_risk or "low", 0):
        return None
    health.alerted_risk = risk
    category = f" ({health.category})" if health.category else ""
    alert = Alert("risk", f"Spam risk rose to {risk}{category}.", risk)
    _open(number, health, alert, now)
    return alert


def after_count(
    number: PhoneNumber, health: NumberHealth, calls: int, limit: int, now: datetime
) -> Alert | None:
    """Over the ramp raises an alert on the way over; under it again ends it."""
    over = calls > limit
    was, health.over_ramp = health.over_ramp, over
    if not over:
        if health.alert == "ramp":
            _close(health)
        return None
    if was:
        return None
    alert = Alert(
        "ramp",
        f"{calls} calls today, over the warm-up ramp of {limit} a day for its age.",
        health.risk,
        calls,
        limit,
    )
    _open(number, health, alert, now)
    return alert


def _open(number: PhoneNumber, health: NumberHealth, alert: Alert, now: datetime) -> None:
    # A risk alert outranks a ramp one on the card; a new ramp alert does not hide it.
    if not (alert.kind == "ramp" and health.alert == "risk"):
        health.alert, health.alert_detail, health.alert_at = alert.kind, alert.detail, now
    audit.record(
        number.team_id,
        None,
        audit.Action.HEALTH_ALERT,
        subject_id=number.id,
        subject=number.phone_number,
        after={"kind": alert.kind, "detail": alert.detail, "risk": alert.risk},
    )
    events.emit(
        number.team_id,
        "number.health_alert",
        payloads.number(
            number,
            alert=alert.kind,
            risk=alert.risk,
            detail=alert.detail,
            callsToday=alert.calls_today,
            rampLimit=alert.ramp_limit,
        ),
    )


def _close(health: NumberHealth) -> None:
    health.alert = health.alert_detail = health.alert_at = None
    if health.alerted_risk and health.risk in ("medium", "high"):
        # The ramp cleared; the risk it may have shared the card with is still open.
        health.alert, health.alert_detail = "risk", f"Spam risk is {health.risk}."


def tell_people(number: PhoneNumber, alert: Alert) -> int:
    """Email the team's owners and admins (after the alert committed)."""
    people = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.team_id == number.team_id,
            # Those who can Rest or Replace it: owners and admins.
            Membership.role.in_(roles_with(Permission.MANAGE_ASSISTANTS)),
        )
        .order_by(User.id)
    ).all()
    for person in people:
        outgoing.queue(
            HEALTH_ALERT,
            person.email,
            name=person.name or person.email,
            number_id=number.id,
            detail=alert.detail,
        )
    return len(people)


@outgoing.composer(HEALTH_ALERT)
def health_alert_email(to: str, name: str, number_id: str, detail: str) -> Email | None:
    from app.mail import messages

    number = db.session.get(PhoneNumber, number_id)
    if number is None:
        return None
    team = db.session.get(Team, number.team_id)
    page = external_url("dashboard.number_page", team_id=team.id, number_id=number.id)
    return messages.health_alert(to, name, team.name, national(number.phone_number), detail, page)
