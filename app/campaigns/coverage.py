"""Coverage: how many of the places a campaign will call have a local number in its pool, and
Fill gaps, which puts one number per missing area code into the team's cart.

The destinations are kept only as counts per North American area code ("415": 12), or per
country for numbers elsewhere ("GB": 3); a destination is covered when the pool holds a number
in its area code (elsewhere: in its country).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor, Permission
from app.campaigns.area_codes import place_of, region_of_area_code
from app.exceptions import ServiceError, ValidationFailed
from app.extensions import db
from app.models import HELD, Campaign, CampaignNumber, CartItem, PhoneNumber
from app.numbers.cart import hold_number, live_holds
from app.numbers.searching import search_numbers
from app.phone import normalise
from app.providers.base import SearchFilters

MAX_DESTINATIONS = 100_000
MAX_FILL = 20  # a cart holds at most 20 numbers


@dataclass(frozen=True)
class Place:
    key: str  # "415", or a country ("GB")
    destinations: int
    covered: bool
    region: str | None


@dataclass(frozen=True)
class Coverage:
    places: list[Place]

    @property
    def destinations(self) -> int:
        return sum(p.destinations for p in self.places)

    @property
    def covered(self) -> int:
        return sum(p.destinations for p in self.places if p.covered)

    @property
    def share(self) -> float:
        """The share of destinations with a local number, 0 to 1 (1 with none to call)."""
        return self.covered / self.destinations if self.destinations else 1.0

    @property
    def missing(self) -> list[str]:
        """Area codes with no local number, the most called first."""
        return [p.key for p in self.places if not p.covered and p.key.isdigit()]


@dataclass
class Filled:
    held: list[tuple[str, str]] = field(default_factory=list)  # (area code, number)
    # Gaps a number in the team's cart fills already (a Fill gaps before): not held twice.
    in_cart: list[tuple[str, str]] = field(default_factory=list)
    unfilled: list[tuple[str, str]] = field(default_factory=list)  # (area code, why)


def parse_destinations(entries: list[object]) -> Counter[str]:
    """Area codes ("415") and numbers ("+14155550123", "(415) 555-0123" is refused: E.164
    or a bare area code only) counted per area code, or per country outside North America."""
    if len(entries) > MAX_DESTINATIONS:
        raise ValidationFailed({"destinations": f"At most {MAX_DESTINATIONS:,} destinations."})
    counts: Counter[str] = Counter()
    for index, entry in enumerate(entries):
        text = entry.strip() if isinstance(entry, str) else ""
        if len(text) == 3 and text.isdigit() and region_of_area_code(text):
            counts[text] += 1
            continue
        number = normalise(text) if text.startswith("+") else None
        place = place_of(number) if number else None
        if place is None or not (place.area_code or place.country):
            shown = text[:40] if text else "an empty entry"
            raise ValidationFailed(
                {
                    f"destinations[{index}]": f"{shown} is neither a North American area code "
                    "nor a number in E.164 (+14155550123)."
                }
            )
        counts[place.area_code or place.country] += 1
    if not counts:
        raise ValidationFailed({"destinations": "Send at least one area code or number."})
    return counts


def parse_csv(text: str) -> Counter[str]:
    """The first column of each row; a first row that is not a destination is a header."""
    rows = [row[0] for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if rows and not _looks_like_destination(rows[0]):
        rows = rows[1:]
    return parse_destinations(rows)


def _looks_like_destination(text: str) -> bool:
    text = text.strip()
    return text.startswith("+") or (text.isdigit() and len(text) == 3)


def set_destinations(actor: Actor, campaign: Campaign, counts: Counter[str]) -> Coverage:
    actor.require(Permission.MANAGE_ASSISTANTS)
    before = campaign.coverage
    campaign.coverage = dict(counts.most_common())
    audit.record(
        campaign.team_id,
        actor.user.id,
        audit.Action.CAMPAIGN_COVERAGE,
        subject_id=campaign.id,
        subject=campaign.name,
        before={"destinations": sum(before.values())} if before else None,
        after={"destinations": sum(counts.values()), "places": len(counts)},
    )
    db.session.commit()
    return coverage_of(campaign)


def coverage_of(campaign: Campaign) -> Coverage:
    wanted = campaign.coverage or {}
    rows = db.session.execute(
        sa.select(CampaignNumber.area_code, CampaignNumber.country)
        .join(PhoneNumber, PhoneNumber.id == CampaignNumber.phone_number_id)
        .where(CampaignNumber.campaign_id == campaign.id, PhoneNumber.status.in_(HELD))
    ).all()
    area_codes = {a for a, _ in rows if a}
    countries = {c for _, c in rows}
    places = [
        Place(
            key,
            count,
            key in area_codes if key.isdigit() else key in countries,
            region_of_area_code(key) if key.isdigit() else None,
        )
        for key, count in sorted(wanted.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return Coverage(places)


def fill_gaps(actor: Actor, campaign: Campaign) -> Filled:
    """Hold one number in each missing area code (the most called first) in the team's cart.
    The cart's cap, and at checkout the plan and guardrails, apply as to any number."""
    actor.require(Permission.BUY)
    filled = Filled()
    carted = _cart_area_codes(actor.team.id)
    missing = []
    for area_code in coverage_of(campaign).missing:
        if area_code in carted:
            filled.in_cart.append((area_code, carted[area_code]))
        else:
            missing.append(area_code)
    for index, area_code in enumerate(missing):
        if len(filled.held) >= MAX_FILL:
            filled.unfilled += [(a, "the cart is full") for a in missing[index:]]
            break
        region = region_of_area_code(area_code) or "US-"
        country = region[:2] if region[:3] in ("US-", "CA-") else "US"
        try:
            offers = search_numbers(SearchFilters(country, area_code=area_code, limit=5)).numbers
        except ServiceError as error:
            filled.unfilled.append((area_code, error.message))
            continue
        why = "no numbers on offer"
        for offer in offers:
            try:
                hold_number(actor, offer.phone_number)
            except ServiceError as error:
                why = error.message
                if "cart holds at most" in error.message:
                    break
                continue
            filled.held.append((area_code, offer.phone_number))
            break
        else:
            filled.unfilled.append((area_code, why))
            continue
        if filled.held and filled.held[-1][0] == area_code:
            continue
        filled.unfilled += [(a, why) for a in missing[index:]]  # the cart filled up
        break
    return filled


def _cart_area_codes(team_id: str) -> dict[str, str]:
    """The area codes of the numbers held in the team's cart (one number each)."""
    numbers = db.session.scalars(
        sa.select(CartItem.phone_number)
        .where(CartItem.team_id == team_id, live_holds())
        .order_by(CartItem.phone_number)
    )
    found: dict[str, str] = {}
    for number in numbers:
        area_code = place_of(number).area_code
        if area_code:
            found.setdefault(area_code, number)
    return found
