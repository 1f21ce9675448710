"""The call log as CSV (the API's GET /api/calls/export, the number page's link)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from app.models import Call
from app.phone import canonical
from app.timefmt import iso

HEADER = [
    "started_at",
    "number",
    "from",
    "to",
    "assistant",
    "outcome",
    "rule",
    "destination",
    "duration_seconds",
    "test",
    "provider_call_id",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def calls_csv(calls: Iterable[Call]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for call in calls:
        writer.writerow(
            [
                iso(call.started_at),
                call.number,
                _number(call.from_number),
                _number(call.to_number),
                _text(call.assistant_name),
                call.outcome,
                call.rule or "",
                _number(call.destination or ""),
                "" if call.duration_seconds is None else call.duration_seconds,
                "yes" if call.is_test else "no",
                _text(call.provider_call_id),
            ]
        )
    return out.getvalue()


def _number(value: str) -> str:
    # A caller's number is the provider's text: E.164 as it is, anything else as text.
    return value if canonical(value) == value else _text(value)


def _text(value: str | None) -> str:
    """A spreadsheet would run a cell starting with = + - @ as a formula: prefix a quote."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value
