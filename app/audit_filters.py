"""Narrowing the team's history: by number, person, kind of action and dates (UTC days).

Both the History page and its CSV export read the same filters from the query string, so an
export holds exactly the rows the page lists (all of them, not only the page shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.audit import Action
from app.extensions import db
from app.models import AuditEvent, User

SYSTEM = "system"  # the "person" of what jobs and providers did (no actor)

# The kinds of action a person filters by, in the order the select lists them.
ACTION_GROUPS: dict[str, tuple[str, tuple[Action, ...]]] = {
    "purchases": (
        "Purchases and orders",
        (
            Action.PURCHASE,
            Action.ORDER_FAILED,
            Action.ORDER_CANCELLED,
            Action.DOCUMENTS_SENT,
            Action.CONVERT_TRIAL,
        ),
    ),
    "assignments": ("Assignments", (Action.ASSIGN, Action.UNASSIGN)),
    "labels": ("Labels", (Action.LABEL,)),
    "releases": (
        "Releases and expiries",
        (
            Action.RELEASE,
            Action.RELEASE_SCHEDULE,
            Action.RELEASE_UNDO,
            Action.EXPIRE,
            Action.MISSING,
        ),
    ),
    "routing": ("Routing", (Action.ROUTING_CHANGE, Action.DESTINATION_CHANGE)),
    "assistants": (
        "Assistants",
        (Action.ASSISTANT_CREATE, Action.ASSISTANT_RENAME, Action.ASSISTANT_DELETE),
    ),
    "people": (
        "People and roles",
        (
            Action.TEAM_CREATE,
            Action.MEMBER_INVITE,
            Action.INVITE_REVOKE,
            Action.MEMBER_JOIN,
            Action.MEMBER_REMOVE,
            Action.MEMBER_LEAVE,
            Action.ROLE_CHANGE,
            Action.OWNERSHIP_TRANSFER,
        ),
    ),
    "plan": (
        "Plan and limits",
        (
            Action.PLAN_CHANGE,
            Action.CUSTOM_LIMIT,
            Action.LIMIT_GRACE_START,
            Action.LIMIT_GRACE_END,
            Action.KEEP_NUMBERS,
        ),
    ),
    "guardrails": (
        "Guardrails and purchase requests",
        (
            Action.GUARDRAILS_CHANGE,
            Action.REQUEST_CREATE,
            Action.REQUEST_APPROVE,
            Action.REQUEST_DENY,
            Action.REQUEST_FAIL,
        ),
    ),
    "webhooks": (
        "Webhooks",
        (
            Action.WEBHOOK_CREATE,
            Action.WEBHOOK_UPDATE,
            Action.WEBHOOK_DELETE,
            Action.WEBHOOK_ROTATE,
            Action.WEBHOOK_DISABLED,
        ),
    ),
    "campaigns": (
        "Campaigns",
        (
            Action.CAMPAIGN_CREATE,
            Action.CAMPAIGN_CHANGE,
            Action.CAMPAIGN_DELETE,
            Action.CAMPAIGN_ADD,
            Action.CAMPAIGN_REMOVE,
            Action.CAMPAIGN_COVERAGE,
        ),
    ),
}
FIELDS = ("number", "person", "action", "since", "until")


@dataclass(frozen=True)
class HistoryFilters:
    number: str = ""  # digits the number contains
    person: str = ""  # a user's id, or SYSTEM
    action: str = ""  # an ACTION_GROUPS key
    since: date | None = None  # from this UTC day
    until: date | None = None  # to this UTC day, inclusive
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def narrowed(self) -> bool:
        return any((self.number, self.person, self.action, self.since, self.until))

    def params(self) -> dict[str, str]:
        """The filters as the query string spells them (empty ones left out)."""
        values = {
            "number": self.number,
            "person": self.person,
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in values.items() if v}

    def where(self, team_id: str) -> list[sa.ColumnElement[bool]]:
        clauses = [AuditEvent.team_id == team_id]
        if self.number:
            clauses.append(AuditEvent.subject.contains(self.number, autoescape=True))
        if self.person == SYSTEM:
            clauses.append(AuditEvent.actor_id.is_(None))
        elif self.person:
            clauses.append(AuditEvent.actor_id == self.person)
        if self.action:
            clauses.append(AuditEvent.action.in_([a.value for a in ACTION_GROUPS[self.action][1]]))
        if self.since:
            clauses.append(AuditEvent.created_at >= datetime.combine(self.since, time(), UTC))
        if self.until and self.until < date.max:  # the last day has no next day
            end = datetime.combine(self.until + timedelta(days=1), time(), UTC)
            clauses.append(AuditEvent.created_at < end)
        return clauses


def parse_filters(values: Mapping[str, str], people: Mapping[str, str]) -> HistoryFilters:
    """The filters from a query string; a bad one is named (and left out), never a 5xx.

    `people` is who the person filter may name (id -> name).
    """
    errors: dict[str, str] = {}
    raw = {name: str(values.get(name, "")).strip()[:40] for name in FIELDS}
    number = "".join(c for c in raw["number"] if c.isascii() and c.isdigit())
    if raw["number"] and not number:
        errors["number"] = "Type digits of the number, such as 415 or 5550101."
    person = raw["person"]
    if person and person != SYSTEM and person not in people:
        errors["person"] = "Choose someone from the list."
        person = ""
    action = raw["action"]
    if action and action not in ACTION_GROUPS:
        errors["action"] = "Choose a kind of action from the list."
        action = ""
    since, until = _day(raw["since"], "since", errors), _day(raw["until"], "until", errors)
    if since and until and since > until:
        errors["until"] = "The end date is before the start date."
        until = None
    return HistoryFilters(number, person, action, since, until, errors)


def people_in_history(team_id: str) -> dict[str, str]:
    """Everyone who did something in the team (members and those who left), id -> name."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email)
        .where(
            User.id.in_(
                sa.select(AuditEvent.actor_id).where(
                    AuditEvent.team_id == team_id, AuditEvent.actor_id.is_not(None)
                )
            )
        )
        .order_by(User.name, User.email)
    )
    return {user_id: name or email for user_id, name, email in rows}


def _day(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = "Write the date as YYYY-MM-DD."
        return None
