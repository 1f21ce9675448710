"""How times are written: ISO 8601 for machines, a readable UTC form for people."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, to the second (the API's timestamps)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def readable(moment: datetime | None) -> str:
    """ "26 Nov 2026, 14:00 UTC"; the browser replaces it with the viewer's local time."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")
