"""The one interface every telephony provider implements, and its errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from app.phone import LOCAL

FEATURES = ("voice", "sms", "mms", "fax")


@dataclass(frozen=True)
class SearchFilters:
    """Validated search filters (country upper-case ISO 3166-1 alpha-2).

    Patterns are upper-case letters and digits, matched against the national number after
    the area code when one is given (as Telnyx matches them); a letter stands for its keypad
    digit (app.numbers.patterns). `features` are all required; `sort` is "number" or "price".
    """

    country_code: str
    area_code: str | None = None
    number_type: str = LOCAL
    limit: int = 20
    locality: str | None = None
    region: str | None = None
    features: tuple[str, ...] = ()
    contains: str | None = None
    starts_with: str | None = None
    ends_with: str | None = None
    sort: str | None = None

    @property
    def narrowed(self) -> bool:
        """Whether any filter beyond the original four (country, area code, type, limit) is set."""
        return any(
            (
                self.locality,
                self.region,
                self.features,
                self.contains,
                self.starts_with,
                self.ends_with,
                self.sort,
            )
        )


@dataclass(frozen=True)
class AvailableNumber:
    """A number the provider offers, priced as the provider quoted it.

    A price is None when the provider did not say (unknown, never zero); `currency` is
    the quote's ISO 4217 code. The search service turns quotes into USD or leaves them out.
    """

    phone_number: str
    monthly_price: Decimal | None
    setup_price: Decimal | None
    currency: str | None = "USD"
    features: tuple[str, ...] = ()
    place: str = ""  # "San Francisco, CA": where the number is, as the provider says
    # Whether the provider will hold (reserve) it: some numbers can be bought but not held.
    reservable: bool = True


@dataclass(frozen=True)
class Offered:
    """One search's numbers, and how many match in all when the provider says (else None)."""

    numbers: list[AvailableNumber]
    total: int | None = None


# How long a hold lasts: Telnyx's number reservations last 30 minutes, and so do the sandbox's.
HOLD_LENGTH = timedelta(minutes=30)


@dataclass(frozen=True)
class Hold:
    """A number held for us at the provider until `expires_at` (aware, UTC); `id` may be None."""

    id: str | None
    expires_at: datetime


@dataclass(frozen=True)
class OrderResult:
    """Where an order stands for one number.

    status "active": the provider sold it; provider_number_id is the owned number's id.
    status "pending": still being completed; order_id identifies the order to ask again.
    status "failed": the provider did not sell it (detail says why, when it said).
    documents_required: the order waits for regulatory documents and may be cancelled.
    """

    status: str
    order_id: str | None = None
    provider_number_id: str | None = None
    documents_required: bool = False
    detail: str = ""
    deadline: datetime | None = None  # documents_required: when the provider cancels it


@dataclass(frozen=True)
class OwnedNumber:
    """A number on the provider account; status is "active", "pending" or "gone"."""

    id: str
    phone_number: str
    status: str


@dataclass(frozen=True)
class Requirement:
    """A document or detail the provider needs before it sells a number of some kind.

    `kind` says what answers it: "document" (a file), "address" or "textual"; `id` is the
    provider's own id for it, which a provided value names.
    """

    name: str
    description: str = ""
    id: str = ""
    kind: str = "document"


@dataclass(frozen=True)
class Address:
    """An address the provider keeps (Telnyx's `POST /addresses`) for a requirement."""

    first_name: str
    last_name: str
    business_name: str
    street_address: str
    locality: str
    postal_code: str
    country_code: str


@dataclass(frozen=True)
class Provided:
    """What a team gives for one requirement: a file, an address or a text."""

    requirement: Requirement
    text: str = ""
    filename: str = ""
    content: bytes = b""
    address: Address | None = None


@dataclass(frozen=True)
class CallerNameCheck:
    """What the provider says of a caller name it was given.

    state "pending": not confirmed yet; "accepted": it holds the name and it spreads to the
    carriers' CNAM databases; "listed": it can tell the databases show it (Telnyx cannot: a
    name it still holds is listed at the expect-by time); "rejected": refused or gone
    (`detail` says why).
    """

    state: str
    detail: str = ""


class ProviderError(Exception):
    """The provider failed or answered nonsense (our 502).

    `outcome_unknown` is set when the request may have taken effect anyway: an order or a
    release sent but not confirmed. The caller keeps what it holds and checks again later.
    """

    def __init__(self, message: str = "The telephony provider failed.", *, outcome_unknown=False):
        super().__init__(message)
        self.message = message
        self.outcome_unknown = outcome_unknown


class ProviderTimeout(ProviderError):
    """The provider did not answer in time (our 504)."""


class ProviderNumberUnavailable(ProviderError):
    """The provider says the number can no longer be ordered (our 409)."""


class ProviderRefusedInput(ProviderError):
    """The provider refused what was sent as invalid (a document, an address): our 400."""


class ProviderHoldPending(ProviderError):
    """The provider took the hold request but has not confirmed it: the number is not held."""


class Provider(Protocol):
    name: str
    # What the search service reads (app.numbers.searching), declared by each provider:
    # cache_searches: a search is slow (a network round trip), so the service may cache its
    # answer for a short while; skips_held_numbers: the answer already leaves out numbers held
    # here, so the service need not filter them again.
    cache_searches: bool
    skips_held_numbers: bool

    def search_page(self, filters: SearchFilters) -> Offered:
        """Numbers available now that match every filter (at most filters.limit), with how
        many match in all."""

    def quote(self, phone_number: str) -> AvailableNumber | None:
        """The provider's price for one number without a search, or None if it cannot say."""

    def requirements(self, country_code: str, number_type: str) -> list[Requirement]:
        """What the provider needs before it sells such a number (empty: nothing)."""

    def hold(self, phone_number: str, *, customer_reference: str) -> Hold:
        """Hold a number for us for a while; ProviderNumberUnavailable when it cannot be held."""

    def extend_hold(self, hold_id: str | None, phone_number: str) -> Hold:
        """Start a live hold's time again; ProviderNumberUnavailable when it has lapsed."""

    def order(
        self, phone_number: str, *, connection_id: str | None, customer_reference: str
    ) -> OrderResult:
        """Order one number; customer_reference is unique per purchase and finds it again.

        Raises ProviderNumberUnavailable when refused, ProviderError when nothing was
        placed, and ProviderError with outcome_unknown when the order may exist.
        """

    def check_order(self, order_id: str, phone_number: str) -> OrderResult:
        """Where a placed order stands now."""

    def find_order(self, customer_reference: str, phone_number: str) -> OrderResult | None:
        """The order placed with this reference, or None if the provider has none."""

    def provide_documents(
        self,
        order_id: str,
        phone_number: str,
        provided: list[Provided],
        *,
        customer_reference: str,
    ) -> None:
        """Give a pending order what its regulator asks for (one value per requirement).

        Raises ProviderRefusedInput when the provider refuses a value, ProviderError otherwise.
        """

    def cancel_order(self, order_id: str, phone_number: str) -> None:
        """Cancel a pending order; ProviderError when the provider will not (it has completed)."""

    def find_owned(self, phone_number: str) -> OwnedNumber | None:
        """The account's record of this number, or None if it has none (or it is deleted)."""

    def owned_numbers(self) -> Iterator[OwnedNumber]:
        """Every number on the account that is not deleted."""

    def release(self, provider_number_id: str) -> None:
        """Give an owned number back; releasing one already gone succeeds.

        Raises ProviderError with outcome_unknown when the release was sent but not confirmed.
        """

    def set_caller_name(self, provider_number_id: str, name: str) -> None:
        """Ask for the number's caller-ID name (CNAM) to be listed as `name` (already valid
        by our rules). Raises ProviderRefusedInput when the provider refuses the name."""

    def check_caller_name(
        self, provider_number_id: str, name: str, submitted_at: datetime, now: datetime
    ) -> CallerNameCheck:
        """Where the listing of `name`, asked for at `submitted_at`, stands at `now`."""
