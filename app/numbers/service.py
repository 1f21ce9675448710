"""The rules for searching, buying and listing numbers: the API and the pages both call these."""

from __future__ import annotations

import logging
import uuid
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import phonenumbers
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts import team_for_user
from app.errors import (
    NumberUnavailable,
    PlanLimitReached,
    ProviderFailed,
    ProviderTimedOut,
)
from app.extensions import cache, db
from app.models import HELD_STATUSES, PhoneNumber, Team, User, utcnow
from app.numbers.cursor import decode_cursor, encode_cursor
from app.numbers.queries import held_count, held_numbers, team_numbers
from app.plans import get_plan
from app.providers import current_provider
from app.providers.base import (
    LOCAL,
    TOLL_FREE,
    AvailableNumber,
    OrderResult,
    ProviderError,
    ProviderNumberUnavailable,
    ProviderTimeout,
    SearchFilters,
)

log = logging.getLogger(__name__)
# Pending orders settled while listing, at most, so a list never waits on many provider calls.
SETTLE_ON_LIST = 5


@dataclass(frozen=True)
class SearchResult:
    numbers: list[AvailableNumber]
    provider: str


@dataclass(frozen=True)
class Purchase:
    number: PhoneNumber
    eligibility: dict[str, Any]


def eligibility(team: Team, now: datetime | None = None, held: int | None = None) -> dict[str, Any]:
    """The contract's eligibility object: how many numbers the team holds and may hold.

    `held` is the team's count when the caller already has it (one query, not two).
    """
    plan = get_plan(team.plan)
    return {
        "currentCount": held_count(team.id, now) if held is None else held,
        "maxAllowed": plan.max_numbers,
        "hasSubscription": plan.has_subscription,
        "planName": plan.name,
    }


def search_numbers(filters: SearchFilters) -> SearchResult:
    """Available numbers from the provider, less any number held on this platform."""
    provider = current_provider()
    offered = _provider_search(provider, filters)
    if getattr(provider, "skips_held_numbers", False):
        return SearchResult(offered, provider.name)  # it asked the database itself
    # Filtered on every search, cached or not: a number bought here disappears at once.
    taken = held_numbers([n.phone_number for n in offered])
    return SearchResult([n for n in offered if n.phone_number not in taken], provider.name)


def _provider_search(provider, filters: SearchFilters) -> list[AvailableNumber]:
    """Ask the provider, through a short-lived cache for providers where a search is slow.

    The sandbox is never cached: it refills its answer past numbers held here.
    """
    seconds = current_app.config["SEARCH_CACHE_SECONDS"]
    use_cache = getattr(provider, "cache_searches", False) and seconds > 0
    key = "search:" + ":".join(map(str, (provider.name, *astuple(filters))))
    if use_cache and (hit := cache.get(key)) is not None:
        return hit
    try:
        offered = provider.search(filters)
    except ProviderError as error:
        raise provider_error(error) from error
    if use_cache:
        cache.set(key, offered, timeout=seconds)
    return offered


def purchase_number(
    user: User, team_id: str, phone_number: str, connection_id: str | None = None
) -> Purchase:
    """Buy a number for a team, within its plan; nothing is held if the provider refuses."""
    team = team_for_user(user, team_id)
    provider = current_provider()
    connection_id = connection_id or _default_connection_id()
    number, reference = _reserve(team, user, phone_number, connection_id, provider.name)
    # Touch nothing of `number` until the provider answers: reloading it would open a
    # transaction and pin a database connection for the whole order.
    try:
        result = provider.order(
            phone_number, connection_id=connection_id, customer_reference=reference
        )
    except ProviderError as error:
        _discard(number)
        raise provider_error(error) from error
    _settle(number, result, record_purchase=True)
    return Purchase(number, eligibility(team))


@dataclass(frozen=True)
class NumberPage:
    numbers: list[PhoneNumber]
    next_cursor: str | None


def list_numbers(user: User, team_id: str) -> list[PhoneNumber]:
    """The team's numbers, newest first; a few pending orders are settled on the way."""
    return list_numbers_page(user, team_id).numbers


def list_numbers_page(
    user: User, team_id: str, limit: int | None = None, cursor: str | None = None
) -> NumberPage:
    """One page of the team's numbers (all of them without a limit), and the next page's cursor."""
    team = team_for_user(user, team_id)
    after = decode_cursor(cursor) if cursor else None
    numbers = team_numbers(team.id, limit + 1 if limit else None, after)
    more = limit is not None and len(numbers) > limit
    numbers = numbers[:limit] if more else numbers
    next_cursor = encode_cursor(numbers[-1]) if more else None
    pending = [n for n in numbers if n.status == "pending" and n.provider_order_id]
    gone = {n.id for n in pending[:SETTLE_ON_LIST] if settle_pending(n) == "gone"}
    return NumberPage([n for n in numbers if n.id not in gone], next_cursor)


def settle_pending(number: PhoneNumber) -> str:
    """Ask the provider how a pending order ended: active, still pending, or gone."""
    provider = current_provider()
    try:
        if number.provider_order_id:
            result = provider.check_order(number.provider_order_id, number.phone_number)
        else:
            # No order id: the process died between reserving and ordering, or the order
            # timed out. The provider's own list of owned numbers is the truth.
            owned_id = provider.find_owned(number.phone_number)
            result = OrderResult("active", owned_id) if owned_id else None
    except ProviderNumberUnavailable:
        result = None
    except ProviderError as error:
        log.warning("could not settle %s: %s", number.id, error.message)
        return "pending"
    if result is None:
        _discard(number)
        return "gone"
    _settle(number, result)
    return number.status


def sync_pending(grace: timedelta) -> tuple[int, int]:
    """Settle every pending purchase from the provider's state; (settled, looked at).

    A purchase with no order id may be one another process is placing right now, so it
    is only settled once older than `grace` (a crash or a lost answer, not a purchase).
    """
    cutoff = utcnow() - grace
    pending = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.status == "pending",
            sa.or_(PhoneNumber.provider_order_id.is_not(None), PhoneNumber.created_at < cutoff),
        )
    ).all()
    outcomes = [settle_pending(number) for number in pending]
    return sum(outcome != "pending" for outcome in outcomes), len(outcomes)


def purchase_refusal(
    team: Team, now: datetime | None = None, held: int | None = None
) -> str | None:
    """Why the team may not buy another number right now, or None if it may.

    The same checks, in the same words, as a purchase makes under the team lock; the
    pages use it to disable Buy before anyone clicks. The purchase itself stays the judge.
    """
    plan = get_plan(team.plan)
    if plan.trial_length and team.trial_used_at is not None:
        return TRIAL_USED_MESSAGE
    if (held_count(team.id, now) if held is None else held) >= plan.max_numbers:
        return _limit_message(plan.name, plan.max_numbers)
    return None


TRIAL_USED_MESSAGE = "This team has used its free trial number. Subscribe to a plan to buy numbers."


def _reserve(
    team: Team, user: User, phone_number: str, connection_id: str | None, provider: str
) -> tuple[PhoneNumber, str]:
    """Check the plan and hold the number as pending, in one short transaction.

    The team row is locked only here, not across the provider call, so purchases for
    one team serialise on the check-and-insert and nothing else.
    """
    now = utcnow()
    _lock_team(team.id)
    db.session.refresh(team)
    plan = get_plan(team.plan)
    held = held_count(team.id, now)
    if refusal := purchase_refusal(team, now, held):
        limits = eligibility(team, now, held)
        db.session.rollback()
        raise PlanLimitReached(refusal, limits)
    holder = db.session.scalar(
        sa.select(PhoneNumber.team_id).where(
            PhoneNumber.phone_number == phone_number, PhoneNumber.status.in_(HELD_STATUSES)
        )
    )
    if holder is not None:
        db.session.rollback()
        whose = "your team" if holder == team.id else "another team on this platform"
        raise NumberUnavailable(f"{phone_number} is already held by {whose}.")

    reference = f"pnr_{uuid.uuid4().hex}"
    parsed = phonenumbers.parse(phone_number)
    is_toll_free = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE
    number = PhoneNumber(
        team_id=team.id,
        phone_number=phone_number,
        provider=provider,
        customer_reference=reference,
        number_type=TOLL_FREE if is_toll_free else LOCAL,
        country_code=phonenumbers.region_code_for_number(parsed) or "",
        status="pending",
        is_trial=plan.trial_length is not None,
        trial_expires_at=now + plan.trial_length if plan.trial_length else None,
        features=[],
        connection_id=connection_id,
        created_by_id=user.id,
        created_at=now,
    )
    db.session.add(number)
    try:
        db.session.commit()
    except IntegrityError:
        # Another team reserved the same number a moment ago (the partial unique index).
        db.session.rollback()
        raise NumberUnavailable(f"{phone_number} was just taken on this platform.") from None
    return number, reference


def _lock_team(team_id: str) -> None:
    # An UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so one
    # statement serialises concurrent purchases for a team on both.
    db.session.execute(
        sa.update(Team).where(Team.id == team_id).values(purchase_seq=Team.purchase_seq + 1)
    )


def _settle(number: PhoneNumber, result: OrderResult, record_purchase: bool = False) -> None:
    now = utcnow()
    number.status = "active" if result.status == "active" else "pending"
    number.provider_number_id = result.provider_number_id or number.provider_number_id
    number.provider_order_id = result.order_id or number.provider_order_id
    if result.monthly_price is not None:
        number.monthly_price = Decimal(result.monthly_price)
    if result.setup_price is not None:
        number.setup_price = Decimal(result.setup_price)
    if result.features:
        number.features = list(result.features)
    if record_purchase:
        audit.record(
            number.team_id,
            number.created_by_id,
            "purchase",
            subject_id=number.id,
            subject=number.phone_number,
            after={"status": number.status, "is_trial": number.is_trial},
        )
    if number.is_trial:
        # The trial runs from the purchase, and the team's one trial is now spent.
        number.trial_expires_at = now + get_plan("free").trial_length
        db.session.execute(
            sa.update(Team)
            .where(Team.id == number.team_id, Team.trial_used_at.is_(None))
            .values(trial_used_at=now)
        )
    db.session.commit()


def _discard(number: PhoneNumber) -> None:
    """Drop a reservation the provider did not fill, so nothing is held that was not bought."""
    db.session.rollback()
    db.session.delete(number)
    db.session.commit()


def _limit_message(plan_name: str, max_numbers: int) -> str:
    noun = "number" if max_numbers == 1 else "numbers"
    return (
        f"The {plan_name} plan allows {max_numbers} {noun} and this team has reached it. "
        "Upgrade the plan or release a number to buy another."
    )


def provider_error(error: ProviderError) -> Exception:
    """The domain error a provider failure becomes."""
    if isinstance(error, ProviderNumberUnavailable):
        return NumberUnavailable(error.message)
    if isinstance(error, ProviderTimeout):
        return ProviderTimedOut(error.message)
    return ProviderFailed(error.message)


def _default_connection_id() -> str | None:
    return current_app.config.get("TELNYX_CONNECTION_ID")
