"""Purchase quotes: a price the server fixed, the only price an agent can buy at.

`make_quote` asks the provider for a number's price now and keeps it, for the team and the
person asking, for PURCHASE_QUOTE_MINUTES. `buy_with_quote` names a quote, never a price:
it asks the provider again, refuses a price that moved (offering a new quote at the new
price), then buys through the one purchase service (plan, spend cap, approvals) at exactly
the quoted price. So nothing is bought at a price the buyer did not see, or made up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import phonenumbers
import sqlalchemy as sa
from flask import current_app

from app.accounts.roles import Actor, Permission
from app.exceptions import (
    NotFound,
    NumberUnavailable,
    PriceChanged,
    ProviderFailed,
    QuoteExpired,
    QuoteUsed,
    ServiceError,
)
from app.extensions import db
from app.guardrails.requests import buy_or_ask
from app.guardrails.rules import money, purchase_cost
from app.ids import is_id
from app.models import HELD, PhoneNumber, PurchaseQuote, PurchaseRequest, User, utcnow
from app.numbers.cart import held_elsewhere
from app.numbers.failures import provider_failure
from app.numbers.purchasing import Purchase
from app.numbers.searching import Offer, price_in_usd
from app.phone import number_type, region
from app.plans.catalog import get_plan
from app.providers import current_provider
from app.providers.base import AvailableNumber, ProviderError, SearchFilters
from app.timefmt import iso, readable

# Quotes are kept a day past their end, then deleted (forget_old_quotes): long enough to say
# "expired" rather than "not found" to an agent that comes back late.
KEPT = timedelta(days=1)


def make_quote(actor: Actor, phone_number: str, token_id: str | None = None) -> PurchaseQuote:
    """Fix the provider's price for the number now, for the actor's team and person."""
    _refuse_if_taken(actor.team.id, phone_number)
    offer = current_price(phone_number)
    if offer is None:
        raise NumberUnavailable(
            f"{phone_number} is not offered with a price by the provider now: it cannot be quoted."
        )
    return _save(actor, offer, token_id)


def find_quote(user: User, quote_id: object) -> PurchaseQuote:
    """One of the user's own quotes; NotFound for anyone else's (another team's included)."""
    quote = db.session.get(PurchaseQuote, quote_id) if is_id("quo", quote_id) else None
    if quote is None or quote.user_id != user.id:
        raise NotFound("Quote not found.")
    return quote


def buy_with_quote(actor: Actor, quote: PurchaseQuote) -> Purchase | PurchaseRequest:
    """Buy the quoted number at the quoted price, once, through the purchase service (or ask
    for approval where the team's guardrails say so)."""
    actor.require(Permission.BUY)
    _refuse_unusable(quote, utcnow())
    offer = current_price(quote.phone_number)
    if offer is None:
        raise NumberUnavailable(
            f"{quote.phone_number} is no longer offered by the provider: nothing was bought."
        )
    if (Decimal(offer.setup_price), Decimal(offer.monthly_price)) != (
        quote.setup_price,
        quote.monthly_price,
    ):
        raise _price_changed(actor, quote, offer)
    _claim(quote)
    fixed = Offer(
        quote.phone_number,
        money(quote.monthly_price),
        money(quote.setup_price),
        offer.features,
        quote.quoted_currency,
        offer.place,
    )
    try:
        return buy_or_ask(actor, quote.phone_number, price=fixed)
    except ProviderFailed as error:
        if not error.outcome_unknown:  # an order that may exist keeps the quote taken
            _release_claim(quote)
        raise
    except ServiceError:
        _release_claim(quote)  # refused (plan, cap, number gone): nothing was bought with it
        raise


def quote_json(quote: PurchaseQuote, team_plan: str) -> dict[str, Any]:
    """A quote as the MCP tools answer it; `dueNow` is what buying costs this month."""
    trial = get_plan(team_plan).trial_length is not None
    answer = {
        "quoteId": quote.id,
        "teamId": quote.team_id,
        "phoneNumber": quote.phone_number,
        "setupPrice": money(quote.setup_price),
        "monthlyPrice": money(quote.monthly_price),
        "currency": quote.currency,
        "dueNow": money(purchase_cost(quote.monthly_price, quote.setup_price, trial=trial)),
        "trial": trial,
        "expiresAt": iso(quote.expires_at),
    }
    if quote.quoted_currency != quote.currency:
        answer["quotedCurrency"] = quote.quoted_currency  # converted at PRICE_RATES
    return answer


def current_price(phone_number: str) -> Offer | None:
    """The provider's price for the number now, in USD (never a cached search's); None when
    it does not offer the number, or gives no usable price."""
    provider = current_provider()
    try:
        found = provider.quote(phone_number) or _searched(provider, phone_number)
    except ProviderError as error:
        raise provider_failure(error) from error
    return price_in_usd(found) if found is not None else None


def forget_old_quotes(now: datetime | None = None) -> int:
    """Delete quotes that ended more than a day ago; returns how many."""
    deleted = db.session.execute(
        sa.delete(PurchaseQuote).where(PurchaseQuote.expires_at < (now or utcnow()) - KEPT)
    )
    db.session.commit()
    return deleted.rowcount


def _searched(provider, phone_number: str) -> AvailableNumber | None:
    """The number's price from a search for exactly it (Telnyx prices only in a search)."""
    digits = str(phonenumbers.parse(phone_number).national_number)
    filters = SearchFilters(
        region(phone_number) or "US", number_type=number_type(phone_number), contains=digits
    )
    found = provider.search_page(filters).numbers
    return next((n for n in found if n.phone_number == phone_number), None)


def _save(actor: Actor, offer: Offer, token_id: str | None) -> PurchaseQuote:
    now = utcnow()
    quote = PurchaseQuote(
        team_id=actor.team.id,
        user_id=actor.user.id,
        token_id=token_id,
        phone_number=offer.phone_number,
        monthly_price=Decimal(offer.monthly_price),
        setup_price=Decimal(offer.setup_price),
        currency="USD",
        quoted_currency=offer.quoted_currency,
        created_at=now,
        expires_at=now + timedelta(minutes=current_app.config["PURCHASE_QUOTE_MINUTES"]),
    )
    db.session.add(quote)
    db.session.commit()
    return quote


def _price_changed(actor: Actor, quote: PurchaseQuote, offer: Offer) -> PriceChanged:
    fresh = _save(actor, offer, quote.token_id)
    error = PriceChanged(
        f"The provider's price for {quote.phone_number} changed since quote {quote.id} "
        f"(setup ${money(quote.setup_price)}, ${money(quote.monthly_price)} a month): it is "
        f"now setup ${offer.setup_price}, ${offer.monthly_price} a month. Nothing was bought; "
        f"buy with the new quote {fresh.id} if that price suits."
    )
    error.extra["quote"] = quote_json(fresh, actor.team.plan)
    return error


def _refuse_unusable(quote: PurchaseQuote, now: datetime) -> None:
    if quote.used_at is not None:
        raise QuoteUsed(
            f"Quote {quote.id} has bought already (each quote buys once): ask for a new quote."
        )
    if quote.expires_at <= now:
        raise QuoteExpired(
            f"Quote {quote.id} expired at {readable(quote.expires_at)}: ask for a new quote."
        )


def _claim(quote: PurchaseQuote) -> None:
    """Take the quote for this purchase: one conditional UPDATE, so two purchases racing
    with it cannot both have it."""
    now = utcnow()
    taken = db.session.execute(
        sa.update(PurchaseQuote)
        .where(
            PurchaseQuote.id == quote.id,
            PurchaseQuote.used_at.is_(None),
            PurchaseQuote.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(quote)
    if taken.rowcount != 1:
        _refuse_unusable(quote, now)
        raise QuoteUsed(f"Quote {quote.id} was just used: ask for a new quote.")


def _release_claim(quote: PurchaseQuote) -> None:
    db.session.rollback()
    db.session.execute(
        sa.update(PurchaseQuote).where(PurchaseQuote.id == quote.id).values(used_at=None)
    )
    db.session.commit()


def _refuse_if_taken(team_id: str, phone_number: str) -> None:
    """NumberUnavailable when a team here has the number, or another team holds it."""
    owner = db.session.scalar(
        sa.select(PhoneNumber.team_id).where(
            PhoneNumber.phone_number == phone_number, PhoneNumber.status.in_(HELD)
        )
    )
    if owner is not None:
        whose = "your team" if owner == team_id else "another team on this platform"
        raise NumberUnavailable(f"{phone_number} is already held by {whose}.")
    if held_elsewhere(team_id, phone_number):
        raise NumberUnavailable(f"{phone_number} is held by another team on this platform.")
