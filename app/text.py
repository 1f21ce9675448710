"""Cleaning short text people type (names, labels) the same way everywhere."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """Control characters out, runs of white space folded to one space, ends trimmed."""
    return " ".join(_CONTROL.sub(" ", text).split())
