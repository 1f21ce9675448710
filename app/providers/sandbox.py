"""An embedded provider: realistic, deterministic numbers with no account and no network.

Where a country has numbers reserved for fiction (US/CA 555-01XX, Ofcom's drama ranges,
ACMA's, ARCEP's) the sandbox offers those, so no real subscriber's number is ever shown.
Elsewhere it varies the last digits of phonenumbers' own example number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import lru_cache
from itertools import islice

import phonenumbers
from phonenumbers import PhoneNumberType

from app.providers.base import (
    LOCAL,
    TOLL_FREE,
    AvailableNumber,
    OrderResult,
    ProviderNumberUnavailable,
    SearchFilters,
)

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
_TYPES = {LOCAL: _LOCAL_TYPES, TOLL_FREE: {PhoneNumberType.TOLL_FREE}}
_EXAMPLE_TYPE = {LOCAL: PhoneNumberType.FIXED_LINE, TOLL_FREE: PhoneNumberType.TOLL_FREE}
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


@lru_cache(maxsize=1024)
def _candidate_list(country: str, area_code: str | None, number_type: str) -> tuple[str, ...]:
    """The candidates never change for a filter set: work them out once per process."""
    filters = SearchFilters(country, area_code, number_type)
    return tuple(islice(_candidates(filters), _MAX_CANDIDATES))


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _price(number_type: str, country: str) -> tuple[str, str]:
    """Plausible, stable prices: NANP flat, elsewhere a per-country base; toll-free dearer."""
    if _is_nanp(country):
        return ("1.00", "1.00") if number_type == LOCAL else ("2.00", "1.00")
    # A stable per-country cents offset, so prices differ between countries but never move.
    cents = int(hashlib.sha256(country.encode()).hexdigest(), 16) % 300
    monthly = 150 + cents + (200 if number_type == TOLL_FREE else 0)
    return f"{monthly / 100:.2f}", "1.00"


def _is_nanp(country: str) -> bool:
    return phonenumbers.country_code_for_region(country) == 1


def _features(country: str, number_type: str) -> tuple[str, ...]:
    if _is_nanp(country):
        return ("voice", "sms")
    return ("voice",)


class SandboxProvider:
    """Offers numbers from fictional ranges; `held` says which of some numbers are taken here."""

    name = "sandbox"
    skips_held_numbers = True  # `held` is consulted while filling the answer

    def __init__(self, held: Callable[[list[str]], Collection[str]] | None = None):
        self._held = held or (lambda numbers: ())

    def search(self, filters: SearchFilters) -> list[AvailableNumber]:
        found: list[AvailableNumber] = []
        candidates = _candidate_list(filters.country_code, filters.area_code, filters.number_type)
        for batch in _batches(candidates, filters.limit):
            found.extend(self._offer(batch, filters))
            if len(found) >= filters.limit:
                break
        return found[: filters.limit]

    def _offer(self, batch: list[str], filters: SearchFilters) -> list[AvailableNumber]:
        taken = set(self._held(batch))
        monthly, setup = _price(filters.number_type, filters.country_code)
        features = _features(filters.country_code, filters.number_type)
        return [AvailableNumber(n, monthly, setup, features) for n in batch if n not in taken]

    def order(
        self, phone_number: str, *, connection_id: str | None, customer_reference: str
    ) -> OrderResult:
        if not self.offers(phone_number):
            raise ProviderNumberUnavailable(f"{phone_number} is not available to order.")
        number = phonenumbers.parse(phone_number)
        region = phonenumbers.region_code_for_number(number) or ""
        is_toll_free = phonenumbers.number_type(number) == PhoneNumberType.TOLL_FREE
        number_type = TOLL_FREE if is_toll_free else LOCAL
        monthly, setup = _price(number_type, region)
        return OrderResult(
            "active",
            provider_number_id=f"sandbox-{phone_number.lstrip('+')}",
            monthly_price=monthly,
            setup_price=setup,
            features=_features(region, number_type),
        )

    def offers(self, phone_number: str) -> bool:
        """Whether the number is one this sandbox would offer in some search."""
        try:
            number = phonenumbers.parse(phone_number)
        except phonenumbers.NumberParseException:
            return False
        if not phonenumbers.is_valid_number(number):
            return False
        is_toll_free = phonenumbers.number_type(number) == PhoneNumberType.TOLL_FREE
        number_type = TOLL_FREE if is_toll_free else LOCAL
        national = phonenumbers.national_significant_number(number)
        # Regions share calling codes (and NANP toll-free numbers), so try each of them.
        for region in phonenumbers.region_codes_for_country_code(number.country_code):
            if region in _NANP_LOCAL_AREAS:
                if national[3:8] == "55501":
                    return True
                continue
            if any(
                national.startswith(prefix) and len(national) == len(prefix) + width
                for prefix, width in _prefixes(SearchFilters(region, None, number_type, 1))
            ):
                return True
        return False

    def check_order(self, order_id: str, phone_number: str) -> OrderResult:
        return OrderResult("active", provider_number_id=f"sandbox-{phone_number.lstrip('+')}")

    def find_owned(self, phone_number: str) -> str | None:
        return None

    def release(self, provider_number_id: str) -> None:
        return None
