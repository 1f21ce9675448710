"""Idempotency keys: the same key and request within 24 hours gets the first answer again.

Surface-agnostic: a claim stores a status code and a JSON body. The API wraps purchase and
release with it; anything else that must not act twice can use it too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import ServiceError
from app.extensions import db
from app.models import IdempotencyRecord, utcnow

WINDOW = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(ServiceError):
    code = "idempotency_key_reused"


class IdempotencyKeyInUse(ServiceError):
    code = "idempotency_key_in_use"


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: dict[str, Any]


def fingerprint(*parts: Any) -> str:
    """A stable hash of the request (JSON key order does not matter)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()


def claim(team_id: str, key: str, request_fingerprint: str) -> Replay | None:
    """Claim the key for this request; a Replay if it was answered before.

    Raises IdempotencyKeyReused for the same key with another request, and
    IdempotencyKeyInUse while the first request with the key is still running.
    """
    for _ in range(3):
        db.session.add(
            IdempotencyRecord(
                team_id=team_id, key=key, fingerprint=request_fingerprint, created_at=utcnow()
            )
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
        if utcnow() - record.created_at > WINDOW:
            db.session.delete(record)  # an old key starts afresh
            db.session.commit()
            continue
        if record.fingerprint != request_fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request. Use a new key."
            )
        if record.status_code is None:
            raise IdempotencyKeyInUse(
                "A request with this Idempotency-Key is still being processed. Retry shortly."
            )
        return Replay(record.status_code, record.response or {})
    raise IdempotencyKeyInUse("Could not claim the Idempotency-Key. Retry shortly.")


def complete(team_id: str, key: str, status_code: int, body: dict[str, Any]) -> None:
    """Store the answer; server errors release the key instead, so a retry runs again."""
    db.session.rollback()
    record = sa.select(IdempotencyRecord).where(
        IdempotencyRecord.team_id == team_id, IdempotencyRecord.key == key
    )
    found = db.session.scalar(record)
    if found is None:
        return
    if status_code >= 500:
        db.session.delete(found)
    else:
        found.status_code, found.response = status_code, body
    db.session.commit()


def release(team_id: str, key: str) -> None:
    complete(team_id, key, 500, {})
