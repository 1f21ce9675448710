"""`emit(team_id, type, data)`: announce a change to the team's endpoints that take it.

Called at the service points, before the change commits: a delivery row per listening
endpoint joins the change's transaction (so an event goes out exactly for changes that
committed), and once it commits a job is nudged to send them within seconds. The minute's
sweep (app.events.delivery.deliver_due) sends whatever a lost nudge left.

A team no endpoint listens to costs nothing: `listening` (the team's `webhook_events`,
when the caller has it) answers without a query; otherwise one query per type and
transaction finds the endpoints.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.events.catalog import EVENT_TYPES, TEST_EVENT
from app.extensions import db
from app.ids import new_id
from app.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, utcnow

log = logging.getLogger(__name__)
RETRY_FOR = timedelta(hours=24)
_NUDGES = "webhook_deliveries_to_nudge"
_LISTENERS = "webhook_listeners"


def emit(
    team_id: str,
    event_type: str,
    data: dict[str, Any],
    *,
    listening: str | None = None,
    once_key: str | None = None,
) -> int:
    """Queue the event for each enabled endpoint of the team that takes it (in the caller's
    transaction); how many. `once_key`: at most one delivery per endpoint with this key."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type} is not an event type (app.events.catalog)")
    if listening is not None and f",{event_type}," not in listening:
        return 0
    endpoints = _listening(team_id, event_type, once_key)
    if not endpoints:
        return 0
    now = utcnow()
    body = payload(event_type, data, now)
    event_id = new_id("msg")
    for endpoint_id in endpoints:
        queue_delivery(endpoint_id, team_id, event_id, event_type, body, now, once_key)
    return len(endpoints)


def payload(event_type: str, data: dict[str, Any], at: datetime) -> str:
    """The body, as Standard Webhooks lays it out; kept as sent, so every try is the same."""
    stamp = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return orjson.dumps({"type": event_type, "timestamp": stamp, "data": data}).decode()


def queue_delivery(
    endpoint_id: str,
    team_id: str,
    event_id: str,
    event_type: str,
    body: str,
    now: datetime,
    once_key: str | None = None,
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        id=new_id("whdl"),
        endpoint_id=endpoint_id,
        team_id=team_id,
        event_id=event_id,
        event_type=event_type,
        payload=body,
        once_key=once_key,
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + RETRY_FOR,
    )
    db.session.add(delivery)
    db.session.info.setdefault(_NUDGES, []).append(delivery.id)
    return delivery


def test_event(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A webhook.test delivery to this endpoint alone (the caller commits)."""
    now = utcnow()
    data = {
        "teamId": endpoint.team_id,
        "endpointId": endpoint.id,
        "message": "A test event: this endpoint receives the team's events.",
    }
    body = payload(TEST_EVENT.name, data, now)
    return queue_delivery(endpoint.id, endpoint.team_id, new_id("msg"), TEST_EVENT.name, body, now)


def _listening(team_id: str, event_type: str, once_key: str | None) -> list[str]:
    cache = db.session.info.setdefault(_LISTENERS, {})
    if once_key is None and (team_id, event_type) in cache:
        return cache[(team_id, event_type)]
    query = sa.select(WebhookEndpoint.id).where(
        WebhookEndpoint.team_id == team_id,
        WebhookEndpoint.enabled.is_(True),
        WebhookEndpoint.events.contains(f",{event_type},", autoescape=True),
    )
    if once_key is not None:
        query = query.where(
            ~sa.exists().where(
                WebhookDelivery.endpoint_id == WebhookEndpoint.id,
                WebhookDelivery.once_key == once_key,
            )
        )
    found = list(db.session.scalars(query.order_by(WebhookEndpoint.id)))
    if once_key is None:
        cache[(team_id, event_type)] = found
    return found


@sa.event.listens_for(Session, "after_commit")
def _nudge_after_commit(session: Session) -> None:
    session.info.pop(_LISTENERS, None)
    ids = session.info.pop(_NUDGES, None)
    if ids:
        from app.events.delivery import nudge

        nudge(ids)


@sa.event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    # Rolled back: those rows were never written, so nothing to send.
    session.info.pop(_NUDGES, None)
    session.info.pop(_LISTENERS, None)
