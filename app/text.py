"""Cleaning short text people type (names, labels, emails): one cleaner for every surface.

Names and labels are shown to other people, so characters that hide or reorder text are
taken out (zero-width spaces, bidi overrides and isolates, fillers that render as nothing),
and characters no database stores (NUL, a lone surrogate) are refused before any query.
"""

from __future__ import annotations

import re
import unicodedata

from app.exceptions import ValidationFailed

UNSTORABLE = "This text has a character that cannot be stored (a NUL byte or a lone surrogate)."
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Format characters (Unicode category Cf) are invisible: zero-width spaces, bidi controls,
# the BOM, tag characters. ZWNJ and ZWJ are kept inside words: Persian, Indic scripts and
# emoji sequences need them. Hangul and Braille fillers are letters that render as nothing.
_JOINERS = "\u200c\u200d"
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def unstorable(text: str) -> bool:
    """Whether PostgreSQL (and UTF-8) refuses this text: a NUL byte or a lone surrogate."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def check_storable(text: str, field: str) -> str:
    """`text` unchanged, or ValidationFailed naming `field` if it cannot be stored."""
    if unstorable(text):
        raise ValidationFailed({field: UNSTORABLE})
    return text


def one_line(text: str, field: str = "name") -> str:
    """Visible text on one line: invisible characters out, controls and runs of white space
    folded to one space, ends trimmed, NFC-normalised. "" if nothing visible is left.

    ValidationFailed (naming `field`) for text that cannot be stored.
    """
    check_storable(text, field)
    kept = "".join(
        ch
        for ch in _CONTROL.sub(" ", text)
        if ch in _JOINERS or (unicodedata.category(ch) != "Cf" and ch not in _FILLERS)
    )
    words = [word.strip(_JOINERS) for word in unicodedata.normalize("NFC", kept).split()]
    line = " ".join(word for word in words if word)
    return line if any(_visible(ch) for ch in line) else ""


def _visible(ch: str) -> bool:
    # Letters, digits, punctuation and symbols; a name of combining marks alone shows nothing.
    return unicodedata.category(ch)[0] in "LNPS"


def visible_class() -> str:
    """A regex character class of the characters `_visible` counts (fillers left out), for the
    OpenAPI document's name pattern: text matches `.*<class>.*` exactly when it keeps something
    visible here. Built from this Python's Unicode tables, so it says what the server does."""
    ranges: list[tuple[int, int]] = []
    # Planes 4-13 are unassigned and 15-16 private use (neither is visible): skipping them
    # keeps this under a tenth of a second.
    for code in (*range(0x40000), *range(0xE0000, 0xF0000)):
        ch = chr(code)
        if "\ud800" <= ch <= "\udfff" or ch in _FILLERS or not _visible(ch):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    spans = (_escaped(a) + ("" if a == b else "-" + _escaped(b)) for a, b in ranges)
    return "[" + "".join(spans) + "]"


def _escaped(code: int) -> str:
    # \uXXXX reads the same in Python, ECMA-262 and Rust regexes; astral characters stay literal
    # (ECMA-262 has no \U), and no syntax character is astral.
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)
