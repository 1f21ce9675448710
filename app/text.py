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
