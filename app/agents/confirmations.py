"""Release confirmations: `release_number` with dry_run says what releasing would do and
answers a confirmation token; only that token, for that number, from the same API token,
within CONFIRM_SECONDS and while the number is as the dry run saw it, releases it.

The token is signed (app.links), not stored: it names the number, the API token and a digest
of the number's state (status, assistant, scheduled release), so it cannot be moved to
another number or token, and a number changed since the dry run needs a new one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.accounts.roles import Actor
from app.api.payloads import number_row
from app.exceptions import Conflict, NumberUnavailable, ValidationFailed
from app.links import LinkInvalid, sign, stamp, unsign
from app.models import ORDERING, NumberStatus, PhoneNumber, utcnow
from app.models.numbers import trial_over
from app.numbers.releasing import release_time
from app.timefmt import iso, readable

PURPOSE = "mcp-release-confirmation"
CONFIRM_SECONDS = 300


def preview(actor: Actor, number: PhoneNumber, token_id: str | None) -> dict[str, Any]:
    """What releasing the number would do now, and the token that confirms it."""
    now = utcnow()
    if number.status in ORDERING:
        raise NumberUnavailable(
            f"{number.phone_number} is still being ordered; release it once the order completes."
        )
    confirm = sign(PURPOSE, {"n": number.id, "t": token_id, "s": _state(number)})
    return {
        "dryRun": True,
        "phoneNumber": number_row(number, now),
        "wouldHappen": _consequences(number, now),
        "confirm": confirm,
        "confirmExpiresAt": iso(now + timedelta(seconds=CONFIRM_SECONDS)),
    }


def check(confirm: str, number: PhoneNumber, token_id: str | None) -> None:
    """Refuse a confirmation that is forged, expired, for another number or API token, or
    made before the number changed."""
    again = "Call release_number with dry_run=true again for a new one."
    try:
        payload = unsign(
            PURPOSE, confirm, CONFIRM_SECONDS, f"This confirmation has expired. {again}"
        )
    except LinkInvalid as error:
        message = error.message
        if not message.startswith("This confirmation"):
            message = f"This confirmation is not valid. {again}"
        raise ValidationFailed({"confirm": message}) from None
    if payload.get("n") != number.id or payload.get("t") != token_id:
        raise ValidationFailed(
            {"confirm": f"This confirmation is for another number or API token. {again}"}
        )
    if payload.get("s") != _state(number):
        raise Conflict(f"{number.phone_number} changed since the dry run. {again}")


def _consequences(number: PhoneNumber, now) -> list[str]:
    """What releasing does, in sentences an agent can repeat to a person."""
    shown = number.phone_number
    if number.release_scheduled:
        return [f"{shown} is already being released at {readable(number.release_after)}."]
    ended = trial_over(number.is_trial, number.trial_expires_at, now)
    if number.status != NumberStatus.ACTIVE or ended:
        return [f"{shown} goes back to the provider now (it no longer takes calls)."]
    said = []
    due = release_time(now, number)
    if due is None:
        said.append(f"{shown} goes back to the provider now; this cannot be undone.")
    else:
        said.append(
            f"{shown} keeps answering calls until {readable(due)}, then goes back to the "
            "provider; until then the release can be undone on the Numbers page or with "
            "the API's undo-release."
        )
        said.append("It stops counting toward the plan's limit at once.")
    if number.assistant is not None:
        said.append(f"Its assistant {number.assistant.name} stops answering on it then.")
    if number.is_trial:
        said.append("It is a free trial number: once it goes, the trial is over for good.")
    return said


def _state(number: PhoneNumber) -> str:
    return stamp(f"{number.status}|{number.assistant_id}|{iso(number.release_after)}")
