"""What a caller-ID name may be: one rule, used by the pages and the API alike."""

from __future__ import annotations

import re

from app.exceptions import ValidationFailed
from app.phone import TOLL_FREE

MAX_LENGTH = 15
# CNAM's character set: letters, digits, spaces, periods and commas, starting with a letter.
_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9 .,]*")


def clean_caller_name(value: object, field: str = "name") -> str:
    """The name as it will be listed (spaces trimmed and single), or ValidationFailed."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed({field: "Enter a caller name (up to 15 characters)."})
    name = " ".join(value.split())
    if len(name) > MAX_LENGTH:
        raise ValidationFailed(
            {field: f"A caller name has at most {MAX_LENGTH} characters ({len(name)} sent)."}
        )
    if not _SHAPE.fullmatch(name):
        raise ValidationFailed(
            {field: "Use letters, digits, spaces, periods and commas only, starting with a letter."}
        )
    return name


def takes_caller_name(number_type: str) -> bool:
    """Toll-free numbers have no CNAM listing: carriers look their names up elsewhere."""
    return number_type != TOLL_FREE
