"""Reconciling: the provider account's numbers against the numbers teams hold here.

Two kinds of finding: an orphan is owned (or being bought) at the provider but held by no
team here, so it is paid for and nobody sees it; a missing number is active here but the
provider no longer has it: missing from the paged list and, asked by itself, gone too (a list
paged by offset skips a number when another is deleted mid-scan, so the list alone is not
proof). Nothing changes unless asked. Safe from cron on several hosts:
the provider is read before the database, so a purchase in flight is never an orphan (its
row exists before its order), every write is conditional, and releasing twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import HELD, NumberStatus, PhoneNumber, utcnow
from app.providers import current_provider
from app.providers.base import ProviderError


@dataclass(frozen=True)
class Finding:
    phone_number: str
    kind: str  # "orphan" or "missing"
    provider_id: str | None
    provider_status: str
    team_id: str | None
    here: str
    action: str = "reported"


def reconcile(*, release_orphans: bool = False, mark_missing: bool = False) -> list[Finding]:
    started = utcnow()
    provider = current_provider()
    owned = {n.phone_number: n for n in provider.owned_numbers() if n.status != "gone"}
    held = {
        row.phone_number: row
        for row in db.session.scalars(sa.select(PhoneNumber).where(PhoneNumber.status.in_(HELD)))
    }
    findings = []
    for number, record in sorted(owned.items()):
        if number not in held:
            action = "reported"
            if release_orphans:
                action = _release(record.id)
            findings.append(Finding(number, "orphan", record.id, record.status, None, "—", action))
    for number, row in sorted(held.items()):
        activated_before = row.activated_at is not None and row.activated_at < started
        if row.status == NumberStatus.ACTIVE and activated_before and number not in owned:
            # The list is read page by page (by offset): a number deleted meanwhile shifts
            # another off it. Only the number's own record says it is gone.
            recheck = _still_owned(provider, number)
            if recheck is True:
                continue
            action = "reported"
            if recheck is None:
                action = "unconfirmed: the provider could not say"
            elif mark_missing:
                action = "marked released" if _mark_missing(row) else "changed meanwhile"
            at_provider = "—" if recheck is False else "?"
            findings.append(
                Finding(
                    number,
                    "missing",
                    row.provider_number_id,
                    at_provider,
                    row.team_id,
                    row.status,
                    action,
                )
            )
    return findings


def summary(findings: list[Finding]) -> str:
    """The last line of a run: "N orphaned, M missing"."""
    orphans = sum(f.kind == "orphan" for f in findings)
    return f"{orphans} orphaned, {len(findings) - orphans} missing"


def _still_owned(provider, phone_number: str) -> bool | None:
    """Whether the provider's own record of the number says it is still on the account
    (None: it could not say, so nothing is marked)."""
    try:
        record = provider.find_owned(phone_number)
    except ProviderError:
        return None
    return record is not None and record.status != "gone"


def _release(provider_id: str) -> str:
    try:
        current_provider().release(provider_id)
    except ProviderError as error:
        return f"release failed: {error.message}"
    return "released at provider"


def _mark_missing(row: PhoneNumber) -> bool:
    """Keep the number as history: the provider does not have it, so no team can use it."""
    now = utcnow()
    changed = db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == row.id, PhoneNumber.status == NumberStatus.ACTIVE)
        .values(status=NumberStatus.RELEASED, released_at=now, assistant_id=None)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 1:
        audit.record(
            row.team_id,
            None,
            audit.Action.MISSING,
            subject_id=row.id,
            subject=row.phone_number,
            before={"status": "active", "assistant_id": row.assistant_id},
            after={"status": "released", "assistant_id": None},
        )
    db.session.commit()
    return changed.rowcount == 1
