"""A number's health: what is known about it today, as a list of checks.

Each check is {"check", "ok", "detail"}; a later health score adds checks (calls answered,
carrier state) and fills `score`, without changing the shape agents already read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.api.payloads import number_row
from app.models import ORDERING, NumberStatus, PhoneNumber
from app.timefmt import iso, readable


def report(number: PhoneNumber, now: datetime) -> dict[str, Any]:
    state = number.effective_status(now)
    checks = [
        _state_check(number, state),
        _assistant_check(number),
        *_trial_check(number, now),
        *_release_check(number),
    ]
    return {
        "phoneNumber": number_row(number, now),
        "health": {
            "state": str(state),
            "ok": all(check["ok"] for check in checks),
            "checks": checks,
            "provider": _provider(number),
            "score": None,  # not scored yet: the checks are what is known
        },
    }


def _check(name: str, ok: bool, detail: str) -> dict[str, Any]:
    return {"check": name, "ok": ok, "detail": detail}


def _state_check(number: PhoneNumber, state: str) -> dict[str, Any]:
    if state == NumberStatus.ACTIVE:
        return _check("state", True, "Active: it takes calls.")
    if state in ORDERING:
        why = (
            " (the provider waits for regulatory documents)"
            if (number.status_reason == "documents")
            else ""
        )
        return _check("state", False, f"Still being ordered at the provider{why}.")
    if number.release_scheduled:
        return _check("state", True, "Active until its release falls due.")
    if state == NumberStatus.EXPIRED:
        return _check("state", False, "Its free trial has ended: it no longer takes calls.")
    return _check("state", False, "Being released at the provider.")


def _assistant_check(number: PhoneNumber) -> dict[str, Any]:
    if number.assistant is None:
        return _check("assistant", False, "No assistant answers on it: assign one.")
    return _check("assistant", True, f"Answered by {number.assistant.name}.")


def _trial_check(number: PhoneNumber, now: datetime) -> list[dict[str, Any]]:
    if not number.is_trial or number.trial_expires_at is None:
        return []
    if number.trial_expires_at <= now:
        return [_check("trial", False, f"Its trial ended at {readable(number.trial_expires_at)}.")]
    return [
        _check(
            "trial",
            True,
            f"A free trial until {readable(number.trial_expires_at)}; then it is released "
            "unless the team moves to a paid plan.",
        )
    ]


def _release_check(number: PhoneNumber) -> list[dict[str, Any]]:
    if not number.release_scheduled:
        return []
    return [
        _check(
            "release",
            False,
            f"Its release is due at {readable(number.release_after)}; it can be undone until then.",
        )
    ]


def _provider(number: PhoneNumber) -> dict[str, Any]:
    """What the provider has told us about it (nothing is asked now)."""
    return {
        "name": number.provider,
        "numberId": number.provider_number_id,
        "orderId": number.provider_order_id,
        "activatedAt": iso(number.activated_at),
    }
