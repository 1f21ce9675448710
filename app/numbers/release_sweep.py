"""The release sweep: gives back, at the provider, every number whose release has waited out
its grace window (app.numbers.releasing schedules them; Undo takes them back until the sweep
claims them). Run it every minute: `flask numbers release-due` from cron, or as a periodic job.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from app.accounts.teams import bump_version
from app.extensions import db
from app.models import SCHEDULED, NumberStatus, PhoneNumber, utcnow
from app.numbers.settling import finish_release
from app.providers.base import ProviderError

log = logging.getLogger(__name__)


def release_due(now: datetime | None = None) -> int:
    """Release, at the provider, every number whose grace window has passed; how many.

    Safe on several hosts at once and after a run was killed: each number is claimed by one
    conditional UPDATE (scheduled → release), which one run (or Undo) wins. A provider that
    refuses puts the number back for the next run; one whose answer never came leaves it
    releasing for `numbers sync`, as any unconfirmed release.
    """
    now = now or utcnow()
    released = 0
    skipped: set[str] = set()
    while (number := _next_due(now, skipped)) is not None:
        if not _claim(number, now):
            skipped.add(number.id)  # another run, or Undo, took it
            continue
        try:
            if finish_release(number) == NumberStatus.RELEASED:
                released += 1
        except ProviderError as error:  # keep going: one number's failure must not stop the run
            log.warning("could not release %s as scheduled: %s", number.id, error.message)
            skipped.add(number.id)
    return released


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        PhoneNumber.status == NumberStatus.RELEASING,
        PhoneNumber.status_reason == SCHEDULED,
        PhoneNumber.release_after <= now,
    )


def _next_due(now: datetime, skipped: set[str]) -> PhoneNumber | None:
    query = sa.select(PhoneNumber).where(_due(now)).order_by(PhoneNumber.release_after)
    if skipped:
        query = query.where(PhoneNumber.id.not_in(skipped))
    return db.session.scalars(query.limit(1)).first()


def _claim(number: PhoneNumber, now: datetime) -> bool:
    claimed = db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == number.id, _due(now))
        .values(status_reason="release")
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:
        bump_version(number.team_id)
    db.session.commit()
    if claimed.rowcount == 1:
        db.session.refresh(number)
    return claimed.rowcount == 1
