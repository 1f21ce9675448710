"""Flask's JSON with a depth limit: a body nested thousands of levels deep is a 400, not a crash.

Python's parser recurses once per level and raises RecursionError (not ValueError) past the
interpreter's limit, which Flask does not treat as bad JSON. Any body deeper than MAX_DEPTH
is refused too, so nothing later (hashing a body for idempotency, echoing it) recurses deep.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32  # the deepest body this API documents is 3 levels


class TooDeep(ValueError):
    """JSON nested deeper than MAX_DEPTH; a ValueError, so Flask answers it as bad JSON."""


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise TooDeep(too_deep()) from None
        if depth_exceeds(value, MAX_DEPTH):
            raise TooDeep(too_deep())
        return value


def too_deep() -> str:
    return f"The JSON body is nested more than {MAX_DEPTH} levels deep."


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit` (iterative: no recursion to blow)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return False
