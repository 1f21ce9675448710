"""Opaque cursors for keyset paging: the sort value and id of a page's last number.

The newest-first list (the default) keeps its first spelling, [created_at, id], so a cursor
handed out before sorting existed still works; other sorts add their name in front. A cursor
carries its sort: the next page continues the order the first page was in.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from app.exceptions import ValidationFailed
from app.ids import is_id
from app.phone import canonical

MAX_CURSOR = 200  # ours are about 90 characters
DEFAULT = "-created"
SORTS = ("-created", "created", "-number", "number")  # app.numbers.listing's SORT_CHOICES


def encode_cursor(sort: str, value: object, number_id: str) -> str:
    shown = value.isoformat() if isinstance(value, datetime) else str(value)
    position = [shown, number_id] if sort == DEFAULT else [sort, shown, number_id]
    raw = json.dumps(position).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, object, str]:
    """The sort a cursor was made for and its position in it (sort value, id);
    ValidationFailed for anything this API did not make."""
    try:
        if len(cursor) > MAX_CURSOR or not cursor.isascii():
            raise ValueError
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(decoded, list):
            raise ValueError
        if len(decoded) == 2:  # the first spelling: newest first
            sort, (shown, number_id) = DEFAULT, decoded
        else:
            sort, shown, number_id = decoded  # exactly three, or it was not ours
        if sort not in SORTS or not isinstance(shown, str) or not is_id("pn", number_id):
            raise ValueError
        value = _value(sort, shown)
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error, RecursionError):
        raise ValidationFailed({"cursor": "Cursor is not one this API gave out."}) from None
    return sort, value, number_id


def _value(sort: str, shown: str) -> object:
    if sort.lstrip("-") == "created":
        moment = datetime.fromisoformat(shown)
        # Exactly as encode_cursor wrote it: fromisoformat alone is lenient about separators.
        if moment.tzinfo is None or moment.isoformat() != shown:
            raise ValueError
        return moment
    if canonical(shown) != shown:
        raise ValueError
    return shown
