"""Opaque cursors for keyset paging: the (created_at, id) of a page's last number."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from sqlalchemy import Row

from app.exceptions import ValidationFailed
from app.ids import is_id
from app.models import PhoneNumber

MAX_CURSOR = 200  # ours are about 90 characters


def encode_cursor(number: PhoneNumber | Row) -> str:
    """The cursor after this number (an entity, or a row with created_at and id)."""
    raw = json.dumps([number.created_at.isoformat(), number.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor stands for; ValidationFailed for anything this API did not make."""
    try:
        if len(cursor) > MAX_CURSOR or not cursor.isascii():
            raise ValueError
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        created, number_id = decoded  # a list of exactly two, or it was not ours
        moment = datetime.fromisoformat(created)
        # Exactly as encode_cursor wrote it: fromisoformat alone is lenient about separators.
        if moment.tzinfo is None or moment.isoformat() != created or not is_id("pn", number_id):
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error, RecursionError):
        raise ValidationFailed({"cursor": "Cursor is not one this API gave out."}) from None
    return moment, number_id
