"""A provider's failure as the domain error the API and the pages answer with."""

from __future__ import annotations

from app.exceptions import NumberUnavailable, ProviderFailed, ProviderTimedOut, ServiceError
from app.providers.base import ProviderError, ProviderNumberUnavailable, ProviderTimeout


def provider_failure(error: ProviderError, unknown_outcome: str = "") -> ServiceError:
    """The domain error; `unknown_outcome` is said instead when the provider may have acted."""
    if isinstance(error, ProviderNumberUnavailable):
        return NumberUnavailable(error.message)
    kind = ProviderTimedOut if isinstance(error, ProviderTimeout) else ProviderFailed
    if error.outcome_unknown and unknown_outcome:
        return kind(f"{error.message} {unknown_outcome}", outcome_unknown=True)
    return kind(error.message, outcome_unknown=error.outcome_unknown)
