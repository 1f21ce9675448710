"""Changing a team's guardrails (owners only), and how they read in the API.

Amounts are USD strings like every price in the API ("50.00"); each bad one is named in
`fields`. A change is a line in History and moves the team's version (the pages show it).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor, Permission
from app.exceptions import ValidationFailed
from app.extensions import db
from app.guardrails.rules import Limits, Spending, money
from app.models import Team

MAX_AMOUNT = Decimal("1000000.00")
_AMOUNT = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?")
# Exactly what the server takes, for the OpenAPI document: "" (none), or an amount from 0.01
# to 1000000.00 with at most two decimals and no leading zeros.
AMOUNT_PATTERN = r"^((?=[0.]*[1-9])(0|[1-9][0-9]{0,5})(\.[0-9]{1,2})?|1000000(\.0{1,2})?)?$"
# The API's names, and the team's columns they set.
FIELDS = {
    "monthlySpendCap": "spend_cap",
    "approvalRequired": "approval_required",
    "approvalAbove": "approval_above",
}
AMOUNT_HINT = 'Write an amount in US dollars with at most two decimals, such as "50.00".'


def parse_guardrails(body: dict[str, Any]) -> dict[str, Any]:
    """The changes a request asks for, as column values; ValidationFailed naming each bad field.

    Every field is optional (what is not sent stays as it is); null or "" clears an amount.
    """
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    for name, column in FIELDS.items():
        if name not in body:
            continue
        value = body[name]
        if name == "approvalRequired":
            if not isinstance(value, bool):
                errors[name] = "approvalRequired must be true or false."
            changes[column] = value
        else:
            changes[column] = _amount(value, name, errors)
    if errors:
        raise ValidationFailed(errors)
    if not changes:
        raise ValidationFailed({}, f"Send at least one of {', '.join(FIELDS)}.")
    return changes


def _amount(value: object, name: str, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors[name] = f"{AMOUNT_HINT} Send it as a string, or null for none."
        return None
    if not _AMOUNT.fullmatch(value):
        errors[name] = AMOUNT_HINT
        return None
    amount = Decimal(value).quantize(Decimal("0.01"))
    if amount <= 0:
        errors[name] = "The amount must be more than $0.00 (leave it empty for none)."
    elif amount > MAX_AMOUNT:
        errors[name] = f"The amount must be at most ${MAX_AMOUNT:,.2f}."
    return amount


def update_guardrails(actor: Actor, changes: dict[str, Any]) -> Team:
    """Apply parsed changes to the actor's team (owners only), with a line in History."""
    actor.require(Permission.SET_GUARDRAILS)
    team = actor.team
    before = limits_json(Limits.of(team))
    db.session.execute(
        sa.update(Team)
        .where(Team.id == team.id)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    for column, value in changes.items():
        setattr(team, column, value)
    after = limits_json(Limits.of(team))
    if after != before:
        audit.record(
            team.id,
            actor.user.id,
            audit.Action.GUARDRAILS_CHANGE,
            subject_id=team.id,
            subject=team.name,
            before=before,
            after=after,
        )
    db.session.commit()
    return team


def limits_json(limits: Limits) -> dict[str, Any]:
    return {
        "monthlySpendCap": money(limits.cap),
        "approvalRequired": limits.approval_required,
        "approvalAbove": money(limits.approval_above),
    }


def month_json(spending: Spending) -> dict[str, Any]:
    """This month's spend as the guardrails count it."""
    return {
        "month": spending.month.strftime("%Y-%m"),
        "spent": money(spending.spent),
        "left": money(spending.left),
        "unpriced": spending.unpriced,
    }
