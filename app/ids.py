"""Prefixed ULIDs (`team_01j...`): sortable by creation time, safe to show."""

import os
import time

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def ulid() -> str:
    """26 lower-case Crockford base32 characters: 48-bit ms timestamp + 80 random bits."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    return f"{prefix}_{ulid()}"
