"""Setting a number's caller-ID name and following its listing:
submitted -> propagating (the carriers' databases take 24-72 hours) -> listed, or failed.

The provider is asked outside any transaction; a periodic check (`advance_caller_names`)
asks it again where each name stands. A name is listed once the provider still holds it at
its expect-by time: no provider reports the carriers' databases themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor, Permission
from app.caller_names.rules import clean_caller_name, takes_caller_name
from app.exceptions import Conflict, ServiceError, ValidationFailed
from app.extensions import db
from app.models import (
    CallerName,
    CallerNameState,
    Campaign,
    CampaignNumber,
    NumberStatus,
    PhoneNumber,
    utcnow,
)
from app.numbers.failures import provider_failure
from app.providers import current_provider
from app.providers.base import ProviderError, ProviderRefusedInput
from app.timefmt import iso

PROPAGATION = timedelta(hours=72)  # the end of the carriers' 24-72 hour spread
CHECK_EVERY = timedelta(minutes=5)
CHECK_BATCH = 200
IN_PROGRESS = (CallerNameState.SUBMITTED, CallerNameState.PROPAGATING)
UNCONFIRMED = "The caller name may have been sent: send it again."


def caller_name_of(number: PhoneNumber) -> CallerName | None:
    return db.session.get(CallerName, number.id)


def set_caller_name(actor: Actor, number: PhoneNumber, value: object) -> CallerName:
    """Ask for the number's caller name to be `value`. The same name again, while it is on
    its way or listed, changes nothing (a retry)."""
    actor.require(Permission.LABEL)
    name = clean_caller_name(value)
    _refuse_unfit(number)
    current = caller_name_of(number)
    if current is not None and current.name == name and current.state != CallerNameState.FAILED:
        return current
    provider_id = number.provider_number_id
    db.session.rollback()  # no transaction open across the provider's answer
    try:
        current_provider().set_caller_name(provider_id or "", name)
    except ProviderRefusedInput as error:
        raise ValidationFailed({"name": error.message}) from error
    except ProviderError as error:
        raise provider_failure(error, UNCONFIRMED) from error
    return _record(actor, number, name, utcnow())


def _refuse_unfit(number: PhoneNumber) -> None:
    if not takes_caller_name(number.number_type):
        raise ValidationFailed(
            {"name": "Toll-free numbers have no caller name listing: carriers do not look one up."}
        )
    if number.status != NumberStatus.ACTIVE or not number.provider_number_id:
        raise Conflict(f"{number.phone_number} is not active: set its caller name once it is.")


def _record(actor: Actor, number: PhoneNumber, name: str, now: datetime) -> CallerName:
    row = caller_name_of(number)
    before = {"name": row.name, "state": row.state} if row else None
    if row is None:
        row = CallerName(phone_number_id=number.id, team_id=number.team_id)
        db.session.add(row)
    row.name, row.state, row.detail = name, CallerNameState.SUBMITTED, None
    row.submitted_at, row.expect_by = now, now + PROPAGATION
    row.listed_at, row.checked_at = None, None
    audit.record(
        number.team_id,
        actor.user.id,
        audit.Action.CALLER_NAME_SET,
        subject_id=number.id,
        subject=number.phone_number,
        before=before,
        after={"name": name},
    )
    db.session.commit()
    return row


@dataclass
class BulkResult:
    """What applying one name to a campaign's numbers did, number by number."""

    name: str
    applied: list[PhoneNumber] = field(default_factory=list)
    unchanged: list[PhoneNumber] = field(default_factory=list)
    skipped: list[PhoneNumber] = field(default_factory=list)  # toll-free
    failed: list[tuple[PhoneNumber, str]] = field(default_factory=list)


def apply_to_campaign(actor: Actor, campaign: Campaign, value: object) -> BulkResult:
    """One name for every active number in the campaign; toll-free ones are skipped (and
    named), and a number the provider refuses does not stop the others."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    result = BulkResult(clean_caller_name(value))
    numbers = db.session.scalars(
        sa.select(PhoneNumber)
        .join(CampaignNumber, CampaignNumber.phone_number_id == PhoneNumber.id)
        .where(
            CampaignNumber.campaign_id == campaign.id,
            PhoneNumber.team_id == campaign.team_id,
            PhoneNumber.status == NumberStatus.ACTIVE,
        )
        .order_by(PhoneNumber.phone_number)
    ).all()
    for number in numbers:
        if not takes_caller_name(number.number_type):
            result.skipped.append(number)
            continue
        current = caller_name_of(number)
        if current and current.name == result.name and current.state != CallerNameState.FAILED:
            result.unchanged.append(number)
            continue
        try:
            set_caller_name(actor, number, result.name)
        except ServiceError as error:
            db.session.rollback()
            fields = getattr(error, "fields", None)
            result.failed.append((number, " ".join(fields.values()) if fields else error.message))
            continue
        result.applied.append(number)
    return result


def advance_caller_names(now: datetime | None = None) -> str:
    """The periodic check: ask the provider where each name on its way stands, oldest checked
    first; answers a summary for the job's record."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(CallerName, PhoneNumber.provider_number_id)
        .join(PhoneNumber, PhoneNumber.id == CallerName.phone_number_id)
        .where(
            CallerName.state.in_(IN_PROGRESS),
            sa.or_(CallerName.checked_at.is_(None), CallerName.checked_at <= now - CHECK_EVERY),
        )
        .order_by(CallerName.checked_at.is_not(None), CallerName.checked_at)
        .limit(CHECK_BATCH)
    ).all()
    work = [(row.phone_number_id, row.name, row.submitted_at, pid) for row, pid in rows]
    db.session.rollback()
    moved = 0
    for number_id, name, submitted_at, provider_id in work:
        try:
            check = current_provider().check_caller_name(provider_id or "", name, submitted_at, now)
        except ProviderError:
            continue  # asked again at the next run
        moved += _advance(number_id, name, check.state, check.detail, now)
    return f"checked {len(work)} caller names, {moved} moved on"


def _advance(number_id: str, name: str, said: str, detail: str, now: datetime) -> int:
    row = db.session.get(CallerName, number_id)
    if row is None or row.name != name or row.state not in IN_PROGRESS:
        db.session.rollback()
        return 0  # changed meanwhile: the newer request stands
    was = row.state
    if said == "rejected":
        row.state, row.detail = CallerNameState.FAILED, (detail or "The provider refused it.")[:300]
    elif said in ("accepted", "listed"):
        listed = said == "listed" or now >= row.expect_by
        row.state = CallerNameState.LISTED if listed else CallerNameState.PROPAGATING
        if listed:
            row.listed_at = now
    row.checked_at = now
    db.session.commit()
    return int(row.state != was)


def caller_name_line(number: PhoneNumber, now: datetime | None = None) -> str:
    """The caller name in one line: "Listed: ACME SUPPORT", "Propagating, expect by 9 Dec"."""
    return _line(number, caller_name_of(number) if takes_caller_name(number.number_type) else None)


def caller_name_lines(numbers: list[PhoneNumber]) -> dict[str, str]:
    """caller_name_line for many numbers at once (one query): a campaign's pool, say."""
    ids = [n.id for n in numbers]
    rows = (
        {
            row.phone_number_id: row
            for row in db.session.scalars(
                sa.select(CallerName).where(CallerName.phone_number_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    return {n.id: _line(n, rows.get(n.id)) for n in numbers}


def _line(number: PhoneNumber, row: CallerName | None) -> str:
    if not takes_caller_name(number.number_type):
        return "No caller name listing for toll-free numbers"
    if row is None:
        return "Not set"
    if row.state == CallerNameState.LISTED:
        return f"Listed: {row.name}"
    if row.state == CallerNameState.PROPAGATING:
        return f"Propagating, expect by {day(row.expect_by)}"
    if row.state == CallerNameState.FAILED:
        return f"Failed: {row.detail or 'the provider refused it'}"
    return f"Submitted: {row.name}"


def day(moment: datetime) -> str:
    """ "9 Dec" (UTC)."""
    return f"{moment.day} {moment:%b}"


def caller_name_json(number: PhoneNumber) -> dict[str, Any] | None:
    row = caller_name_of(number)
    if row is None:
        return None
    return {
        "name": row.name,
        "state": row.state,
        "detail": row.detail,
        "submittedAt": iso(row.submitted_at),
        "expectBy": iso(row.expect_by),
        "listedAt": iso(row.listed_at),
        "line": caller_name_line(number),
    }
