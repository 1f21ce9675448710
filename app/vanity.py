"""Vanity patterns: letters stand for their telephone keypad digits (ITU E.161).

One place for the mapping and the matching, so the sandbox, the search service and the
highlighting on the page agree on what "ends with CAFE" means.
"""

from __future__ import annotations

import phonenumbers

_KEYPAD = {
    **dict.fromkeys("ABC", "2"),
    **dict.fromkeys("DEF", "3"),
    **dict.fromkeys("GHI", "4"),
    **dict.fromkeys("JKL", "5"),
    **dict.fromkeys("MNO", "6"),
    **dict.fromkeys("PQRS", "7"),
    **dict.fromkeys("TUV", "8"),
    **dict.fromkeys("WXYZ", "9"),
}


def keypad(pattern: str) -> str:
    """ "CAFE" → "2233"; digits stay as they are."""
    return "".join(_KEYPAD.get(ch, ch) for ch in pattern.upper())


def searched_part(e164: str, area_code: str | None) -> tuple[str, int]:
    """The digits a pattern is matched against, and where they start in the national number.

    The national number, less the area code when the search named one (Telnyx matches
    patterns after `national_destination_code` when it is set).
    """
    national = phonenumbers.national_significant_number(phonenumbers.parse(e164))
    if area_code and national.startswith(area_code):
        return national[len(area_code) :], len(area_code)
    return national, 0


def match_span(
    e164: str,
    *,
    area_code: str | None = None,
    contains: str | None = None,
    starts_with: str | None = None,
    ends_with: str | None = None,
) -> tuple[int, int] | None:
    """Where the patterns match in the national number (start, end), or None if one fails.

    With no pattern at all the span is empty (0, 0); with several, it covers them all.
    """
    part, offset = searched_part(e164, area_code)
    spans = []
    if starts_with:
        if not part.startswith(wanted := keypad(starts_with)):
            return None
        spans.append((0, len(wanted)))
    if ends_with:
        if not part.endswith(wanted := keypad(ends_with)):
            return None
        spans.append((len(part) - len(wanted), len(part)))
    if contains:
        if (at := part.find(wanted := keypad(contains))) < 0:
            return None
        spans.append((at, at + len(wanted)))
    if not spans:
        return (0, 0)
    return offset + min(s for s, _ in spans), offset + max(e for _, e in spans)
