"""An embedded provider: realistic, deterministic numbers with no account and no network.

Where a country has numbers reserved for fiction the sandbox offers only those, so no real
subscriber's number is ever shown (app.providers.sandbox_numbers says which, and their price).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from app.phone import LOCAL, digits, number_type, region
from app.providers.base import (
    HOLD_LENGTH,
    AvailableNumber,
    CallerNameCheck,
    Hold,
    Offered,
    OrderResult,
    OwnedNumber,
    Provided,
    ProviderError,
    ProviderNumberUnavailable,
    ProviderRefusedInput,
    Requirement,
    SearchFilters,
)
from app.providers.places import place_of
from app.providers.sandbox_numbers import (
    is_offered,
    is_reservable,
    matching_numbers,
    offer_features,
    offer_price,
)

# Countries where, as at real carriers, a local number needs documents before it is sold.
REGULATED = ("DE", "FR", "IT", "ES", "BE")
_DOCUMENTS = (
    Requirement(
        "Proof of address",
        "A utility bill or bank statement from the number's area.",
        "sbx-proof-of-address",
        "document",
    ),
    Requirement(
        "Identity document",
        "A passport or national identity card of the end user.",
        "sbx-identity",
        "document",
    ),
    Requirement(
        "Service address",
        "Where the number is used: street, postal code and city in the number's area.",
        "sbx-address",
        "address",
    ),
)
# An order waiting for documents is cancelled after this many seconds in the sandbox.
DOCUMENTS_DEADLINE = 15 * 60
SANDBOX_CNAM_PENDING = timedelta(minutes=5)
SANDBOX_CNAM_LISTED = timedelta(minutes=15)
_CANCELLED = "Cancelled: the documents were not provided by the deadline"


class SandboxProvider:
    """Offers numbers from fictional ranges and sells them at once, except where the
    country asks for documents (then the order waits, and is cancelled at a deadline).

    `held` says which of some numbers are taken here; `owned` lists what the platform holds
    from the sandbox, which is the sandbox's whole "account".
    """

    name = "sandbox"
    cache_searches = False  # it answers in microseconds, and refills past numbers held here
    skips_held_numbers = True  # `held` is consulted while filling the answer

    def __init__(
        self,
        held: Callable[[list[str]], Collection[str]] | None = None,
        owned: Callable[[], Iterable[tuple[str, str]]] | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self._held = held or (lambda numbers: ())
        self._owned = owned or (lambda: ())
        self._clock = clock
        # Orders whose documents were provided (the sandbox approves them at once) or that
        # were cancelled: the one thing the sandbox remembers, for this process's life.
        self._approved: set[str] = set()
        self._cancelled: set[str] = set()

    def search_page(self, filters: SearchFilters) -> Offered:
        """The first `limit` matching numbers nobody here holds, and how many there are in all."""
        features = offer_features(filters.country_code, filters.number_type)
        if not set(filters.features) <= set(features):
            return Offered([], 0)
        matching = matching_numbers(filters)
        taken = set(self._held(list(matching))) if matching else set()
        free = [n for n in matching if n not in taken]
        monthly, setup = offer_price(filters.number_type, filters.country_code)
        numbers = [
            AvailableNumber(
                n, monthly, setup, "USD", features, place_of(n), reservable=is_reservable(n)
            )
            for n in free[: filters.limit]
        ]
        return Offered(numbers, len(free))

    def quote(self, phone_number: str) -> AvailableNumber | None:
        """The sandbox's price for a number it offers (a real provider quotes in its search)."""
        if not self.offers(phone_number):
            return None
        kind, country = number_type(phone_number), region(phone_number)
        monthly, setup = offer_price(kind, country)
        return AvailableNumber(
            phone_number,
            monthly,
            setup,
            "USD",
            offer_features(country, kind),
            place_of(phone_number),
            reservable=is_reservable(phone_number),
        )

    def offers(self, phone_number: str) -> bool:
        """Whether the number is one this sandbox would offer in some search."""
        return is_offered(phone_number)

    def hold(self, phone_number: str, *, customer_reference: str) -> Hold:
        """The sandbox holds any number it offers that is reservable, as Telnyx does; the
        platform's cart is what keeps it."""
        if not self.offers(phone_number):
            raise ProviderNumberUnavailable(f"{phone_number} is not available to hold.")
        if not is_reservable(phone_number):
            raise ProviderNumberUnavailable(
                f"{phone_number} cannot be held at the provider; it can still be bought."
            )
        return Hold(None, datetime.fromtimestamp(self._clock(), UTC) + HOLD_LENGTH)

    def extend_hold(self, hold_id: str | None, phone_number: str) -> Hold:
        return self.hold(phone_number, customer_reference="")

    def requirements(self, country_code: str, number_type: str) -> list[Requirement]:
        if number_type == LOCAL and country_code in REGULATED:
            return list(_DOCUMENTS)
        return []

    def order(
        self, phone_number: str, *, connection_id: str | None, customer_reference: str
    ) -> OrderResult:
        if not self.offers(phone_number):
            raise ProviderNumberUnavailable(f"{phone_number} is not available to order.")
        if self.requirements(region(phone_number), number_type(phone_number)):
            # The order id carries its own creation time: the sandbox keeps no state.
            placed = int(self._clock())
            order_id = f"sbx-{placed}-{digits(phone_number)}"
            deadline = datetime.fromtimestamp(placed + DOCUMENTS_DEADLINE, UTC)
            return OrderResult("pending", order_id, documents_required=True, deadline=deadline)
        return OrderResult("active", f"sbx-{digits(phone_number)}", _owned_id(phone_number))

    def check_order(self, order_id: str, phone_number: str) -> OrderResult:
        parts = order_id.split("-")
        if len(parts) == 3 and parts[0] == "sbx" and parts[1].isdigit():
            if order_id in self._cancelled:
                return OrderResult("failed", order_id, detail="Cancelled by the team")
            if order_id in self._approved:
                return OrderResult("active", order_id, _owned_id(phone_number))
            if self._clock() - int(parts[1]) > DOCUMENTS_DEADLINE:
                return OrderResult("failed", order_id, detail=_CANCELLED)
            deadline = datetime.fromtimestamp(int(parts[1]) + DOCUMENTS_DEADLINE, UTC)
            return OrderResult("pending", order_id, documents_required=True, deadline=deadline)
        if len(parts) == 2 and parts[0] == "sbx":
            return OrderResult("active", order_id, _owned_id(phone_number))
        raise ProviderError(f"The sandbox has no order {order_id}.")

    def provide_documents(
        self,
        order_id: str,
        phone_number: str,
        provided: list[Provided],
        *,
        customer_reference: str,
    ) -> None:
        """The sandbox checks that each requirement is answered, then approves the order."""
        self._waiting(order_id, phone_number)
        answered = {given.requirement.id for given in provided if _answered(given)}
        wanted = self.requirements(region(phone_number), number_type(phone_number))
        if missing := [r.name for r in wanted if r.id not in answered]:
            raise ProviderRefusedInput(f"The sandbox still needs: {', '.join(missing)}.")
        self._approved.add(order_id)

    def cancel_order(self, order_id: str, phone_number: str) -> None:
        self._waiting(order_id, phone_number)
        self._cancelled.add(order_id)

    def _waiting(self, order_id: str, phone_number: str) -> None:
        if self.check_order(order_id, phone_number).status != "pending":
            raise ProviderError("The order is no longer pending.")

    def find_order(self, customer_reference: str, phone_number: str) -> OrderResult | None:
        return None  # sandbox orders answer at once, so a lost answer means none was placed

    def find_owned(self, phone_number: str) -> OwnedNumber | None:
        return None

    def owned_numbers(self) -> Iterator[OwnedNumber]:
        for owned_id, phone_number in self._owned():
            yield OwnedNumber(owned_id, phone_number, "active")

    def release(self, provider_number_id: str) -> None:
        return None

    # Caller-ID names, deterministic with time so `make run` shows every state in minutes:
    # unconfirmed for SANDBOX_CNAM_PENDING after the request, then spreading, then listed
    # at SANDBOX_CNAM_LISTED (a real listing takes 24-72 hours). A name with the word TEST
    # is refused once checked, as carriers' CNAM databases refuse generic names.
    def set_caller_name(self, provider_number_id: str, name: str) -> None:
        return None

    def check_caller_name(
        self, provider_number_id: str, name: str, submitted_at: datetime, now: datetime
    ) -> CallerNameCheck:
        if now - submitted_at < SANDBOX_CNAM_PENDING:
            return CallerNameCheck("pending")
        if "TEST" in name.upper().replace(",", " ").replace(".", " ").split():
            return CallerNameCheck(
                "rejected", "The carriers' CNAM databases refused a generic name (TEST)."
            )
        return CallerNameCheck(
            "listed" if now - submitted_at >= SANDBOX_CNAM_LISTED else "accepted"
        )


def _answered(given: Provided) -> bool:
    if given.requirement.kind == "document":
        return bool(given.content)
    if given.requirement.kind == "address":
        return given.address is not None
    return bool(given.text.strip())


def _owned_id(phone_number: str) -> str:
    return f"sandbox-{digits(phone_number)}"
