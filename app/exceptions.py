"""Domain exceptions: each knows its HTTP status and the contract's error code.

The services raise these; one handler per surface turns them into an answer (the JSON
envelope for the API, a page or fragment for the dashboard), so no view maps them itself.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request the rules refuse; subclasses say why.

    `extra` holds fields the API's error answer carries beside `error` (a plan refusal's
    `eligibility`, say): the envelope adds them as they are.
    """

    status = 400
    code = "invalid_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        self.extra: dict[str, Any] = {}

    @property
    def headers(self) -> dict[str, str]:
        """Headers the answer carries along with the envelope."""
        return {}


class ValidationFailed(ServiceError):
    """One or more fields are wrong; `fields` maps the field's path to a sentence."""

    def __init__(self, fields: dict[str, str], message: str = "The request is not valid."):
        super().__init__(message)
        self.fields = fields


class NameTaken(ValidationFailed):
    """A name the team already uses: the request is fine, the team's state says no."""

    status = 409
    code = "conflict"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class PermissionDenied(ServiceError):
    """The caller is in the team, but their role may not do this."""

    status = 403
    code = "forbidden"


class InsufficientScope(ServiceError):
    """The API token was not given the scope this call needs (RFC 6750's insufficient_scope).

    `only` names who may give a token that scope when the token's user may not ("an owner
    of a team"): the message then says so, instead of sending them to make a token.
    """

    status = 403
    code = "insufficient_scope"

    def __init__(self, scope: str, token: str, only: str | None = None):
        advice = (
            f"only {only} can give a token that scope."
            if only
            else "make a token with it on the API tokens page."
        )
        super().__init__(f"This API token ({token}) lacks the {scope} scope: {advice}")
        self.scope = scope

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{self.scope}"'}


class PlanLimitReached(ServiceError):
    status = 403
    code = "plan_limit_reached"

    def __init__(self, message: str, eligibility: dict[str, Any]):
        super().__init__(message)
        self.eligibility = eligibility
        self.extra["eligibility"] = eligibility


class SpendCapReached(ServiceError):
    """A purchase that would take the team's spend this month past its cap.

    `spending` is {"cap", "spent", "thisPurchase"} as USD strings (thisPurchase null when the
    number has no quoted price, which a capped team cannot buy).
    """

    status = 403
    code = "spend_cap_reached"

    def __init__(self, message: str, spending: dict[str, Any]):
        super().__init__(message)
        self.spending = spending
        self.extra["spending"] = spending


class TeamNotFound(ServiceError):
    """The team does not exist or the caller is not a member: never say which."""

    status = 404
    code = "team_not_found"

    def __init__(self, message: str = "Team not found."):
        super().__init__(message)


class NotFound(ServiceError):
    """An assistant, number or token that does not exist or is not the caller's to see."""

    status = 404
    code = "not_found"


class RateLimited(ServiceError):
    """Too many of one action in a while (invitations, password checks): the message says how
    long to wait; pages show it beside the form."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Conflict(ServiceError):
    """The thing changed under the request (deleted meanwhile, say): retrying may work."""

    status = 409
    code = "conflict"


class NumberUnavailable(ServiceError):
    status = 409
    code = "number_unavailable"


class TooLateToUndo(NumberUnavailable):
    """Undo asked for a release that the sweep has taken (under way or done)."""


class QuoteExpired(Conflict):
    """A purchase quote past its few minutes: ask for a new one."""

    code = "quote_expired"


class QuoteUsed(Conflict):
    """A purchase quote a purchase has already taken: each quote buys once."""

    code = "quote_used"


class PriceChanged(Conflict):
    """The provider's price moved since the quote; `extra["quote"]` is a new one at the new
    price, to buy with if it suits."""

    code = "price_changed"


class IdempotencyKeyInUse(ServiceError):
    status = 409
    code = "idempotency_key_in_use"


class IdempotencyKeyReused(ServiceError):
    status = 422
    code = "idempotency_key_reused"


class ProviderFailed(ServiceError):
    """The telephony provider failed or answered nonsense.

    `outcome_unknown` is set when the provider may have acted anyway (an order or a
    release that it did not confirm): the pages and the API then say it is being checked.
    """

    status = 502
    code = "provider_error"

    def __init__(self, message: str, outcome_unknown: bool = False):
        super().__init__(message)
        self.outcome_unknown = outcome_unknown


class ProviderTimedOut(ProviderFailed):
    status = 504
    code = "provider_timeout"


class BillingFailed(ServiceError):
    """The billing provider (Stripe) refused or failed; nothing about the plan changed."""

    status = 502
    code = "billing_error"


class NoCallerId(ServiceError):
    """No number of the campaign may call now: all at their cap, cooling down, resting, not
    active, or the campaign is paused."""

    status = 409
    code = "no_caller_id"


class NoNumberNearby(Conflict):
    """Replace found no number on offer in the old number's area code (or state): the
    answer names the wider place to try (`extra["tryScope"]`)."""

    code = "no_number_nearby"

    def __init__(self, message: str, try_scope: str | None):
        super().__init__(message)
        if try_scope:
            self.extra["tryScope"] = try_scope
