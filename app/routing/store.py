"""A number's routing in the database: load it for the engine, show it, and change it.

No row in number_routing means the defaults: the number's one assistant (if any), no
fallback, a 20 s answer timeout, no blocklist, callers from anywhere, always open.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app import audit, events
from app.accounts.roles import Actor, Permission
from app.events import payloads
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import (
    Assistant,
    AssistantDestination,
    NumberRouting,
    PhoneNumber,
    RoutingCaller,
    RoutingSplit,
    utcnow,
)
from app.routing.answering import destination_of
from app.routing.destinations import Destination
from app.routing.engine import Routing, Target, Window
from app.routing.rules import END_OF_DAY, Rules, clock_text, parse_rules


def _row(number_id: str) -> NumberRouting | None:
    return db.session.get(NumberRouting, number_id)


def _place(kind: str | None, address: str | None) -> Destination | None:
    return Destination(kind, address) if kind and address else None


def _split(number: PhoneNumber) -> list[tuple[Assistant, int, AssistantDestination | None]]:
    """The number's inbound assistants with their shares and destinations (one query)."""
    rows = db.session.execute(
        sa.select(Assistant, RoutingSplit.weight, AssistantDestination)
        .join(RoutingSplit, RoutingSplit.assistant_id == Assistant.id)
        .outerjoin(AssistantDestination, AssistantDestination.assistant_id == Assistant.id)
        .where(RoutingSplit.phone_number_id == number.id)
        .order_by(RoutingSplit.position, Assistant.id)
    ).all()
    if rows:
        return [(a, w, d) for a, w, d in rows]
    if number.assistant_id is None:
        return []
    row = db.session.execute(
        sa.select(Assistant, AssistantDestination)
        .outerjoin(AssistantDestination, AssistantDestination.assistant_id == Assistant.id)
        .where(Assistant.id == number.assistant_id)
    ).first()
    return [] if row is None else [(row[0], 100, row[1])]


def load_routing(number: PhoneNumber, *, with_passwords: bool = False) -> Routing:
    """The engine's view of the number (SIP passwords decrypted only for a real transfer)."""
    rules = _row(number.id)
    targets = tuple(
        Target(a.id, a.name, weight, destination_of(d, with_password=with_passwords))
        for a, weight, d in _split(number)
    )
    if rules is None:
        return Routing(number.phone_number, targets)
    return Routing(
        number=number.phone_number,
        targets=targets,
        fallback=_place(rules.fallback_kind, rules.fallback_address),
        answer_timeout=rules.answer_timeout,
        blocklist=tuple(rules.blocklist),
        allowed_countries=tuple(rules.allowed_countries),
        time_zone=rules.time_zone,
        hours=tuple(_window(w) for w in rules.hours),
        after_hours=_place(rules.after_hours_kind, rules.after_hours_address),
    )


def _window(stored: dict) -> Window:
    end = END_OF_DAY if stored["end"] == "24:00" else time.fromisoformat(stored["end"])
    return Window(stored["day"], time.fromisoformat(stored["start"]), end)


def routing_json(number: PhoneNumber) -> dict[str, Any]:
    """The number's `routing` object as the API answers it (what PATCH takes, plus names)."""
    rules = _row(number.id)
    split = _split(number)
    place = lambda d: d.as_json() if d else None  # noqa: E731
    routing = load_routing(number)
    callers = _callers(number, rules, split)
    return {
        "inbound": {
            "assistants": [
                {"assistantId": a.id, "name": a.name, "weight": w, "hasDestination": d is not None}
                for a, w, d in split
            ],
            "fallback": place(routing.fallback),
            "answerTimeoutSeconds": routing.answer_timeout,
            "blocklist": list(routing.blocklist),
            "allowedCountries": list(routing.allowed_countries),
            "timeZone": routing.time_zone,
            "hours": [
                {"day": w.day, "start": clock_text(w.start), "end": clock_text(w.end)}
                for w in routing.hours
            ],
            "afterHours": place(routing.after_hours),
        },
        "outbound": {
            "assistantIds": [a.id for a in callers] if rules and rules.outbound_custom else None,
            "callers": [{"assistantId": a.id, "name": a.name} for a in callers],
            "teamDefault": bool(rules and rules.team_default_caller),
        },
    }


def _callers(number, rules: NumberRouting | None, split) -> list[Assistant]:
    if rules is None or not rules.outbound_custom:
        return [a for a, _w, _d in split]
    return list(
        db.session.scalars(
            sa.select(Assistant)
            .join(RoutingCaller, RoutingCaller.assistant_id == Assistant.id)
            .where(RoutingCaller.phone_number_id == number.id)
            .order_by(Assistant.name_key)
        )
    )


def writable(shown: dict[str, Any]) -> dict[str, Any]:
    """`routing_json` as a request would send it (names and derived fields dropped)."""
    inbound = dict(shown["inbound"])
    inbound["assistants"] = [
        {"assistantId": a["assistantId"], "weight": a["weight"]} for a in inbound["assistants"]
    ]
    outbound = {k: shown["outbound"][k] for k in ("assistantIds", "teamDefault")}
    return {"inbound": inbound, "outbound": outbound}


def merged(number: PhoneNumber, change: object) -> dict[str, Any]:
    """The number's routing with the fields `change` sends replaced (others kept)."""
    if not isinstance(change, dict):
        raise ValidationFailed({"routing": "Send an object with inbound and/or outbound."})
    whole = writable(routing_json(number))
    for part in ("inbound", "outbound"):
        if part in change and isinstance(change[part], dict):
            whole[part] = {**whole[part], **change[part]}
        elif part in change:
            whole[part] = change[part]
    for key in set(change) - {"inbound", "outbound"}:
        whole[key] = change[key]
    return whole


def set_routing(actor: Actor, number: PhoneNumber, change: object) -> PhoneNumber:
    """Change the number's routing (the fields sent); History keeps before and after."""
    actor.require(Permission.ASSIGN)
    team_assistants = set(
        db.session.scalars(sa.select(Assistant.id).where(Assistant.team_id == number.team_id))
    )
    was = number.assistant_id
    before = writable(routing_json(number))
    rules = parse_rules(
        merged(number, change), team_assistants, current_app.config["WEBHOOKS_ALLOW_PRIVATE"]
    )
    _store(number, rules)
    db.session.flush()
    after = writable(routing_json(number))
    if before != after:
        audit.record(
            number.team_id,
            actor.user.id,
            audit.Action.ROUTING_CHANGE,
            subject_id=number.id,
            subject=number.phone_number,
            before=before,
            after=after,
        )
        events.emit(
            number.team_id,
            "number.routing_changed",
            payloads.number(number, assistantId=number.assistant_id, previousAssistantId=was),
        )
    db.session.commit()
    return number


def _store(number: PhoneNumber, rules: Rules) -> None:
    row = _row(number.id)
    if row is None:
        row = NumberRouting(phone_number_id=number.id, team_id=number.team_id)
        db.session.add(row)
    row.fallback_kind = rules.fallback.kind if rules.fallback else None
    row.fallback_address = rules.fallback.address if rules.fallback else None
    row.answer_timeout = rules.answer_timeout
    row.blocklist = list(rules.blocklist)
    row.allowed_countries = list(rules.allowed_countries)
    row.time_zone = rules.time_zone
    row.hours = [
        {"day": w.day, "start": clock_text(w.start), "end": clock_text(w.end)} for w in rules.hours
    ]
    row.after_hours_kind = rules.after_hours.kind if rules.after_hours else None
    row.after_hours_address = rules.after_hours.address if rules.after_hours else None
    row.outbound_custom = rules.callers is not None
    if rules.team_default and not row.team_default_caller:
        # One default caller ID per team: the new one takes it from the old.
        db.session.execute(
            sa.update(NumberRouting)
            .where(NumberRouting.team_id == number.team_id, NumberRouting.team_default_caller)
            .values(team_default_caller=False)
        )
        db.session.flush()
    row.team_default_caller = rules.team_default
    row.updated_at = utcnow()
    db.session.execute(sa.delete(RoutingSplit).where(RoutingSplit.phone_number_id == number.id))
    db.session.execute(sa.delete(RoutingCaller).where(RoutingCaller.phone_number_id == number.id))
    if len(rules.split) > 1:
        db.session.add_all(
            RoutingSplit(phone_number_id=number.id, assistant_id=a, weight=w, position=i)
            for i, (a, w) in enumerate(rules.split)
        )
    # The number's own assistant: the one, or the heaviest of a split (first on a tie).
    heaviest = max(rules.split, key=lambda s: s[1], default=None)
    number.assistant_id = heaviest[0] if heaviest else None
    db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == number.id)
        .values(assistant_id=number.assistant_id)
    )
    db.session.expire(number, ["assistant"])
    for assistant_id in rules.callers or ():
        db.session.add(RoutingCaller(phone_number_id=number.id, assistant_id=assistant_id))


def clear_split(number_id: str) -> None:
    """One assistant was picked for the number (the Numbers table, the assign API): a split
    it had is over, so the number routes to what its row shows. Not flushed first: the
    assignment beside it flushes at its commit, where a deleted assistant is noticed."""
    with db.session.no_autoflush:
        db.session.execute(sa.delete(RoutingSplit).where(RoutingSplit.phone_number_id == number_id))


def forget_assistant(assistant_id: str) -> None:
    """Before an assistant is deleted: each split it was in goes on without it (the others
    keep their shares; one left takes every call), so no number loses its other assistants."""
    numbers = db.session.scalars(
        sa.select(RoutingSplit.phone_number_id).where(RoutingSplit.assistant_id == assistant_id)
    ).all()
    for number_id in numbers:
        db.session.execute(
            sa.delete(RoutingSplit).where(
                RoutingSplit.phone_number_id == number_id,
                RoutingSplit.assistant_id == assistant_id,
            )
        )
        rest = db.session.execute(
            sa.select(RoutingSplit.assistant_id, RoutingSplit.weight)
            .where(RoutingSplit.phone_number_id == number_id)
            .order_by(RoutingSplit.weight.desc(), RoutingSplit.position)
        ).all()
        if len(rest) == 1:
            clear_split(number_id)
        heir = rest[0][0] if rest else None
        db.session.execute(
            sa.update(PhoneNumber).where(PhoneNumber.id == number_id).values(assistant_id=heir)
        )
