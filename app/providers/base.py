"""The one interface every telephony provider implements, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

LOCAL = "local"
TOLL_FREE = "toll-free"
NUMBER_TYPES = (LOCAL, TOLL_FREE)


@dataclass(frozen=True)
class SearchFilters:
    """Validated search filters (country upper-case ISO 3166-1 alpha-2)."""

    country_code: str
    area_code: str | None = None
    number_type: str = LOCAL
    limit: int = 20


@dataclass(frozen=True)
class AvailableNumber:
    """A number the provider offers; prices are USD strings with two decimals."""

    phone_number: str
    monthly_price: str
    setup_price: str
    features: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class OrderResult:
    """Where an order stands.

    status is "active" (provider_number_id is the owned number's id) or
    "pending" (order_id identifies the order to check again later).
    Prices and features are given when the provider knows them at order time.
    """

    status: str
    provider_number_id: str | None = None
    order_id: str | None = None
    monthly_price: str | None = None
    setup_price: str | None = None
    features: tuple[str, ...] = ()


class ProviderError(Exception):
    """The provider failed or answered nonsense (our 502)."""

    def __init__(self, message: str = "The telephony provider failed."):
        super().__init__(message)
        self.message = message


class ProviderTimeout(ProviderError):
    """The provider did not answer in time (our 504)."""


class ProviderNumberUnavailable(ProviderError):
    """The provider says the number can no longer be ordered (our 409)."""


class Provider(Protocol):
    name: str

    def search(self, filters: SearchFilters) -> list[AvailableNumber]:
        """Numbers available now that match every filter, at most filters.limit."""

    def order(
        self, phone_number: str, *, connection_id: str | None, customer_reference: str
    ) -> OrderResult:
        """Order one number; customer_reference is unique per purchase attempt."""

    def check_order(self, order_id: str, phone_number: str) -> OrderResult:
        """Settle a pending order; raises ProviderNumberUnavailable if it failed."""

    def find_owned(self, phone_number: str) -> str | None:
        """The id of an owned number, or None if the account does not hold it."""

    def release(self, provider_number_id: str) -> None:
        """Give an owned number back; releasing one already gone succeeds."""
