"""A team's webhook endpoints (owners and admins): add, change, delete, rotate the secret,
disable; their delivery logs, Resend and "Send test event". One service for the API and the
Team page's Webhooks section.

Every change keeps `teams.webhook_events` (the event types the enabled endpoints take) in
its own transaction, so `emit` can skip a team nobody listens to without a query.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import audit
from app.accounts.lookups import find_for_user, find_in_team
from app.accounts.roles import Actor, Permission
from app.events import outbox, secrets
from app.events.catalog import EVENT_TYPES
from app.events.delivery import redeliver
from app.exceptions import Conflict, NotFound
from app.extensions import db
from app.ids import is_id, new_id
from app.models import (
    Team,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)

log = logging.getLogger(__name__)
MAX_ENDPOINTS = 10
NOT_FOUND = "Webhook endpoint not found."


@dataclass(frozen=True)
class Issued:
    """An endpoint with its secret in the clear: the one answer that shows it."""

    endpoint: WebhookEndpoint
    secret: str


def find_endpoint(user: User, endpoint_id: object) -> tuple[Actor, WebhookEndpoint]:
    """The endpoint and the user acting for its team; NotFound unless it is in their teams
    and their role there manages webhooks (the role is checked by the caller's action)."""
    return find_for_user(WebhookEndpoint, "whep", user, endpoint_id, NOT_FOUND)


def team_endpoint(actor: Actor, endpoint_id: object) -> WebhookEndpoint:
    return find_in_team(WebhookEndpoint, "whep", actor.team.id, endpoint_id, NOT_FOUND)


def list_endpoints(actor: Actor) -> list[WebhookEndpoint]:
    actor.require(Permission.MANAGE_WEBHOOKS)
    return list(
        db.session.scalars(
            sa.select(WebhookEndpoint)
            .where(WebhookEndpoint.team_id == actor.team.id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


def create_endpoint(actor: Actor, fields: dict) -> Issued:
    actor.require(Permission.MANAGE_WEBHOOKS)
    _lock_team(actor.team.id)
    count = db.session.scalar(
        sa.select(sa.func.count()).where(WebhookEndpoint.team_id == actor.team.id)
    )
    if count >= MAX_ENDPOINTS:
        db.session.rollback()
        raise Conflict(f"A team has at most {MAX_ENDPOINTS} webhook endpoints: delete one first.")
    secret = secrets.new_secret()
    endpoint = WebhookEndpoint(
        id=new_id("whep"),
        team_id=actor.team.id,
        url=fields["url"],
        description=fields.get("description") or "",
        events=_stored(fields["events"]),
        enabled=fields.get("enabled", True),
        secret=secrets.seal(secret),
        created_by_id=actor.user.id,
        created_at=utcnow(),
    )
    db.session.add(endpoint)
    _audit(actor, audit.Action.WEBHOOK_CREATE, endpoint, after=_summary(endpoint))
    _refresh_listening(actor.team.id)
    db.session.commit()
    return Issued(endpoint, secret)


def update_endpoint(actor: Actor, endpoint: WebhookEndpoint, changes: dict) -> WebhookEndpoint:
    actor.require(Permission.MANAGE_WEBHOOKS)
    before = _summary(endpoint)
    if "url" in changes:
        endpoint.url = changes["url"]
    if "events" in changes:
        endpoint.events = _stored(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if "enabled" in changes and changes["enabled"] != endpoint.enabled:
        endpoint.enabled = changes["enabled"]
        # Turned back on: a fresh start (the three days of failures count again from now).
        endpoint.disabled_at = None if endpoint.enabled else utcnow()
        endpoint.disabled_reason = None if endpoint.enabled else "Turned off by a person."
        endpoint.failing_since = None
    after = _summary(endpoint)
    if after != before:
        _audit(actor, audit.Action.WEBHOOK_UPDATE, endpoint, before=before, after=after)
    _refresh_listening(actor.team.id)
    db.session.commit()
    return endpoint


def delete_endpoint(actor: Actor, endpoint: WebhookEndpoint) -> None:
    actor.require(Permission.MANAGE_WEBHOOKS)
    _audit(actor, audit.Action.WEBHOOK_DELETE, endpoint, before=_summary(endpoint))
    db.session.execute(sa.delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id))
    _refresh_listening(actor.team.id)
    db.session.commit()


def rotate_secret(actor: Actor, endpoint: WebhookEndpoint) -> Issued:
    """A new secret; the old one keeps signing too for WEBHOOKS_SECRET_OVERLAP_HOURS, so
    receivers can switch without a refused event."""
    actor.require(Permission.MANAGE_WEBHOOKS)
    hours = current_app.config["WEBHOOKS_SECRET_OVERLAP_HOURS"]
    secret = secrets.new_secret()
    endpoint.previous_secret = endpoint.secret if hours else None
    endpoint.previous_secret_until = utcnow() + timedelta(hours=hours) if hours else None
    endpoint.secret = secrets.seal(secret)
    _audit(actor, audit.Action.WEBHOOK_ROTATE, endpoint, after={"overlap_hours": hours})
    db.session.commit()
    return Issued(endpoint, secret)


def disable(endpoint: WebhookEndpoint, reason: str) -> bool:
    """Stop sending to it (its waiting deliveries fail), and email the team's owners; False
    if it was disabled already (two workers at once email once)."""
    now = utcnow()
    changed = db.session.execute(
        sa.update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.enabled.is_(True))
        .values(enabled=False, disabled_at=now, disabled_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        return False
    audit.record(
        endpoint.team_id,
        None,
        audit.Action.WEBHOOK_DISABLED,
        subject_id=endpoint.id,
        subject=endpoint.url,
        after={"reason": reason},
    )
    _refresh_listening(endpoint.team_id)
    db.session.commit()
    db.session.refresh(endpoint)
    log.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)
    from app.events.notices import tell_owners

    tell_owners(endpoint)
    return True


def deliveries(actor: Actor, endpoint: WebhookEndpoint, limit: int = 50) -> list[tuple]:
    """(delivery, its tries newest first), newest deliveries first."""
    actor.require(Permission.MANAGE_WEBHOOKS)
    found = list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
    )
    tries: dict[str, list[WebhookAttempt]] = {d.id: [] for d in found}
    if found:
        for attempt in db.session.scalars(
            sa.select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(tries)))
            .order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id.desc())
        ):
            tries[attempt.delivery_id].append(attempt)
    return [(delivery, tries[delivery.id]) for delivery in found]


def resend(actor: Actor, endpoint: WebhookEndpoint, delivery_id: object) -> WebhookDelivery:
    """Send a finished delivery again, with the same webhook-id (receivers that handled it
    drop it); one still being tried is `409 conflict`."""
    actor.require(Permission.MANAGE_WEBHOOKS)
    delivery = db.session.get(WebhookDelivery, delivery_id) if is_id("whdl", delivery_id) else None
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound("Delivery not found.")
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled: turn it on first.")
    if not redeliver(delivery):
        db.session.rollback()
        raise Conflict("That delivery is still being tried: it cannot be resent yet.")
    db.session.commit()
    db.session.refresh(delivery)
    return delivery


def send_test(actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    actor.require(Permission.MANAGE_WEBHOOKS)
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled: turn it on first.")
    delivery = outbox.test_event(endpoint)
    db.session.commit()
    db.session.refresh(delivery)
    return delivery


def _stored(events: list[str]) -> str:
    return f",{','.join(events)},"


def _refresh_listening(team_id: str) -> None:
    """teams.webhook_events from the team's enabled endpoints, as this transaction sees them."""
    db.session.flush()
    stored = db.session.scalars(
        sa.select(WebhookEndpoint.events).where(
            WebhookEndpoint.team_id == team_id, WebhookEndpoint.enabled.is_(True)
        )
    ).all()
    taken = {name for events in stored for name in events.split(",") if name}
    value = _stored([name for name in EVENT_TYPES if name in taken]) if taken else ""
    db.session.execute(
        sa.update(Team)
        .where(Team.id == team_id)
        .values(webhook_events=value)
        .execution_options(synchronize_session=False)
    )


def _lock_team(team_id: str) -> None:
    # Two creates at once count in turn (the row lock on PostgreSQL, the write lock on SQLite).
    db.session.execute(
        sa.update(Team).where(Team.id == team_id).values(webhook_events=Team.webhook_events)
    )


def _summary(endpoint: WebhookEndpoint) -> dict:
    return {
        "url": endpoint.url,
        "events": endpoint.event_types,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
    }


def _audit(actor: Actor, action, endpoint: WebhookEndpoint, **change) -> None:
    audit.record(
        actor.team.id, actor.user.id, action, subject_id=endpoint.id, subject=endpoint.url, **change
    )


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
