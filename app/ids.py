"""Prefixed ULIDs (`team_01j...`): sortable by creation time, safe to show."""

import os
import time

from werkzeug.routing import BaseConverter

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


def is_id(prefix: str, value: object) -> bool:
    """Whether value has the shape of an id made by new_id(prefix); lets lookups skip junk."""
    return (
        isinstance(value, str)
        and len(value) == len(prefix) + 27
        and value.startswith(prefix + "_")
        and all(c in _CROCKFORD for c in value[len(prefix) + 1 :])
    )


class PrefixedIdConverter(BaseConverter):
    """URL part that only matches ids of one kind (`<id(pn):number_id>`), so
    `/phone-numbers/search` is never mistaken for a number's URL."""

    def __init__(self, url_map, prefix: str):
        super().__init__(url_map)
        self.regex = rf"{prefix}_[0-9a-z]{{26}}"
