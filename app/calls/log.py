"""Writing calls to the log and reading them back, newest first, a page at a time."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.exceptions import ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import Call, utcnow
from app.models.routing import OUTCOMES
from app.routing.engine import Decision

MAX_PAGE = 200
DEFAULT_PAGE = 50
MAX_CURSOR = 200


@dataclass(frozen=True)
class CallFilters:
    phone_number_id: str | None = None
    assistant_id: str | None = None
    outcome: str | None = None
    tests: bool | None = None  # None: both; False: real calls only; True: tests only
    since: datetime | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        clauses = []
        if self.phone_number_id:
            clauses.append(Call.phone_number_id == self.phone_number_id)
        if self.assistant_id:
            clauses.append(Call.assistant_id == self.assistant_id)
        if self.outcome:
            clauses.append(Call.outcome == self.outcome)
        if self.tests is not None:
            clauses.append(Call.is_test.is_(self.tests))
        if self.since:
            clauses.append(Call.started_at >= self.since)
        return clauses


@dataclass(frozen=True)
class CallPage:
    calls: list[Call]
    next_cursor: str | None = None
    filters: CallFilters = field(default_factory=CallFilters)


def record_call(
    team_id: str,
    number_id: str | None,
    number: str,
    caller: str,
    decision: Decision,
    *,
    provider: str,
    outcome: str | None = None,
    is_test: bool = False,
    provider_call_id: str | None = None,
    detail: str | None = None,
    started_at: datetime | None = None,
) -> Call:
    """Log an inbound call as decided (the outcome may differ: a webhook that failed)."""
    assistant = decision.assistant
    call = Call(
        team_id=team_id,
        phone_number_id=number_id,
        number=number,
        assistant_id=assistant.assistant_id if assistant else None,
        assistant_name=assistant.name if assistant else None,
        direction="inbound",
        from_number=caller[:40],
        to_number=number,
        outcome=outcome or decision.outcome,
        rule=decision.rule,
        destination=decision.destination.address if decision.destination else None,
        provider=provider,
        provider_call_id=provider_call_id,
        is_test=is_test,
        started_at=started_at or utcnow(),
        detail=(detail or "")[:300] or None,
    )
    db.session.add(call)
    return call


def parse_call_filters(args: Mapping[str, str]) -> CallFilters:
    """The list's query string: phoneNumberId, assistantId, outcome, test, since."""
    number_id, assistant_id = args.get("phoneNumberId"), args.get("assistantId")
    if number_id is not None and not is_id("pn", number_id):
        raise ValidationFailed({"phoneNumberId": "Not a phone number id."})
    if assistant_id is not None and not is_id("asst", assistant_id):
        raise ValidationFailed({"assistantId": "Not an assistant id."})
    outcome = args.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise ValidationFailed({"outcome": f"One of: {', '.join(OUTCOMES)}."})
    test = args.get("test")
    if test is not None and test not in ("true", "false"):
        raise ValidationFailed({"test": "true (routing tests only) or false (real calls only)."})
    since = None
    if (text := args.get("since")) is not None:
        try:
            since = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if since.tzinfo is None or not text.isascii():
                raise ValueError
        except ValueError:
            raise ValidationFailed(
                {"since": "An ISO 8601 time with its zone, like 2026-12-01T00:00:00Z."}
            ) from None
    return CallFilters(
        number_id, assistant_id, outcome, None if test is None else test == "true", since
    )


def list_calls(
    team_id: str, limit: int | None, cursor: str | None, filters: CallFilters = CallFilters()
) -> CallPage:
    """The team's calls, newest first; keyset paging on (started_at, id)."""
    query = (
        sa.select(Call)
        .where(Call.team_id == team_id, *filters.where())
        .order_by(Call.started_at.desc(), Call.id.desc())
    )
    if cursor:
        query = query.where(sa.tuple_(Call.started_at, Call.id) < _decode(cursor))
    size = limit or DEFAULT_PAGE
    calls = list(db.session.scalars(query.limit(size + 1)))
    more = len(calls) > size
    calls = calls[:size]
    next_cursor = _encode(calls[-1]) if more else None
    return CallPage(calls, next_cursor, filters)


def all_calls(team_id: str, filters: CallFilters) -> list[Call]:
    query = (
        sa.select(Call)
        .where(Call.team_id == team_id, *filters.where())
        .order_by(Call.started_at.desc(), Call.id.desc())
    )
    return list(db.session.scalars(query))


def _encode(call: Call) -> str:
    raw = json.dumps([call.started_at.isoformat(), call.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        if len(cursor) > MAX_CURSOR or not cursor.isascii():
            raise ValueError
        shown, call_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(shown)
        if not isinstance(shown, str) or moment.tzinfo is None or not is_id("call", call_id):
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error, RecursionError):
        raise ValidationFailed({"cursor": "Cursor is not one this API gave out."}) from None
    return moment, call_id


def call_json(call: Call) -> dict:
    from app.timefmt import iso

    return {
        "id": call.id,
        "teamId": call.team_id,
        "phoneNumberId": call.phone_number_id,
        "number": call.number,
        "direction": call.direction,
        "from": call.from_number,
        "to": call.to_number,
        "assistantId": call.assistant_id,
        "assistantName": call.assistant_name,
        "outcome": call.outcome,
        "rule": call.rule,
        "destination": call.destination,
        "provider": call.provider,
        "providerCallId": call.provider_call_id,
        "test": call.is_test,
        "startedAt": iso(call.started_at),
        "answeredAt": iso(call.answered_at),
        "endedAt": iso(call.ended_at),
        "durationSeconds": call.duration_seconds,
        "detail": call.detail,
    }
