"""Sweeps: numbers given back at the provider when their time comes, from cron or a job queue.

Two are run every few minutes: `expire_trials` (app.numbers.trials: a trial past its end) and
`release_due` (here: a person's release past its grace window, which app.numbers.releasing
scheduled). Both are safe on several hosts at once and after a run was killed: each number is
claimed by one conditional UPDATE, which one run (or, for a release, Undo) wins; a provider
that refuses leaves the number for the next run, and one whose answer never came leaves it
releasing for `numbers sync`, as any unconfirmed release.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import SCHEDULED, NumberStatus, PhoneNumber, utcnow
from app.numbers.settling import finish_release
from app.providers.base import ProviderError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    """Which numbers are due at a moment, in what order, and how the claim marks one."""

    due: Callable[[datetime], sa.ColumnElement[bool]]
    order: sa.ColumnElement
    claim: dict[str, Any]  # what the claiming UPDATE writes (releasing, and why)
    done: NumberStatus  # what a number given back becomes
    name: str  # for the log


def sweep(kind: Sweep, now: datetime) -> int:
    """Give back every number due at `now`, one claim at a time; how many were given back."""
    given_back = 0
    skipped: set[str] = set()
    while (number := _next_due(kind, now, skipped)) is not None:
        if not _claim(kind, number, now):
            skipped.add(number.id)  # another run took it (or Undo did)
            continue
        try:
            if finish_release(number) == kind.done:
                given_back += 1
        except ProviderError as error:  # keep going: one number's failure must not stop the run
            log.warning("%s: could not release %s: %s", kind.name, number.id, error.message)
            skipped.add(number.id)
    return given_back


def _next_due(kind: Sweep, now: datetime, skipped: set[str]) -> PhoneNumber | None:
    query = sa.select(PhoneNumber).where(kind.due(now)).order_by(kind.order)
    if skipped:
        query = query.where(PhoneNumber.id.not_in(skipped))
    return db.session.scalars(query.limit(1)).first()


def _claim(kind: Sweep, number: PhoneNumber, now: datetime) -> bool:
    claimed = db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == number.id, kind.due(now))
        .values(**kind.claim)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount == 1:
        db.session.refresh(number)
    return claimed.rowcount == 1


RELEASES = Sweep(
    due=lambda now: sa.and_(
        PhoneNumber.status == NumberStatus.RELEASING,
        PhoneNumber.status_reason == SCHEDULED,
        PhoneNumber.release_after <= now,
    ),
    order=PhoneNumber.release_after,
    claim={"status_reason": "release"},  # no longer undoable: the provider is being asked
    done=NumberStatus.RELEASED,
    name="scheduled release",
)


def release_due(now: datetime | None = None) -> int:
    """Release, at the provider, every number whose grace window has passed; how many."""
    return sweep(RELEASES, now or utcnow())
