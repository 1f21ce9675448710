"""The number page's routing form, turned into the API's `routing` object and back.

The page offers what most numbers need (up to three assistants in a split, one opening
window per weekday); the API takes more (ten assistants, several windows a day). The
rules are checked once, by app.routing.rules, and each refusal is shown beside its field.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from app.phone import normalise
from app.routing.engine import DAY_NAMES, DAYS

SPLIT_ROWS = 3
_SEPARATORS = re.compile(r"[\s,;]+")


def form_to_routing(form: MultiDict) -> tuple[dict[str, Any], list[str]]:
    """The routing the form asks for, and each hours entry's day (to name errors)."""
    split = []
    for i in range(SPLIT_ROWS):
        assistant = form.get(f"assistant_{i}", "")
        weight = _whole(form.get(f"weight_{i}", ""))
        if assistant or weight != "":
            # A share without an assistant is refused beside the assistant's box.
            entry = {"assistantId": assistant or None}
            split.append({**entry, **({} if weight == "" else {"weight": weight})})
    days, hours = [], []
    for day in DAYS:
        start, end = form.get(f"hours_{day}_start", ""), form.get(f"hours_{day}_end", "")
        if start or end:
            days.append(day)
            hours.append({"day": day, "start": start, "end": end})
    inbound = {
        "assistants": split,
        "fallback": _place(form.get("fallback", "")),
        "answerTimeoutSeconds": _whole(form.get("answer_timeout", "20")),
        "blocklist": [e for e in _SEPARATORS.split(form.get("blocklist", "")) if e],
        "allowedCountries": [
            e.upper() if e.isascii() else e
            for e in _SEPARATORS.split(form.get("countries", ""))
            if e
        ],
        "timeZone": form.get("time_zone", "").strip() or "UTC",
        "hours": hours,
        "afterHours": _place(form.get("after_hours", "")),
    }
    custom = form.get("outbound", "inbound")
    outbound: dict[str, Any] = {"teamDefault": "team_default" in form}
    if custom == "custom":
        outbound["assistantIds"] = form.getlist("caller")
    elif custom == "inbound":
        outbound["assistantIds"] = None
    else:
        outbound["assistantIds"] = "?"  # refused by the rules, named on the form
    return {"inbound": inbound, "outbound": outbound}, days


def _whole(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else text


def _place(text: str) -> dict[str, str] | None:
    """One box for a fallback: a SIP URI (sip:…) or a phone number in any spelling."""
    text = text.strip()
    if not text:
        return None
    if text.lower().startswith(("sip:", "sips:")):
        return {"type": "sip", "address": text}
    return {"type": "phone", "address": normalise(text) or text}


def form_errors(fields: dict[str, str], days: list[str]) -> dict[str, str]:
    """The rules' field names ("routing.inbound.hours[1].end") as the form's ("hours_tue")."""
    shown: dict[str, str] = {}
    for name, message in fields.items():
        shown.setdefault(_form_field(name, days), message)
    return shown


def _form_field(name: str, days: list[str]) -> str:
    part = name.removeprefix("routing.").removeprefix("inbound.").removeprefix("outbound.")
    if match := re.match(r"assistants\[(\d+)\]\.(assistantId|weight)", part):
        return f"{'assistant' if match[2] == 'assistantId' else 'weight'}_{match[1]}"
    if match := re.match(r"assistants\[(\d+)\]", part):
        return f"assistant_{match[1]}"
    if match := re.match(r"hours\[(\d+)\]", part):
        return f"hours_{days[int(match[1])]}"
    base = re.split(r"[.\[]", part)[0]
    return {
        "assistants": "split",
        "fallback": "fallback",
        "answerTimeoutSeconds": "answer_timeout",
        "blocklist": "blocklist",
        "allowedCountries": "countries",
        "timeZone": "time_zone",
        "hours": "hours",
        "afterHours": "after_hours",
        "assistantIds": "callers",
        "teamDefault": "team_default",
    }.get(base, "routing")


def routing_to_form(routing: dict[str, Any]) -> dict[str, Any]:
    """The stored routing as the form's values (what the page shows in each box)."""
    inbound, outbound = routing["inbound"], routing["outbound"]
    values: dict[str, Any] = {
        "fallback": _shown(inbound["fallback"]),
        "after_hours": _shown(inbound["afterHours"]),
        "answer_timeout": inbound["answerTimeoutSeconds"],
        "blocklist": "\n".join(inbound["blocklist"]),
        "countries": ", ".join(inbound["allowedCountries"]),
        "time_zone": inbound["timeZone"],
        "outbound": "custom" if outbound["assistantIds"] is not None else "inbound",
        "callers": [c["assistantId"] for c in outbound["callers"]],
        "team_default": outbound["teamDefault"],
    }
    for i, entry in enumerate(inbound["assistants"][:SPLIT_ROWS]):
        values[f"assistant_{i}"] = entry["assistantId"]
        values[f"weight_{i}"] = entry["weight"]
    for window in inbound["hours"]:
        values.setdefault(f"hours_{window['day']}_start", window["start"])
        values.setdefault(f"hours_{window['day']}_end", window["end"])
    return values


def values_from_form(form: MultiDict) -> dict[str, Any]:
    """A refused form's values as sent, so the page shows what was typed."""
    values: dict[str, Any] = {key: form.get(key, "") for key in form}
    values["callers"] = form.getlist("caller")
    values["team_default"] = "team_default" in form
    return values


def _shown(place: dict[str, str] | None) -> str:
    return place["address"] if place else ""


WEEKDAYS = [(day, DAY_NAMES[day]) for day in DAYS]
