"""Calling out: which numbers each assistant may use as its caller ID, and the team's default.

A number lets its inbound assistants call from it unless its routing names the callers
(`number_routing.outbound_custom` with `routing_callers` rows).
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import NumberRouting, PhoneNumber, RoutingCaller, RoutingSplit


def caller_numbers(team_id: str) -> dict[str, list[PhoneNumber]]:
    """Per assistant of the team, the numbers it may call out from (by number)."""
    live = sa.and_(PhoneNumber.team_id == team_id, PhoneNumber.status.in_(("active", "releasing")))
    custom = {
        r.phone_number_id
        for r in db.session.scalars(
            sa.select(NumberRouting).where(
                NumberRouting.team_id == team_id, NumberRouting.outbound_custom
            )
        )
    }
    allowed: dict[str, list[PhoneNumber]] = {}
    numbers = {n.id: n for n in db.session.scalars(sa.select(PhoneNumber).where(live))}
    pairs: set[tuple[str, str]] = set()
    for number in numbers.values():
        if number.id not in custom and number.assistant_id:
            pairs.add((number.assistant_id, number.id))
    for number_id, assistant_id in db.session.execute(
        sa.select(RoutingSplit.phone_number_id, RoutingSplit.assistant_id)
        .join(PhoneNumber, PhoneNumber.id == RoutingSplit.phone_number_id)
        .where(live)
    ):
        if number_id not in custom:
            pairs.add((assistant_id, number_id))
    for number_id, assistant_id in db.session.execute(
        sa.select(RoutingCaller.phone_number_id, RoutingCaller.assistant_id)
        .join(PhoneNumber, PhoneNumber.id == RoutingCaller.phone_number_id)
        .where(live)
    ):
        pairs.add((assistant_id, number_id))
    for assistant_id, number_id in sorted(pairs, key=lambda p: numbers[p[1]].phone_number):
        allowed.setdefault(assistant_id, []).append(numbers[number_id])
    return allowed


def team_default_caller(team_id: str) -> PhoneNumber | None:
    return db.session.scalar(
        sa.select(PhoneNumber)
        .join(NumberRouting, NumberRouting.phone_number_id == PhoneNumber.id)
        .where(NumberRouting.team_id == team_id, NumberRouting.team_default_caller)
    )
