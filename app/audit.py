"""The team's history: who did what to which number or assistant, and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AuditEvent, utcnow


class Action(StrEnum):
    PURCHASE = "purchase"
    ORDER_FAILED = "order_failed"
    ORDER_CANCELLED = "order_cancelled"
    DOCUMENTS_SENT = "documents_sent"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    LABEL = "label"
    RELEASE = "release"
    RELEASE_SCHEDULE = "release_schedule"
    RELEASE_UNDO = "release_undo"
    EXPIRE = "expire"
    MISSING = "missing"
    CONVERT_TRIAL = "convert_trial"
    PLAN_CHANGE = "plan_change"
    CUSTOM_LIMIT = "custom_limit"
    LIMIT_GRACE_START = "limit_grace_start"
    LIMIT_GRACE_END = "limit_grace_end"
    KEEP_NUMBERS = "keep_numbers"
    ASSISTANT_CREATE = "assistant_create"
    ASSISTANT_RENAME = "assistant_rename"
    ASSISTANT_DELETE = "assistant_delete"
    TEAM_CREATE = "team_create"
    MEMBER_INVITE = "member_invite"
    INVITE_REVOKE = "invite_revoke"
    MEMBER_JOIN = "member_join"
    MEMBER_REMOVE = "member_remove"
    MEMBER_LEAVE = "member_leave"
    ROLE_CHANGE = "role_change"
    OWNERSHIP_TRANSFER = "ownership_transfer"
    GUARDRAILS_CHANGE = "guardrails_change"
    REQUEST_CREATE = "purchase_request"
    REQUEST_APPROVE = "request_approve"
    REQUEST_DENY = "request_deny"
    REQUEST_FAIL = "request_fail"
    DESTINATION_CHANGE = "destination_change"
    ROUTING_CHANGE = "routing_change"
    WEBHOOK_CREATE = "webhook_create"
    WEBHOOK_UPDATE = "webhook_update"
    WEBHOOK_DELETE = "webhook_delete"
    WEBHOOK_ROTATE = "webhook_rotate"
    WEBHOOK_DISABLED = "webhook_disabled"
    CAMPAIGN_CREATE = "campaign_create"
    CAMPAIGN_CHANGE = "campaign_change"
    CAMPAIGN_DELETE = "campaign_delete"
    CAMPAIGN_ADD = "campaign_add"
    CAMPAIGN_REMOVE = "campaign_remove"
    CAMPAIGN_COVERAGE = "campaign_coverage"
    HEALTH_ALERT = "health_alert"
    NUMBER_REST = "number_rest"
    NUMBER_WAKE = "number_wake"
    CALLER_NAME_SET = "caller_name_set"
    REPLACE_START = "replace_start"
    REPLACE_DONE = "replace_done"


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def record(
    team_id: str,
    actor_id: str | None,
    action: Action,
    *,
    subject_id: str | None = None,
    subject: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the session; it commits with the change it describes."""
    event = AuditEvent(
        team_id=team_id,
        actor_id=actor_id,
        action=Action(action).value,
        subject_id=subject_id,
        subject=subject[:200],
        before=before,
        after=after,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event


def history(
    team_id: str,
    page: int = 1,
    per_page: int = 50,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> Page:
    """Newest first; `where` narrows it (app.audit_filters)."""
    page = max(1, page)
    clauses = [AuditEvent.team_id == team_id, *where]
    total = db.session.scalar(sa.select(sa.func.count()).where(*clauses)) or 0
    events = db.session.scalars(newest_first(clauses).limit(per_page).offset((page - 1) * per_page))
    return Page(list(events), page, per_page, total)


def newest_first(where: Sequence[sa.ColumnElement[bool]]) -> sa.Select:
    """The events that match, newest first, with who did each."""
    return (
        sa.select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(*where)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
