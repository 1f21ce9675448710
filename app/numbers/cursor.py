"""Opaque cursors for keyset paging: the (created_at, id) of a page's last number."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from app.errors import ValidationFailed
from app.models import PhoneNumber


def encode_cursor(number: PhoneNumber) -> str:
    raw = json.dumps([number.created_at.isoformat(), number.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, number_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is None or not isinstance(number_id, str):
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed({"cursor": "Cursor is not one this API gave out."}) from None
    return moment, number_id
