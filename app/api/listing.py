"""The list's answer: built from plain rows, cached per team version, tagged with an ETag.

The serialised body is kept in the app's cache (Redis when configured, else this process)
under everything it depends on: the team, the team's version (every write to its numbers,
assistants or plan moves it, in the same transaction), and the page asked for. It does not
depend on the caller: every member of a team sees the same list. It does depend on time: a
trial reads "expired" from its expiry on, so an entry lives no longer than the earliest
trial expiry on it. A page with an order still completing is not kept: listing settles it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from flask import current_app, request

from app.api.payloads import listed_number
from app.extensions import cache
from app.models import Team, utcnow
from app.numbers.listing import NumberFilters
from app.numbers.managing import EVERY_NUMBER, list_number_rows


@dataclass(frozen=True)
class ListAnswer:
    body: bytes
    etag: str


def list_answer(
    team: Team,
    limit: int | None,
    cursor: str | None,
    filters: NumberFilters = EVERY_NUMBER,
    include: str | None = None,
) -> ListAnswer:
    """The list's JSON for one page (all of it without a limit), from the cache if kept.
    With include="routing" each number carries its `routing` too (only when asked: the
    documented answer stays byte for byte what it was)."""
    seconds = current_app.config["LIST_CACHE_SECONDS"]
    if filters.status:
        # "active" and "expired" move with the clock for numbers not on the page (a trial
        # ending elsewhere joins "expired"): such a list is built each time, never kept.
        seconds = 0
    key = _key(team, limit, cursor)  # the filters are in the query string it digests
    if seconds and (kept := cache.get(key)) is not None:
        return ListAnswer(*kept)
    page = list_number_rows(team, limit, cursor, filters)
    now = utcnow()
    rows = [listed_number(row, now) for row in page.rows]
    if include == "routing":
        _add_routing(rows)
    body = {"success": True, "numbers": rows, "count": len(rows)}
    if limit is not None:  # paging is opt-in: without a limit the documented answer is whole
        body["nextCursor"] = page.next_cursor
    data = current_app.json.dumps_bytes(body) + b"\n"
    answer = ListAnswer(data, hashlib.blake2b(data, digest_size=16).hexdigest())
    expiries = [
        row.trial_expires_at
        for row in page.rows
        if row.is_trial and row.trial_expires_at and row.trial_expires_at > now
    ]
    if expiries:  # whole seconds, rounded down: gone before the first trial ends
        seconds = min(seconds, math.floor((min(expiries) - now).total_seconds()))
    if seconds >= 1 and not page.settling:
        cache.set(key, (answer.body, answer.etag), timeout=seconds)
    return answer


def _key(team: Team, limit: int | None, cursor: str | None) -> str:
    """Everything the answer depends on but time. Every query parameter is in it (by digest: a
    cursor is up to 200 characters of the client's choosing), so a parameter added later (a
    filter) can never be answered from another's entry."""
    asked = sorted((k, v) for k, v in request.args.items(multi=True) if k != "teamId")
    page = hashlib.blake2b(repr((limit, cursor, asked)).encode(), digest_size=12).hexdigest()
    return f"list:{team.id}:{team.version}:{page}"


def respond(answer: ListAnswer):
    """The body, or 304 Not Modified for a client that already has it."""
    response = current_app.response_class(mimetype="application/json")
    response.set_etag(answer.etag)
    # Only for the caller (it answers a bearer token), and checked each time before reuse.
    response.headers["Cache-Control"] = "private, no-cache"
    if request.if_none_match.contains_weak(answer.etag):
        response.status_code = 304
    else:
        response.set_data(answer.body)
    return response


def _add_routing(rows: list[dict]) -> None:
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import PhoneNumber
    from app.routing.store import routing_json

    ids = [row["id"] for row in rows]
    numbers = {
        n.id: n for n in db.session.scalars(sa.select(PhoneNumber).where(PhoneNumber.id.in_(ids)))
    }
    for row in rows:
        row["routing"] = routing_json(numbers[row["id"]])
