"""How times are written: ISO 8601 for machines, a readable UTC form for people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


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


def duration(length: timedelta) -> str:
    """ "30 minutes", "1 hour", "7 days": a fixed length as the pages and messages say it."""
    seconds = int(length.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def parse_iso(text: str) -> datetime:
    """An `iso` time back as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
