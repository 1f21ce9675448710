"""A number's routing rules as clients send them: checked field by field, each refusal naming
its field ("routing.inbound.hours[1]"), into `Rules` ready to store.

The shape (the API's `routing` object; the number page's form is turned into the same):

    {"inbound": {"assistants": [{"assistantId": "asst_…", "weight": 80}, …],
                 "fallback": {"type": "phone" | "sip", "address": "…"} | null,
                 "answerTimeoutSeconds": 20,
                 "blocklist": ["+1900", "+14155550123"],
                 "allowedCountries": ["US", "CA"],
                 "timeZone": "America/New_York",
                 "hours": [{"day": "mon", "start": "09:00", "end": "17:00"}, …],
                 "afterHours": {"type": …, "address": …} | null},
     "outbound": {"assistantIds": ["asst_…"] | null, "teamDefault": false}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from app.exceptions import ValidationFailed
from app.models.routing import FALLBACK_KINDS
from app.routing.destinations import Destination, parse_destination
from app.routing.engine import DAYS, Window

MAX_SPLIT = 10
MAX_BLOCKLIST = 200
MAX_WINDOWS = 28
TIMEOUTS = (5, 120)
PREFIX = re.compile(r"\+[1-9][0-9]{0,14}")
CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])|24:00")
INBOUND_KEYS = (
    "assistants",
    "fallback",
    "answerTimeoutSeconds",
    "blocklist",
    "allowedCountries",
    "timeZone",
    "hours",
    "afterHours",
)
OUTBOUND_KEYS = ("assistantIds", "teamDefault")
END_OF_DAY = time.max  # "24:00": open until midnight


@dataclass(frozen=True)
class Rules:
    split: tuple[tuple[str, int], ...]  # (assistant id, weight); one entry: that assistant
    fallback: Destination | None
    answer_timeout: int
    blocklist: tuple[str, ...]
    allowed_countries: tuple[str, ...]
    time_zone: str
    hours: tuple[Window, ...]
    after_hours: Destination | None
    callers: tuple[str, ...] | None  # None: the inbound assistants may call from it
    team_default: bool


def parse_rules(body: object, assistants: set[str], allow_private: bool) -> Rules:
    """`body` (the whole routing object, merged by the caller) checked against the team's
    assistants' ids; ValidationFailed names every field that is wrong."""
    errors: dict[str, str] = {}
    body = _object(body, "routing")
    inbound = _object(body.get("inbound", {}), "routing.inbound", INBOUND_KEYS)
    outbound = _object(body.get("outbound", {}), "routing.outbound", OUTBOUND_KEYS)
    unknown = set(body) - {"inbound", "outbound"}
    if unknown:
        errors[f"routing.{sorted(unknown)[0]}"] = "Unknown field: send inbound and outbound."

    def checked(name: str, parse, *args):
        try:
            return parse(*args)
        except ValidationFailed as error:
            errors.update(error.fields)
            return None

    split = checked("assistants", _split, inbound.get("assistants"), assistants)
    fallback = checked("fallback", _place, inbound.get("fallback"), "fallback", allow_private)
    timeout = checked("timeout", _timeout, inbound.get("answerTimeoutSeconds", 20))
    blocklist = checked("blocklist", _blocklist, inbound.get("blocklist", []))
    countries = checked("countries", _countries, inbound.get("allowedCountries", []))
    zone = checked("zone", _zone, inbound.get("timeZone", "UTC"))
    hours = checked("hours", _hours, inbound.get("hours", []))
    after = checked("after", _place, inbound.get("afterHours"), "afterHours", allow_private)
    callers = checked("callers", _callers, outbound.get("assistantIds"), assistants)
    default = outbound.get("teamDefault", False)
    if not isinstance(default, bool):
        errors["routing.outbound.teamDefault"] = "Send true or false."
    if after is not None and not hours and "routing.inbound.hours" not in errors:
        errors["routing.inbound.afterHours"] = "Set opening hours first: after hours needs them."
    if errors:
        raise ValidationFailed(errors)
    return Rules(
        split, fallback, timeout, blocklist, countries, zone, hours, after, callers, default
    )


def _object(value: object, name: str, keys: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise ValidationFailed({name: "Send an object."})
    if keys and (unknown := sorted(set(value) - set(keys))):
        raise ValidationFailed(
            {f"{name}.{unknown[0][:40]}": f"Unknown field; known: {', '.join(keys)}."}
        )
    return value


def _split(value: object, assistants: set[str]) -> tuple[tuple[str, int], ...]:
    name = "routing.inbound.assistants"
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_SPLIT:
        raise ValidationFailed({name: f"Send a list of at most {MAX_SPLIT} assistants."})
    split: list[tuple[str, int]] = []
    for i, entry in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"assistantId", "weight"}:
            raise ValidationFailed({where: 'Send {"assistantId": …, "weight": …}.'})
        assistant = entry.get("assistantId")
        if not isinstance(assistant, str) or assistant not in assistants:
            raise ValidationFailed(
                {f"{where}.assistantId": "No assistant of this team has this id."}
            )
        if any(assistant == seen for seen, _ in split):
            raise ValidationFailed({f"{where}.assistantId": "This assistant is in the list twice."})
        weight = entry.get("weight", 100 if len(value) == 1 else None)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
            raise ValidationFailed({f"{where}.weight": "A whole percentage from 1 to 100."})
        split.append((assistant, weight))
    if split and sum(w for _, w in split) != 100:
        total = sum(w for _, w in split)
        raise ValidationFailed({name: f"The weights must add up to 100 (they add up to {total})."})
    return tuple(split)


def _place(value: object, name: str, allow_private: bool) -> Destination | None:
    where = f"routing.inbound.{name}"
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"type", "address"}:
        raise ValidationFailed({where: 'Send {"type": "phone" or "sip", "address": …}.'})
    return parse_destination(
        value.get("type"), value.get("address"), where, FALLBACK_KINDS, allow_private
    )


def _timeout(value: object) -> int:
    low, high = TIMEOUTS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            {"routing.inbound.answerTimeoutSeconds": f"Whole seconds from {low} to {high}."}
        )
    return value


def _blocklist(value: object) -> tuple[str, ...]:
    name = "routing.inbound.blocklist"
    if not isinstance(value, list) or len(value) > MAX_BLOCKLIST:
        raise ValidationFailed({name: f"Send a list of at most {MAX_BLOCKLIST} entries."})
    for i, entry in enumerate(value):
        if not isinstance(entry, str) or not PREFIX.fullmatch(entry):
            raise ValidationFailed(
                {f"{name}[{i}]": "A number or prefix in E.164: + then digits, like +1900."}
            )
    return tuple(dict.fromkeys(value))


def _countries(value: object) -> tuple[str, ...]:
    name = "routing.inbound.allowedCountries"
    if not isinstance(value, list) or len(value) > 250:
        raise ValidationFailed({name: 'Send a list of ISO 3166 country codes, like ["US"].'})
    for i, entry in enumerate(value):
        if not isinstance(entry, str) or entry not in phonenumbers.SUPPORTED_REGIONS:
            shown = entry[:10] if isinstance(entry, str) else "this"
            raise ValidationFailed(
                {f"{name}[{i}]": f"No country has the code {shown!r}: use two capitals, like US."}
            )
    return tuple(dict.fromkeys(value))


def _zone(value: object) -> str:
    name = "routing.inbound.timeZone"
    if isinstance(value, str) and value.isascii() and value.isprintable() and len(value) <= 64:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value
    raise ValidationFailed({name: "Use a time zone name like America/New_York or UTC."})


def _hours(value: object) -> tuple[Window, ...]:
    name = "routing.inbound.hours"
    if not isinstance(value, list) or len(value) > MAX_WINDOWS:
        raise ValidationFailed({name: f"Send a list of at most {MAX_WINDOWS} opening times."})
    windows: list[Window] = []
    for i, entry in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"day", "start", "end"}:
            raise ValidationFailed(
                {where: 'Send {"day": "mon", "start": "09:00", "end": "17:00"}.'}
            )
        day, start, end = entry["day"], _clock(entry["start"]), _clock(entry["end"])
        if day not in DAYS:
            raise ValidationFailed({f"{where}.day": f"One of {', '.join(DAYS)}."})
        if start is None or start == END_OF_DAY:
            raise ValidationFailed({f"{where}.start": "A time from 00:00 to 23:59."})
        if end is None or end <= start:
            raise ValidationFailed(
                {f"{where}.end": "A time after the start, up to 24:00 (split a night in two)."}
            )
        window = Window(day, start, end)
        if clash := next(
            (w for w in windows if w.day == day and w.start < end and start < w.end), None
        ):
            raise ValidationFailed({where: f"Overlaps {clash}."})
        windows.append(window)
    return tuple(windows)


def _clock(value: object) -> time | None:
    if not isinstance(value, str) or not CLOCK.fullmatch(value):
        return None
    if value == "24:00":
        return END_OF_DAY
    return time(int(value[:2]), int(value[3:]))


def _callers(value: object, assistants: set[str]) -> tuple[str, ...] | None:
    name = "routing.outbound.assistantIds"
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 100:
        raise ValidationFailed({name: "Send a list of assistant ids, or null for the default."})
    for i, entry in enumerate(value):
        if not isinstance(entry, str) or entry not in assistants:
            raise ValidationFailed({f"{name}[{i}]": "No assistant of this team has this id."})
    return tuple(dict.fromkeys(value))


def clock_text(moment: time) -> str:
    return "24:00" if moment == END_OF_DAY else f"{moment:%H:%M}"
