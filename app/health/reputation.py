"""Spam-risk readings for a number, behind one small interface: Telnyx's Number Reputation
where the deployment has it, a deterministic sandbox otherwise, or none.

Telnyx's published API (developers.telnyx.com, "Number Reputation" guides and the API
reference "Get reputation data for a phone number (simplified)", OpenAPI
`number-reputation/phone-numbers.yml`):
- `GET /v2/reputation/numbers/{phone_number}` with the leading "+" written `%2B`; `fresh=false`
  (the default) answers the cached reading for free, `fresh=true` a billed live one. Telnyx
  re-checks monitored numbers on its own schedule, so we read the cache.
- 200: `{"data": {"id", "enterprise_id", "phone_number", "reputation_data": {"spam_risk":
  "low"|"medium"|"high", "spam_category", "maturity_score", "connection_score",
  "engagement_score", "sentiment_score" (0-100 or null), "last_refreshed_at"}, ...}}`.
  `reputation_data` is null for a number just added, until Telnyx's first refresh: pending.
- US numbers only (Canadian ones are refused); a number must first be associated for
  monitoring (`POST /v2/enterprises/{id}/reputation/numbers`, behind an approved Letter of
  Authorization): one that is not answers 404. Errors use Telnyx's usual
  `{"errors": [{"code", "title", "detail"}]}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import requests
from flask import current_app

from app.providers.base import ProviderError
from app.providers.telnyx.http import TelnyxHttp

RISKS = ("low", "medium", "high")


@dataclass(frozen=True)
class Reading:
    outcome: str  # ok | pending | failed | unsupported
    risk: str = "unknown"  # low | medium | high | unknown
    category: str | None = None
    detail: str | None = None


class Reputation(Protocol):
    name: str

    def check(self, e164: str) -> Reading: ...


def us_number(e164: str) -> bool:
    """Telnyx rates US numbers only: the rest are not sent (it would refuse them)."""
    from app.campaigns.area_codes import place_of

    place = place_of(e164)
    return e164.startswith("+1") and place.country == "US"


class NoReputation:
    """A deployment without a reputation service: every number reads unknown, and says why."""

    name = "none"

    def check(self, e164: str) -> Reading:
        return Reading("unsupported", detail="This deployment has no number reputation service.")


class SandboxReputation:
    """A score from the number itself, the same every time, so every state can be seen:
    a number ending in 7 reads medium, in 8 high, in 9 not ready yet (unknown); others low."""

    name = "sandbox"

    def check(self, e164: str) -> Reading:
        last = e164[-1:]
        if last == "9":
            return Reading("pending", detail="The first reading is not ready yet.")
        if last == "8":
            return Reading("ok", "high", "telemarketing")
        if last == "7":
            return Reading("ok", "medium")
        return Reading("ok", "low")


class TelnyxReputation:
    """Telnyx's Number Reputation, read from its cache (see the module docstring)."""

    name = "telnyx"

    def __init__(self, api_key: str, base_url: str, *, timeout: float = 5.0):
        self.http = TelnyxHttp(api_key, base_url, read_timeout=timeout, max_get_retries=1)

    def check(self, e164: str) -> Reading:
        if not us_number(e164):
            return Reading("unsupported", detail="Telnyx rates US numbers only.")
        path = "/reputation/numbers/" + quote(e164, safe="")
        try:
            response = self.http.get_response(path, {"fresh": "false"})
        except ProviderError as error:
            return Reading("failed", detail=str(error))
        except requests.RequestException as error:  # not mapped by the helper: say so
            kind = type(error).__name__
            return Reading("failed", detail=f"The connection to Telnyx failed ({kind}).")
        if response.status_code == 404:
            return Reading(
                "unsupported",
                detail="Telnyx does not monitor this number yet (add it to Number Reputation).",
            )
        if response.status_code in (400, 422):
            detail = self.http.detail(response) or "Telnyx refused the number"
            return Reading("unsupported", detail=f"{detail}.")
        if not response.ok:
            return Reading("failed", detail=str(self.http.failure(response)))
        return self._reading(response)

    def _reading(self, response: requests.Response) -> Reading:
        try:
            body = response.json()
        except ValueError:
            body = None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return Reading("failed", detail="Telnyx answered nonsense instead of a reading.")
        reputation = data.get("reputation_data")
        if reputation is None:
            return Reading("pending", detail="Telnyx has not collected the first reading yet.")
        risk = reputation.get("spam_risk") if isinstance(reputation, dict) else None
        if risk not in RISKS:
            return Reading("failed", detail="Telnyx's reading had no spam risk we know.")
        category = reputation.get("spam_category")
        return Reading("ok", risk, str(category)[:60] if category else None)


def current_reputation() -> Reputation:
    """The deployment's reputation service, built once per app from its configuration."""
    found = current_app.extensions.get("reputation")
    if found is None:
        config = current_app.config
        if config["PHONE_PROVIDER"] == "sandbox":
            found = SandboxReputation()
        elif config.get("TELNYX_REPUTATION"):
            found = TelnyxReputation(config["TELNYX_API_KEY"], config["TELNYX_API_BASE"])
        else:
            found = NoReputation()
        current_app.extensions["reputation"] = found
    return found
