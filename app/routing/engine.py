"""The routing decision for one inbound call: pure, so it is exact in tests and fast in a
call webhook (no database, no clock, no network; see `decide`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from app.phone import canonical, region
from app.routing.destinations import Destination

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


@dataclass(frozen=True)
class Target:
    """An assistant that may take the number's calls, with its share of them."""

    assistant_id: str
    name: str
    weight: int
    destination: Destination | None


@dataclass(frozen=True)
class Window:
    """Open from `start` to `end` (end excluded) on `day` ("mon" … "sun"), in local time."""

    day: str
    start: time
    end: time

    def __str__(self) -> str:
        end = "24:00" if self.end == time.max else f"{self.end:%H:%M}"
        return f"{DAY_NAMES[self.day]} {self.start:%H:%M}–{end}"


@dataclass(frozen=True)
class Routing:
    """Everything `decide` reads about one number (app.routing.store.load_routing)."""

    number: str
    targets: tuple[Target, ...] = ()
    fallback: Destination | None = None
    answer_timeout: int = 20
    blocklist: tuple[str, ...] = ()
    allowed_countries: tuple[str, ...] = ()
    time_zone: str = "UTC"
    hours: tuple[Window, ...] = ()
    after_hours: Destination | None = None


@dataclass(frozen=True)
class Step:
    """One rule looked at: its name, whether it decided the call, and what it saw."""

    rule: str  # "blocklist", "country", "hours", "split", "assistant", "destination"
    matched: bool
    detail: str


@dataclass(frozen=True)
class Decision:
    """What to do with the call, and why.

    action:      "transfer" (answer, then transfer to `destination`) or "reject".
    outcome:     what the call log records if the transfer succeeds: "answered" (an
                 assistant), "fallback" (the fallback or after-hours destination),
                 "rejected", or "no_destination" (nowhere to send it: reject it too).
    rule:        the rule that decided: "blocklist", "country", "hours", "split",
                 "assistant" (the one assistant), or "none" (no assistant on the number).
    assistant:   the assistant chosen (None when rejected, after hours, or none assigned).
    destination: where to transfer now (None when rejecting).
    fallback:    where to transfer if `destination` does not answer within
                 `answer_timeout` seconds or the transfer fails; None when there is no
                 further place to go (the call then ends).
    steps:       every rule looked at, in order, for people to read.
    """

    action: str
    outcome: str
    rule: str
    assistant: Target | None
    destination: Destination | None
    fallback: Destination | None
    answer_timeout: int
    steps: tuple[Step, ...]


def decide(
    routing: Routing,
    caller: str,
    at: datetime,
    pick: Callable[[int], int] | None = None,
) -> Decision:
    """Decide where an inbound call to `routing.number` from `caller` at `at` goes.

    caller: the caller's number as the provider gave it (E.164, or anything else for a
            withheld number: it matches no blocklist entry and no country).
    at:     an aware datetime (when the call came in); compared with the opening hours in
            `routing.time_zone`.
    pick:   the split's random source: pick(n) returns an int in [0, n). Defaults to
            random.randrange; tests pass a fixed one so the chosen assistant is exact.

    Rules, in order: the blocklist (reject), the country allow-list (reject), the opening
    hours (after hours: the after-hours destination, else the fallback), the weighted split
    (or the one assistant), then the chosen assistant's destination (none: the fallback).
    """
    steps: list[Step] = []
    number = canonical(caller)
    blocked = next((entry for entry in routing.blocklist if caller.startswith(entry)), None)
    if routing.blocklist:
        steps.append(
            Step(
                "blocklist",
                blocked is not None,
                f"{caller} matches {blocked}" if blocked else f"{caller} matches no entry",
            )
        )
    if blocked is not None:
        return _reject("blocklist", routing, steps)
    if routing.allowed_countries:
        country = region(number) if number else ""
        allowed = country in routing.allowed_countries
        where = country or "an unknown country"
        steps.append(
            Step(
                "country",
                not allowed,
                f"{where} is {'allowed' if allowed else 'not allowed'} "
                f"({', '.join(routing.allowed_countries)})",
            )
        )
        if not allowed:
            return _reject("country", routing, steps)
    if routing.hours:
        local = at.astimezone(ZoneInfo(routing.time_zone))
        day, clock = DAYS[local.weekday()], local.time().replace(tzinfo=None)
        window = next((w for w in routing.hours if w.day == day and w.start <= clock < w.end), None)
        when = f"{DAY_NAMES[day]} {clock:%H:%M} {routing.time_zone}"
        detail = f"{when} is within {window}" if window else f"{when} is after hours"
        steps.append(Step("hours", window is None, detail))
        if window is None:
            place = routing.after_hours or routing.fallback
            if place is None:
                steps.append(Step("destination", True, "No after-hours or fallback destination"))
                return _nowhere("hours", None, routing, steps)
            steps.append(Step("destination", True, f"After hours: {place.shown}"))
            return Decision(
                "transfer",
                "fallback",
                "hours",
                None,
                place,
                None,
                routing.answer_timeout,
                tuple(steps),
            )
    target, rule = _choose(routing.targets, pick or random.randrange, steps)
    if target is None:
        return _to_fallback("none", None, routing, steps, "No assistant answers on this number")
    if target.destination is None:
        return _to_fallback(rule, target, routing, steps, f"{target.name} has no destination")
    steps.append(Step("destination", True, f"{target.name} answers at {target.destination.shown}"))
    return Decision(
        "transfer",
        "answered",
        rule,
        target,
        target.destination,
        routing.fallback,
        routing.answer_timeout,
        tuple(steps),
    )


def _choose(targets, pick, steps: list[Step]) -> tuple[Target | None, str]:
    if not targets:
        steps.append(Step("assistant", False, "No assistant answers on this number"))
        return None, "none"
    if len(targets) == 1:
        steps.append(Step("assistant", True, f"{targets[0].name} takes every call"))
        return targets[0], "assistant"
    # Shares are read as given: after an assistant in the split is deleted, the rest keep
    # their proportions of what is left.
    total = sum(t.weight for t in targets)
    roll = pick(total)
    if not 0 <= roll < total:
        raise ValueError(f"pick({total}) returned {roll}")
    edge = 0
    for target in targets:
        edge += target.weight
        if roll < edge:
            break
    shares = " / ".join(f"{t.name} {t.weight}" for t in targets)
    steps.append(Step("split", True, f"Split {shares}: drew {roll} of {total}, {target.name}"))
    return target, "split"


def _reject(rule: str, routing: Routing, steps: list[Step]) -> Decision:
    return Decision(
        "reject", "rejected", rule, None, None, None, routing.answer_timeout, tuple(steps)
    )


def _nowhere(rule: str, target: Target | None, routing: Routing, steps: list[Step]) -> Decision:
    return Decision(
        "reject", "no_destination", rule, target, None, None, routing.answer_timeout, tuple(steps)
    )


def _to_fallback(rule, target, routing: Routing, steps: list[Step], why: str) -> Decision:
    if routing.fallback is None:
        steps.append(Step("destination", True, f"{why}, and there is no fallback"))
        return _nowhere(rule, target, routing, steps)
    steps.append(Step("destination", True, f"{why}: the fallback, {routing.fallback.shown}"))
    return Decision(
        "transfer",
        "fallback",
        rule,
        target,
        routing.fallback,
        None,
        routing.answer_timeout,
        tuple(steps),
    )
