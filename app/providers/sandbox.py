"""An embedded provider: realistic, deterministic numbers with no account and no network.

Where a country has numbers reserved for fiction (US/CA 555-01XX, Ofcom's drama ranges,
ACMA's, ARCEP's) the sandbox offers those, so no real subscriber's number is ever shown.
Elsewhere it varies the last digits of phonenumbers' own example number.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import islice

import phonenumbers
from phonenumbers import PhoneNumberType

from app.phone import LOCAL, MOBILE, NATIONAL, TOLL_FREE, digits, number_type, region
from app.providers.base import (
    HOLD_LENGTH,
    AvailableNumber,
    Hold,
    Offered,
    OrderResult,
    OwnedNumber,
    ProviderError,
    ProviderNumberUnavailable,
    Requirement,
    SearchFilters,
)
from app.providers.places import in_place, place_of
from app.vanity import match_span

# Nationally significant number prefixes; each is followed by `width` free digits.
# NANP: NPA + 555 + 01XX. Others: the regulators' drama/fiction ranges.
_NANP_LOCAL_AREAS = {
    "US": ("415", "212", "312", "646", "213", "617", "206", "512", "303", "404"),
    "CA": ("416", "604", "514", "403", "613", "780"),
}
_NANP_TOLL_FREE_AREAS = ("800", "833", "844", "855", "866", "877", "888")
_FICTIONAL: dict[tuple[str, str], tuple[tuple[str, int], ...]] = {
    ("GB", LOCAL): (("2079460", 3), ("1134960", 3), ("1214960", 3), ("1614960", 3)),
    ("GB", TOLL_FREE): (("8081570", 3),),
    ("AU", LOCAL): (("25550", 4), ("37010", 4), ("75550", 4), ("87010", 4)),
    ("FR", LOCAL): (("199000", 3), ("261910", 3)),
}
_LOCAL_TYPES = {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_TYPES = {
    LOCAL: _LOCAL_TYPES,
    TOLL_FREE: {PhoneNumberType.TOLL_FREE},
    MOBILE: {PhoneNumberType.MOBILE},
    NATIONAL: {PhoneNumberType.UAN},
}
_EXAMPLE_TYPE = {
    LOCAL: PhoneNumberType.FIXED_LINE,
    TOLL_FREE: PhoneNumberType.TOLL_FREE,
    MOBILE: PhoneNumberType.MOBILE,
    NATIONAL: PhoneNumberType.UAN,
}
# Countries where, as at real carriers, a local number needs documents before it is sold.
REGULATED = ("DE", "FR", "IT", "ES", "BE")
_DOCUMENTS = (
    Requirement("Proof of address", "A utility bill or bank statement from the number's area."),
    Requirement("Identity document", "A passport or national identity card of the end user."),
)
# An order waiting for documents is cancelled after this many seconds in the sandbox.
DOCUMENTS_DEADLINE = 15 * 60
_CANCELLED = "Cancelled: the documents were not provided by the deadline"
# How many candidates a search looks at, at most: keeps a search well under a millisecond
# of work per result even when most candidates are already held.
_MAX_CANDIDATES = 2000


def _nanp_prefixes(country: str, filters: SearchFilters) -> list[tuple[str, int]]:
    if filters.area_code:
        areas: Collection[str] = (filters.area_code,)
    elif filters.number_type == TOLL_FREE:
        areas = _NANP_TOLL_FREE_AREAS
    else:
        areas = _NANP_LOCAL_AREAS[country]
    return [(f"{area}55501", 2) for area in areas]


@lru_cache(maxsize=1024)
def _example_prefixes(country: str, number_type: str) -> list[tuple[str, int]]:
    example = phonenumbers.example_number_for_type(country, _EXAMPLE_TYPE[number_type])
    if example is None:
        return []
    national = phonenumbers.national_significant_number(example)
    width = 2 if len(national) <= 6 else 3
    return [(national[:-width], width)]


def _prefixes(filters: SearchFilters) -> list[tuple[str, int]]:
    country = filters.country_code
    if country in _NANP_LOCAL_AREAS:
        return _nanp_prefixes(country, filters)
    return list(_FICTIONAL.get((country, filters.number_type), ())) or _example_prefixes(
        country, filters.number_type
    )


def _candidates(filters: SearchFilters) -> Iterator[str]:
    """E.164 numbers in the sandbox's ranges that are valid and of the asked type, in order."""
    calling_code = phonenumbers.country_code_for_region(filters.country_code)
    wanted = _TYPES[filters.number_type]
    for prefix, width in _prefixes(filters):
        for suffix in range(10**width):
            e164 = f"+{calling_code}{prefix}{suffix:0{width}d}"
            number = phonenumbers.parse(e164)
            if (
                phonenumbers.is_valid_number_for_region(number, filters.country_code)
                and phonenumbers.number_type(number) in wanted
            ):
                yield e164


class _CandidateList:
    """A filter set's candidates, worked out as far as searches have needed, once per process.

    The candidates never change for a filter set; computing all of them up front costs a
    quarter of a second per country, so they are extended only as far as a search reads.
    """

    def __init__(self, filters: SearchFilters):
        self._source = islice(_candidates(filters), _MAX_CANDIDATES)
        self._found: list[str] = []
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[str]:
        index = 0
        while True:
            with self._lock:
                while index >= len(self._found):
                    following = next(self._source, None)
                    if following is None:
                        return
                    self._found.append(following)
                value = self._found[index]
            yield value
            index += 1


@lru_cache(maxsize=1024)
def _candidate_list(country: str, area_code: str | None, number_type: str) -> _CandidateList:
    return _CandidateList(SearchFilters(country, area_code, number_type))


@lru_cache(maxsize=256)
def _matching_cached(
    country: str,
    area_code: str | None,
    kind: str,
    locality: str | None,
    region: str | None,
    patterns: tuple[str | None, str | None, str | None],
) -> tuple[str, ...]:
    contains, starts_with, ends_with = patterns
    return tuple(
        n
        for n in _candidate_list(country, area_code, kind)
        if (not (locality or region) or in_place(place_of(n), locality, region))
        and match_span(
            n,
            area_code=area_code,
            contains=contains,
            starts_with=starts_with,
            ends_with=ends_with,
        )
        is not None
    )


def _matching(filters: SearchFilters) -> tuple[str, ...]:
    """Every candidate that matches the place and the patterns (held or not), in order."""
    return _matching_cached(
        filters.country_code,
        filters.area_code,
        filters.number_type,
        filters.locality,
        filters.region,
        (filters.contains, filters.starts_with, filters.ends_with),
    )


def _price(number_type: str, country: str) -> tuple[Decimal, Decimal]:
    """Plausible, stable prices: NANP flat, elsewhere a per-country base; toll-free dearer."""
    if _is_nanp(country):
        monthly = Decimal("1.00") if number_type == LOCAL else Decimal("2.00")
        return monthly, Decimal("1.00")
    # A stable per-country cents offset, so prices differ between countries but never move.
    cents = int(hashlib.sha256(country.encode()).hexdigest(), 16) % 300
    monthly_cents = 150 + cents + (200 if number_type == TOLL_FREE else 0)
    return Decimal(monthly_cents) / 100, Decimal("1.00")


def _is_nanp(country: str) -> bool:
    return phonenumbers.country_code_for_region(country) == 1


def _features(country: str, number_type: str) -> tuple[str, ...]:
    if _is_nanp(country):
        return ("voice", "sms")
    return ("voice",)


class SandboxProvider:
    """Offers numbers from fictional ranges and sells them at once, except where the
    country asks for documents (then the order waits, and is cancelled at a deadline).

    `held` says which of some numbers are taken here; `owned` lists what the platform holds
    from the sandbox, which is the sandbox's whole "account".
    """

    name = "sandbox"
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

    def search(self, filters: SearchFilters) -> list[AvailableNumber]:
        return self.search_page(filters).numbers

    def search_page(self, filters: SearchFilters) -> Offered:
        """The first `limit` matching numbers nobody here holds, and how many there are in all."""
        features = _features(filters.country_code, filters.number_type)
        if not set(filters.features) <= set(features):
            return Offered([], 0)
        matching = _matching(filters)
        taken = set(self._held(list(matching))) if matching else set()
        free = [n for n in matching if n not in taken]
        monthly, setup = _price(filters.number_type, filters.country_code)
        numbers = [
            AvailableNumber(n, monthly, setup, "USD", features, place_of(n))
            for n in free[: filters.limit]
        ]
        return Offered(numbers, len(free))

    def quote(self, phone_number: str) -> AvailableNumber | None:
        """The sandbox's price for a number it offers (a real provider quotes in its search)."""
        if not self.offers(phone_number):
            return None
        kind, country = number_type(phone_number), region(phone_number)
        monthly, setup = _price(kind, country)
        return AvailableNumber(
            phone_number, monthly, setup, "USD", _features(country, kind), place_of(phone_number)
        )

    def offers(self, phone_number: str) -> bool:
        """Whether the number is one this sandbox would offer in some search."""
        return _offered(phone_number)

    def hold(self, phone_number: str, *, customer_reference: str) -> Hold:
        """The sandbox holds any number it offers; the platform's cart is what keeps it."""
        if not self.offers(phone_number):
            raise ProviderNumberUnavailable(f"{phone_number} is not available to hold.")
        return Hold(None, datetime.fromtimestamp(self._clock(), UTC) + HOLD_LENGTH)

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
            order_id = f"sbx-{int(self._clock())}-{digits(phone_number)}"
            return OrderResult("pending", order_id, documents_required=True)
        return OrderResult("active", f"sbx-{digits(phone_number)}", _owned_id(phone_number))

    def check_order(self, order_id: str, phone_number: str) -> OrderResult:
        parts = order_id.split("-")
        if len(parts) == 3 and parts[0] == "sbx" and parts[1].isdigit():
            if self._clock() - int(parts[1]) > DOCUMENTS_DEADLINE:
                return OrderResult("failed", order_id, detail=_CANCELLED)
            return OrderResult("pending", order_id, documents_required=True)
        if len(parts) == 2 and parts[0] == "sbx":
            return OrderResult("active", order_id, _owned_id(phone_number))
        raise ProviderError(f"The sandbox has no order {order_id}.")

    def find_order(self, customer_reference: str, phone_number: str) -> OrderResult | None:
        return None  # sandbox orders answer at once, so a lost answer means none was placed

    def find_owned(self, phone_number: str) -> OwnedNumber | None:
        return None

    def owned_numbers(self) -> Iterator[OwnedNumber]:
        for owned_id, phone_number in self._owned():
            yield OwnedNumber(owned_id, phone_number, "active")

    def release(self, provider_number_id: str) -> None:
        return None


@lru_cache(maxsize=4096)  # a purchase asks twice (the quote, the order): a pure answer
def _offered(phone_number: str) -> bool:
    try:
        number = phonenumbers.parse(phone_number)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    kind = number_type(phone_number)
    national = phonenumbers.national_significant_number(number)
    # Regions share calling codes (and NANP toll-free numbers), so try each of them.
    for place in phonenumbers.region_codes_for_country_code(number.country_code):
        if place in _NANP_LOCAL_AREAS:
            if national[3:8] == "55501":
                return True
            continue
        # A mobile or national number is recorded as local: try every type searched for.
        kinds = (kind,) if kind == TOLL_FREE else (LOCAL, MOBILE, NATIONAL)
        if any(
            national.startswith(prefix) and len(national) == len(prefix) + width
            for searched in kinds
            for prefix, width in _prefixes(SearchFilters(place, None, searched, 1))
        ):
            return True
    return False


def _owned_id(phone_number: str) -> str:
    return f"sandbox-{digits(phone_number)}"
