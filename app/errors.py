"""Domain errors raised by the services; each surface turns them into its own answer.

`code` is the contract's error code; the API maps it to a status, the pages to a message.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    code = "invalid_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationFailed(ServiceError):
    """One or more fields are wrong; `fields` maps the field's path to a sentence."""

    code = "invalid_request"

    def __init__(self, fields: dict[str, str], message: str = "The request is not valid."):
        super().__init__(message)
        self.fields = fields


class TeamNotFound(ServiceError):
    """The team does not exist or the caller is not a member: never say which."""

    code = "team_not_found"

    def __init__(self, message: str = "Team not found."):
        super().__init__(message)


class PlanLimitReached(ServiceError):
    code = "plan_limit_reached"

    def __init__(self, message: str, eligibility: dict[str, Any]):
        super().__init__(message)
        self.eligibility = eligibility


class NumberUnavailable(ServiceError):
    code = "number_unavailable"


class ProviderFailed(ServiceError):
    code = "provider_error"


class ProviderTimedOut(ServiceError):
    code = "provider_timeout"


class NotFound(ServiceError):
    """An assistant or number that does not exist or is not in the caller's teams."""

    code = "not_found"
