"""Idempotency keys: the same key and request within 24 hours gets the first answer again.

One runner for every surface: the API's purchase and release and the page's Buy all call
`run_once` with an action that returns plain data (a status and a JSON-able body).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.exceptions import IdempotencyKeyInUse, IdempotencyKeyReused
from app.extensions import db
from app.models import IdempotencyRecord, utcnow

WINDOW = timedelta(hours=24)
# A claim still unanswered after this long belongs to a request that died with its process
# (the longest purchase, provider timeouts and polling included, takes well under a minute).
LEASE = timedelta(seconds=60)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def fingerprint(*parts: Any) -> str:
    """A stable hash of the request (JSON key order does not matter)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def valid_key(key: object) -> bool:
    # Visible ASCII, as the OpenAPI document says: a header's other characters arrive as
    # Latin-1 guesses, and a space is easily lost by proxies and clients.
    return isinstance(key, str) and re.fullmatch(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}", key) is not None


def run_once(
    team_id: str, key: str, request_print: str, action: Callable[[], Answer]
) -> tuple[Answer, bool]:
    """The first answer for this key (and True), or the action's answer now (and False).

    Raises IdempotencyKeyReused for the same key with another request, and
    IdempotencyKeyInUse while the first request with the key is still running.
    """
    replay = _claim(team_id, key, request_print)
    if replay is not None:
        return replay, True
    try:
        answer = action()
    except BaseException:
        _finish(team_id, key, None)
        raise
    _finish(team_id, key, answer)
    return answer, False


def _claim(team_id: str, key: str, request_print: str) -> Answer | None:
    for _ in range(3):
        now = utcnow()
        db.session.add(
            IdempotencyRecord(team_id=team_id, key=key, fingerprint=request_print, created_at=now)
        )
        try:
            db.session.commit()
            return None
        except IntegrityError:
            db.session.rollback()
        record = db.session.scalar(
            sa.select(IdempotencyRecord).where(
                IdempotencyRecord.team_id == team_id, IdempotencyRecord.key == key
            )
        )
        if record is None:
            continue  # released between our insert and our look: try again
        if now - record.created_at > WINDOW:
            db.session.delete(record)  # an old key starts afresh
            db.session.commit()
            continue
        if record.fingerprint != request_print:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request. Use a new key."
            )
        if record.status_code is not None:
            return Answer(record.status_code, record.response or {})
        if now - record.created_at > LEASE and _take_over(record, now):
            return None
        raise IdempotencyKeyInUse(
            "A request with this Idempotency-Key is still being processed. Retry shortly."
        )
    raise IdempotencyKeyInUse("Could not claim the Idempotency-Key. Retry shortly.")


def _take_over(record: IdempotencyRecord, now) -> bool:
    """Claim a key whose request died unanswered; exactly one retry wins it."""
    taken = db.session.execute(
        sa.update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == record.id,
            IdempotencyRecord.status_code.is_(None),
            IdempotencyRecord.created_at == record.created_at,
        )
        .values(created_at=now)
    )
    db.session.commit()
    return taken.rowcount == 1


def _finish(team_id: str, key: str, answer: Answer | None) -> None:
    """Store the answer; a crash or a server error releases the key, so a retry runs again."""
    db.session.rollback()
    found = db.session.scalar(
        sa.select(IdempotencyRecord).where(
            IdempotencyRecord.team_id == team_id, IdempotencyRecord.key == key
        )
    )
    if found is None:
        return
    if answer is None or answer.status >= 500:
        db.session.delete(found)
    else:
        found.status_code, found.response = answer.status, answer.body
    db.session.commit()
