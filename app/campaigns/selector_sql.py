"""The SQL that picks a campaign's caller ID and counts the call on it.

Written once per shape (database, whether the campaign has a cool-down, whether the recipient
has a North American region and a country) and kept: a selection runs on every call placed, so
it builds no SQL expression and loads no ORM object. The locality rules are branches of one
UNION ALL under LIMIT 1; each branch is narrow enough for an index, and both PostgreSQL (Append)
and SQLite (a compound SELECT) read the branches in the order written and stop at the first row,
so the later, wider branches (the whole pool) run only when the earlier ones have no free
number. SQL does not promise that order; both engines keep it, and
tests/campaigns/test_selector.py::test_locality_order would fail if one stopped.

On PostgreSQL one statement picks, counts and remembers the recipient (data-modifying CTEs),
and tells a lost race (the number picked was taken to its cap or cooled down by a concurrent
call before this one counted: `used_today` is NULL) from a pool with nothing free (no row).
SQLite, which has no data-modifying CTEs, runs the same pick, the same conditional UPDATE and
the same upsert as three statements; it has one writer at a time anyway.
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa

from app.campaigns.area_codes import REGION_CENTRES, distance_km
from app.models import CampaignNumber, CampaignRecipient, NumberStatus, PhoneNumber

# Each number's tier for one recipient; the reasons the API answers, by tier.
STICKY, AREA_CODE, REGION, NEAREST, COUNTRY, ANY = 0, 1, 2, 3, 10_000, 20_000

# Typed parameters: datetimes go through UTCDateTime (SQLite stores them naive), dates as dates.
_WHEN = CampaignNumber.__table__.c.last_used_at.type
_TYPES = {
    "now": _WHEN,
    "cooled": _WHEN,
    "since": CampaignRecipient.__table__.c.chosen_at.type,
    "today": CampaignNumber.__table__.c.used_on.type,
    "active": PhoneNumber.__table__.c.status.type,
}

# A number may take a call: under its cap today, cooled down, not resting. Re-checked by the
# UPDATE on the row it writes, so racing calls never push a number past its cap.
_COUNTERS = (
    "(cn.used_on IS NULL OR cn.used_on <> :today OR cn.used_today < :cap)"
    " AND (cn.rest_until IS NULL OR cn.rest_until <= :now)"
)
_COOLED = " AND (cn.last_used_at IS NULL OR cn.last_used_at <= :cooled)"
# ... and is the team's, active, not on its way out, not an expired trial.
_LIVE = (
    "cn.campaign_id = :campaign AND cn.team_id = :team AND pn.team_id = :team"
    " AND pn.status = :active AND pn.release_after IS NULL"
    " AND (NOT pn.is_trial OR pn.trial_expires_at > :now)"
)
# The pool's free numbers, written once and inlined by the database into each rule's branch
# (NOT MATERIALIZED), where the branch's own condition meets the indexes. Keeping the SQL
# short matters too: psycopg caches its parsing of a statement only under 4 kB.
_FREE = (
    "free AS NOT MATERIALIZED (SELECT cn.phone_number_id AS id, pn.phone_number AS e164,"
    " cn.area_code, cn.region, cn.country, cn.last_used_at AS last,"
    " CASE WHEN cn.used_on = :today THEN cn.used_today ELSE 0 END AS used"
    " FROM campaign_numbers cn JOIN phone_numbers pn ON pn.id = cn.phone_number_id"
    " WHERE {live} AND {counters}), "
    "seen AS (SELECT phone_number_id AS id FROM campaign_recipients WHERE campaign_id = :campaign"
    " AND recipient_hash = :sticky_key AND chosen_at > :since)"
)
_BRANCH = (
    "SELECT * FROM (SELECT id, e164, {tier} AS tier FROM free WHERE {where}"
    " ORDER BY tier, used, last NULLS FIRST, id LIMIT 1) AS {name}"
)
_CLAIM = (
    "UPDATE campaign_numbers AS cn SET"
    " used_today = CASE WHEN cn.used_on = :today THEN cn.used_today + 1 ELSE 1 END,"
    " used_on = :today, last_used_at = :now"
)
_REMEMBER = (
    "INSERT INTO campaign_recipients (campaign_id, recipient_hash, phone_number_id, chosen_at)"
    " {source} ON CONFLICT (campaign_id, recipient_hash) DO UPDATE"
    " SET phone_number_id = excluded.phone_number_id, chosen_at = excluded.chosen_at"
)


def reason(tier: int) -> str:
    if tier >= ANY:
        return "any"
    if tier >= COUNTRY:
        return "country"
    if tier >= NEAREST:
        return "nearest"
    return ("sticky", "area_code", "region")[tier]


def base_params(now) -> dict:
    return {"now": now, "today": now.date(), "active": NumberStatus.ACTIVE}


@lru_cache(maxsize=16)
def pick_and_claim(cooldown: bool, region: bool, country: bool) -> sa.TextClause:
    """PostgreSQL: pick, count and remember in one statement; answers (phone_number_id,
    phone_number, tier, used_today) — used_today NULL if a racing call got there first —
    or no row when no number may call."""
    counters = _COUNTERS + (_COOLED if cooldown else "")
    ctes, pick = _pick("postgresql", cooldown, region, country)
    sql = (
        f"WITH {ctes}, pick AS ({pick}),"
        f" claimed AS ({_CLAIM} FROM pick WHERE cn.phone_number_id = pick.id"
        f" AND {counters} RETURNING cn.phone_number_id, cn.used_today),"
        " remembered AS ("
        + _REMEMBER.format(source="SELECT :campaign, :key, phone_number_id, :now FROM claimed")
        + ") SELECT pick.id, pick.e164, pick.tier, claimed.used_today"
        " FROM pick LEFT JOIN claimed ON true"
    )
    return _typed(sql)


@lru_cache(maxsize=16)
def pick_only(cooldown: bool, region: bool, country: bool) -> sa.TextClause:
    """SQLite: the best free number (phone_number_id, phone_number, tier), or no row."""
    ctes, pick = _pick("sqlite", cooldown, region, country)
    return _typed(f"WITH {ctes} {pick}")


@lru_cache(maxsize=2)
def claim(cooldown: bool) -> sa.TextClause:
    """SQLite: count one call on the picked number if it may still take one (used_today)."""
    counters = _COUNTERS + (_COOLED if cooldown else "")
    sql = f"{_CLAIM} WHERE cn.phone_number_id = :picked AND {counters} RETURNING used_today"
    return _typed(sql)


@lru_cache(maxsize=1)
def remember() -> sa.TextClause:
    source = "VALUES (:campaign, :key, :picked, :now)"
    return _typed(_REMEMBER.format(source=source))


def _typed(sql: str) -> sa.TextClause:
    """The statement with its datetime, date and status parameters typed."""
    names = [name for name in _TYPES if f":{name}" in sql]
    return sa.text(sql).bindparams(*(sa.bindparam(n, type_=_TYPES[n]) for n in names))


def _pick(dialect: str, cooldown: bool, region: bool, country: bool) -> tuple[str, str]:
    """(the CTEs the rules read, the UNION ALL of the rules in order under LIMIT 1)."""
    counters = _COUNTERS + (_COOLED if cooldown else "")
    sticky = "id = (SELECT id FROM seen)"
    branches = [
        _BRANCH.format(
            tier=f"CASE WHEN {sticky} THEN {STICKY} WHEN area_code = :area_code"
            f" THEN {AREA_CODE} ELSE {REGION} END",
            where=f"({sticky} OR area_code = :area_code OR region = :region)",
            name="local",
        )
    ]
    if region:
        # The other regions nearest first in one string parameter (:nearest): a region's
        # place in it is its tier, so one statement serves every recipient region.
        at = "strpos" if dialect == "postgresql" else "instr"
        at = f"{at}(:nearest, '|' || region || '|')"
        branches.append(_BRANCH.format(tier=f"{NEAREST} + {at}", where=f"{at} > 0", name="nearest"))
    if country:
        branches.append(_BRANCH.format(tier=COUNTRY, where="country = :country", name="c"))
    branches.append(_BRANCH.format(tier=ANY, where="true", name="anywhere"))
    ctes = _FREE.format(live=_LIVE, counters=counters)
    return ctes, " UNION ALL ".join(branches) + " LIMIT 1"


@lru_cache(maxsize=256)
def nearest(region: str | None) -> str | None:
    """The other regions, nearest first, as "|US-NJ|US-NY|...|" (None outside North America):
    a nearer region's code starts earlier in the string."""
    if region not in REGION_CENTRES:
        return None
    others = sorted(
        (r for r in REGION_CENTRES if r != region), key=lambda r: (distance_km(region, r), r)
    )
    return "|" + "|".join(others) + "|"
