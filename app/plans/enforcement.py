"""The over-limit sweep: at the end of a team's grace, release what it may not keep.

`enforce_limits` is a plain service function (the CLI's `flask teams enforce-limits` and, later,
a job queue call it): run it every few minutes, on as many hosts as you like. It

1. starts a grace for any team found over its limit without one (teams over their plan from
   before graces existed; nothing else leaves a team over without starting one);
2. clears the grace of a team that fell within its limit;
3. at the end of a grace, releases the numbers beyond the limit that its owners did not keep:
   unassigned ones first, then the most recently bought, each straight away at the provider
   (the grace was the window to change one's mind) through app.numbers.settling;
4. emails owners: once when a grace starts, and once per number released.

Safe on several hosts and after being killed half-way: each number is claimed by one
conditional UPDATE (active, not kept) made under the team's row lock after counting again
what the team keeps, so two runs never release more than the excess between them; a claimed
number whose release did not finish is finished by the next run (or `numbers sync`); and each
email is claimed in `sent_notices` before it is sent, from the numbers' own record
(`over_limit_at`), so a run that stopped before emailing is made good by the next one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.accounts.teams import lock_team
from app.extensions import db
from app.models import NumberStatus, PhoneNumber, Team, utcnow
from app.numbers.settling import finish_release
from app.plans.catalog import PLANS
from app.plans.grace import end_grace, start_grace, staying_count, to_release
from app.plans.limit_notices import send_grace_notices, send_release_notices
from app.plans.limits import standing
from app.providers.base import ProviderError

log = logging.getLogger(__name__)
OVER_LIMIT = "over_limit"  # the status_reason of a number the sweep is releasing


@dataclass
class Enforcement:
    """What one run did."""

    started: int = 0  # graces started for teams found over their limit
    cleared: int = 0  # graces ended: the team is within its limit again
    released: int = 0  # numbers released at the end of a grace
    notices: int = 0  # emails queued (the mail job delivers them, with retries)
    failed: int = 0  # releases that did not go through (the next run retries)


def enforce_limits(now: datetime | None = None) -> Enforcement:
    now = now or utcnow()
    run = Enforcement()
    for team_id in _over_without_grace(now):
        run.started += _start_missing(team_id, now)
    for team_id in db.session.scalars(sa.select(Team.id).where(Team.grace_ends_at.is_not(None))):
        _enforce_team(team_id, now, run)
    run.notices += send_grace_notices(now)
    run.notices += send_release_notices(now)
    return run


def _over_without_grace(now: datetime) -> list[str]:
    """Teams holding more than they may keep, with no grace running (one grouped count).

    Over their plan's or custom limit; or on a plan without a subscription (Free) and holding
    a number that is not a live trial. The service reads each one's standing again.
    """
    limit = sa.func.coalesce(
        Team.custom_limit, sa.case({p.key: p.max_numbers for p in PLANS.values()}, value=Team.plan)
    )
    free = [p.key for p in PLANS.values() if not p.has_subscription]
    live = sa.func.count(PhoneNumber.id)
    bought = sa.func.count(PhoneNumber.id).filter(PhoneNumber.is_trial.is_(False))
    rows = db.session.execute(
        sa.select(Team.id)
        .join(PhoneNumber, PhoneNumber.team_id == Team.id)
        .where(Team.grace_ends_at.is_(None), PhoneNumber.live(now))
        .group_by(Team.id, Team.plan, Team.custom_limit)
        .having(sa.or_(live > limit, sa.and_(Team.plan.in_(free), bought > 0)))
    )
    return [team_id for (team_id,) in rows]


def _start_missing(team_id: str, now: datetime) -> int:
    lock_team(team_id)
    team = db.session.get(Team, team_id, populate_existing=True)
    place = standing(team, now, staying_count(team_id, now))
    if team.grace_ends_at is not None or not place.over:
        db.session.rollback()
        return 0
    start_grace(team, place, None, now)
    db.session.commit()
    log.info("team %s is over its limit: grace until %s", team_id, team.grace_ends_at)
    return 1


def _enforce_team(team_id: str, now: datetime, run: Enforcement) -> None:
    team = db.session.get(Team, team_id, populate_existing=True)
    if team is None or team.grace_ends_at is None:
        return
    _finish_claimed(team_id, run)
    if not standing(team, now, staying_count(team_id, now)).over:
        run.cleared += _clear(team_id, now)
        return
    if team.grace_ends_at > now:
        return
    skipped: set[str] = set()
    while (number := _claim_next(team_id, now, skipped)) is not None:
        try:
            if finish_release(number) == NumberStatus.RELEASED:
                run.released += 1  # not when a run on another host finished it first
        except ProviderError as error:  # one number's failure must not stop the run
            log.warning("could not release %s over its team's limit: %s", number.id, error.message)
            skipped.add(number.id)
            run.failed += 1
    if not standing(team, now, staying_count(team_id, now)).over:
        run.cleared += _clear(team_id, now)


def _claim_next(team_id: str, now: datetime, skipped: set[str]) -> PhoneNumber | None:
    """Claim the next number to release, if the team is still over its limit at the end of
    its grace: under the team's row lock (purchases, choices and other runs wait), with one
    conditional UPDATE. None when there is nothing (more) to release."""
    while True:
        lock_team(team_id)
        team = db.session.get(Team, team_id, populate_existing=True)
        if team is None or team.grace_ends_at is None or team.grace_ends_at > now:
            db.session.rollback()  # upgraded, or cleared by another run, meanwhile
            return None
        if not standing(team, now, staying_count(team_id, now)).over:
            db.session.rollback()
            return None
        query = to_release(team_id, now)
        if skipped:
            query = query.where(PhoneNumber.id.not_in(skipped))
        number = db.session.scalars(query.limit(1)).first()
        if number is None:  # only orders still completing are left: the next run
            db.session.rollback()
            return None
        claimed = db.session.execute(
            sa.update(PhoneNumber)
            .where(
                PhoneNumber.id == number.id,
                PhoneNumber.status == NumberStatus.ACTIVE,
                PhoneNumber.kept.is_(False),
            )
            .values(status=NumberStatus.RELEASING, status_reason=OVER_LIMIT, over_limit_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            db.session.commit()
            db.session.refresh(number)
            return number
        db.session.commit()  # it moved on (released by a person meanwhile): the next one
        skipped.add(number.id)


def _finish_claimed(team_id: str, run: Enforcement) -> None:
    """Numbers claimed by a run that stopped before the provider confirmed: finish them."""
    claimed = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.team_id == team_id,
            PhoneNumber.status == NumberStatus.RELEASING,
            PhoneNumber.status_reason == OVER_LIMIT,
        )
    ).all()
    for number in claimed:
        try:
            if finish_release(number) == NumberStatus.RELEASED:
                run.released += 1
        except ProviderError as error:
            log.warning("could not finish releasing %s: %s", number.id, error.message)
            run.failed += 1


def _clear(team_id: str, now: datetime) -> int:
    """End the team's grace if it is (still) within its limit, under its lock."""
    lock_team(team_id)
    team = db.session.get(Team, team_id, populate_existing=True)
    if team.grace_ends_at is None or standing(team, now, staying_count(team_id, now)).over:
        db.session.rollback()
        return 0
    end_grace(team, None)
    db.session.commit()
    return 1
