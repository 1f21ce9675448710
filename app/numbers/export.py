"""The team's numbers as CSV, with the columns a spreadsheet of phone lines needs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from app.models import PhoneNumber
from app.timefmt import iso

HEADER = [
    "phone_number",
    "label",
    "status",
    "type",
    "country",
    "assistant",
    "monthly_price_usd",
    "is_trial",
    "trial_expires_at",
    "purchased_by",
    "purchased_at",
]
# A cell a spreadsheet would run as a formula (CSV injection): shown as text instead.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def numbers_csv(numbers: Iterable[PhoneNumber], now: datetime) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for number in numbers:
        buyer = number.created_by
        writer.writerow(
            [
                number.phone_number,  # ours, always E.164: its "+" is not a formula
                _text(number.label),
                number.effective_status(now),
                number.number_type,
                number.country_code,
                _text(number.assistant.name if number.assistant else ""),
                "" if number.monthly_price is None else f"{number.monthly_price:.2f}",
                "yes" if number.is_trial else "no",
                iso(number.trial_expires_at) or "",
                _text((buyer.name or buyer.email) if buyer else ""),
                iso(number.created_at),
            ]
        )
    return out.getvalue()


def _text(value: str | None) -> str:
    value = value or ""
    return f"'{value}" if value.startswith(_FORMULA_START) else value
