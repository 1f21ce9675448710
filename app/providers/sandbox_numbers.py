"""Which numbers the sandbox offers, in which order, and at what price.

Where a country has numbers reserved for fiction (US/CA 555-01XX, Ofcom's drama ranges,
ACMA's, ARCEP's) these are the only ones; elsewhere the last digits of phonenumbers' own
example number vary. Every answer here is a pure function of its arguments, cached.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Iterator
from decimal import Decimal
from functools import lru_cache
from itertools import islice

import phonenumbers
from phonenumbers import PhoneNumberType

from app.phone import LOCAL, MOBILE, NATIONAL, TOLL_FREE, TOLL_FREE_PREFIXES, number_type
from app.providers.base import SearchFilters
from app.providers.places import in_place, place_of
from app.vanity import match_span

# Nationally significant number prefixes; each is followed by `width` free digits.
# NANP: NPA + 555 + 01XX. Others: the regulators' drama/fiction ranges.
_NANP_LOCAL_AREAS = {
    "US": ("415", "212", "312", "646", "213", "617", "206", "512", "303", "404"),
    "CA": ("416", "604", "514", "403", "613", "780"),
}
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
# How many candidates a search looks at, at most: keeps a search well under a millisecond
# of work per result even when most candidates are already held.
_MAX_CANDIDATES = 2000


def _nanp_prefixes(country: str, filters: SearchFilters) -> list[tuple[str, int]]:
    if filters.area_code:
        areas: Collection[str] = (filters.area_code,)
    elif filters.number_type == TOLL_FREE:
        areas = TOLL_FREE_PREFIXES
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


def matching_numbers(filters: SearchFilters) -> tuple[str, ...]:
    """Every candidate that matches the place and the patterns (held or not), in order."""
    return _matching_cached(
        filters.country_code,
        filters.area_code,
        filters.number_type,
        filters.locality,
        filters.region,
        (filters.contains, filters.starts_with, filters.ends_with),
    )


def offer_price(number_type: str, country: str) -> tuple[Decimal, Decimal]:
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


def offer_features(country: str, number_type: str) -> tuple[str, ...]:
    if _is_nanp(country):
        return ("voice", "sms")
    return ("voice",)


@lru_cache(maxsize=4096)  # a purchase asks twice (the quote, the order): a pure answer
def is_offered(phone_number: str) -> bool:
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
        # Where fixed and mobile ranges are shared, a number searched as mobile may be
        # classed otherwise: try every non-toll-free type searched for.
        kinds = (kind,) if kind == TOLL_FREE else (LOCAL, MOBILE, NATIONAL)
        if any(
            national.startswith(prefix) and len(national) == len(prefix) + width
            for searched in kinds
            for prefix, width in _prefixes(SearchFilters(place, None, searched, 1))
        ):
            return True
    return False


def is_reservable(phone_number: str) -> bool:
    """Whether the sandbox will hold the number. As at Telnyx, not every number can be held:
    San Francisco's (415) ending in 09, on the first page of a US search, can only be bought."""
    return not (phone_number.startswith("+1415") and phone_number.endswith("09"))
