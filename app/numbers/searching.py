"""Searching: what the provider offers, priced in USD, less what some team here holds.

Prices are USD in every answer. A quote in another currency is converted with the
configured rate (PRICE_RATES) and one whose currency has no rate, or whose price the
provider did not give, is left out and counted: an unknown price is never shown as zero.
What a search quoted is kept for a while, so a purchase stores the price the buyer saw.
"""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app

from app.extensions import cache
from app.numbers.failures import provider_failure
from app.numbers.queries import held_numbers
from app.providers import current_provider
from app.providers.base import (
    AvailableNumber,
    Offered,
    Provider,
    ProviderError,
    Requirement,
    SearchFilters,
)
from app.vanity import match_span

log = logging.getLogger(__name__)
CENT = Decimal("0.01")
QUOTE_SECONDS = 3600  # how long a quoted price is kept for the purchase that follows


@dataclass(frozen=True)
class Offer:
    """A number on offer, priced in USD (two decimals), with the quote it came from."""

    phone_number: str
    monthly_price: str
    setup_price: str
    features: tuple[str, ...]
    quoted_currency: str = "USD"
    place: str = ""  # "San Francisco, CA"; "" when the provider does not say
    match: tuple[int, int] | None = None  # where the patterns matched in the national number
    reservable: bool = True  # whether the provider will hold it (the cart); buying needs no hold


@dataclass(frozen=True)
class SearchResult:
    numbers: list[Offer]
    provider: str
    requirements: list[Requirement] = field(default_factory=list)
    left_out: int = 0  # numbers without a usable price
    # How many match in all (None: the provider did not say); "20 shown" is not "20 available".
    available: int | None = None
    relax: list[str] = field(default_factory=list)  # with no numbers: the filters to loosen


def search_numbers(filters: SearchFilters) -> SearchResult:
    """Available numbers from the provider, priced in USD, less any number held here."""
    provider = current_provider()
    page = _provider_search(provider, filters)
    offered, available = page.numbers, page.total
    if not provider.skips_held_numbers:
        # Filtered on every search, cached or not: a number bought here disappears at once.
        taken = held_numbers([n.phone_number for n in offered])
        offered = [n for n in offered if n.phone_number not in taken]
        if available is not None:
            available = max(len(offered), available - len(page.numbers) + len(offered))
    priced = [offer for offer in map(price_in_usd, offered) if offer is not None]
    if provider.cache_searches:
        _keep_quotes(priced)  # the sandbox prices any number itself: nothing to keep
    priced = [_with_match(offer, filters) for offer in priced]
    if filters.sort == "number":
        priced.sort(key=lambda o: o.phone_number)
    elif filters.sort == "price":
        priced.sort(key=lambda o: (Decimal(o.monthly_price), Decimal(o.setup_price)))
    return SearchResult(
        priced,
        provider.name,
        requirements_for(filters),
        left_out=len(offered) - len(priced),
        available=available,
        relax=[] if priced else filters_to_relax(filters),
    )


def filters_to_relax(filters: SearchFilters) -> list[str]:
    """The filters that narrowed an empty search, most specific first, in words."""
    named = [
        (filters.contains, f'the pattern "contains {filters.contains}"'),
        (filters.starts_with, f'the pattern "starts with {filters.starts_with}"'),
        (filters.ends_with, f'the pattern "ends with {filters.ends_with}"'),
        (filters.features, "the capabilities (" + ", ".join(filters.features) + ")"),
        (filters.locality, f'the city "{filters.locality}"'),
        (filters.region, f'the region "{filters.region}"'),
        (filters.area_code, f"the area code {filters.area_code}"),
    ]
    found = [words for value, words in named if value]
    return found or [f"the number type ({filters.number_type}): try another type or country"]


def _with_match(offer: Offer, filters: SearchFilters) -> Offer:
    """The offer with where its patterns match, for highlighting (None: no pattern asked)."""
    if not (filters.contains or filters.starts_with or filters.ends_with):
        return offer
    span = match_span(
        offer.phone_number,
        area_code=filters.area_code,
        contains=filters.contains,
        starts_with=filters.starts_with,
        ends_with=filters.ends_with,
    )
    return replace(offer, match=span)


def price_in_usd(number: AvailableNumber) -> Offer | None:
    """The offer in USD, or None when its price is unknown or its currency has no rate."""
    if number.monthly_price is None or number.setup_price is None or not number.currency:
        return None
    rate = Decimal(1) if number.currency == "USD" else _rates().get(number.currency)
    if rate is None:
        return None
    return Offer(
        number.phone_number,
        _usd(number.monthly_price * rate),
        _usd(number.setup_price * rate),
        number.features,
        number.currency,
        number.place,
        reservable=number.reservable,
    )


def quote_for(phone_number: str) -> Offer | None:
    """The price a recent search quoted for this number (or the provider's own, if it can say)."""
    quoted = cache.get(_quote_key(phone_number))
    if quoted is not None:
        return quoted
    try:
        fresh = current_provider().quote(phone_number)
    except ProviderError:
        return None
    return price_in_usd(fresh) if fresh is not None else None


def requirements_for(filters: SearchFilters) -> list[Requirement]:
    """What the provider needs before it sells such numbers; [] when it cannot say now."""
    key = f"requirements:{current_provider().name}:{filters.country_code}:{filters.number_type}"
    if (hit := cache.get(key)) is not None:
        return hit
    try:
        found = current_provider().requirements(filters.country_code, filters.number_type)
    except ProviderError as error:
        log.warning("could not read requirements for %s: %s", filters.country_code, error.message)
        return []
    cache.set(key, found, timeout=QUOTE_SECONDS)
    return found


def _provider_search(provider: Provider, filters: SearchFilters) -> Offered:
    """Ask the provider, through a short-lived cache for providers where a search is slow.

    The sandbox is never cached: it refills its answer past numbers held here.
    """
    seconds = current_app.config["SEARCH_CACHE_SECONDS"]
    use_cache = provider.cache_searches and seconds > 0
    key = "search:" + ":".join(map(str, (provider.name, *astuple(filters))))
    if use_cache and (hit := cache.get(key)) is not None:
        return hit
    try:
        offered = provider.search_page(filters)
    except ProviderError as error:
        raise provider_failure(error) from error
    if use_cache:
        cache.set(key, offered, timeout=seconds)
    return offered


def _keep_quotes(offers: list[Offer]) -> None:
    if offers:
        cache.set_many({_quote_key(o.phone_number): o for o in offers}, timeout=QUOTE_SECONDS)


def _quote_key(phone_number: str) -> str:
    return f"quote:{current_provider().name}:{phone_number}"


def _rates() -> dict[str, Decimal]:
    return current_app.config["PRICE_RATES"]


def _usd(amount: Decimal) -> str:
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))
