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


def clock(moment: datetime, now: datetime) -> str:
    """ "14:05 UTC" on the same (UTC) day as `now`, else "27 Nov, 14:05 UTC"; the browser
    replaces it with the viewer's own time (data-local="time")."""
    moment = moment.astimezone(UTC)
    if moment.date() == now.astimezone(UTC).date():
        return moment.strftime("%H:%M UTC")
    return moment.strftime("%d %b, %H:%M UTC")


def parse_iso(text: str) -> datetime:
    """An `iso` time back as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
