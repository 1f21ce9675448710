"""Flask's JSON provider, with orjson writing and a depth limit on reading.

Writing: orjson is several times faster than the standard library on the list's thousands of
rows; what it cannot write natively (Decimal, and datetimes, which Flask writes as HTTP dates)
goes through Flask's own `default`, so the output means exactly what Flask's would.

Reading: Python's parser recurses once per level and raises RecursionError (not ValueError)
past the interpreter's limit, which Flask does not treat as bad JSON. Any body deeper than
MAX_DEPTH is refused too, so nothing later (hashing a body for idempotency, echoing it)
recurses deep. Bodies are small: the standard parser keeps its error messages.
"""

from __future__ import annotations

import typing as t
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32  # the deepest body this API documents is 3 levels
# Datetimes and dataclasses go to Flask's `default` (HTTP dates, asdict) as with Flask's own.
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class TooDeep(ValueError):
    """JSON nested deeper than MAX_DEPTH; a ValueError, so Flask answers it as bad JSON."""


class BoundedJSONProvider(DefaultJSONProvider):
    def dumps_bytes(self, obj: Any) -> bytes:
        """The compact UTF-8 JSON of `obj` (what responses carry)."""
        option = _PASSTHROUGH | (orjson.OPT_SORT_KEYS if self.sort_keys else 0)
        try:
            return orjson.dumps(obj, default=self.default, option=option)
        except orjson.JSONEncodeError:
            # What orjson refuses but Python writes (integers past 64 bits, say): the slow way.
            return super().dumps(obj, separators=(",", ":")).encode()

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # indent, separators...: the standard library's options
            return super().dumps(obj, **kwargs)
        return self.dumps_bytes(obj).decode()

    def response(self, *args: t.Any, **kwargs: t.Any):
        obj = self._prepare_response_obj(args, kwargs)
        if self.compact or (self.compact is None and not self._app.debug):
            body = self.dumps_bytes(obj) + b"\n"
        else:
            body = super().dumps(obj, indent=2).encode() + b"\n"
        return self._app.response_class(body, mimetype=self.mimetype)

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
