"""The team's webhook endpoints (owners and admins, with a webhooks:manage token): list, add
(the answer shows the secret, once), read, change, delete, rotate the secret (shown once),
the delivery log, Resend and "Send test event". The rules are app.events.endpoints'."""

from __future__ import annotations

from typing import Any

from flask import request

from app.accounts.roles import Permission
from app.accounts.scopes import WEBHOOKS_MANAGE
from app.api import bp
from app.api.auth import api_actor, api_user, token_required
from app.api.payloads import json_body
from app.events import endpoints as service
from app.events.fields import parse_endpoint
from app.exceptions import ValidationFailed
from app.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.timefmt import iso

MAX_LIST = 100
# The answers that show a secret: never kept by a cache or a proxy.
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/webhook-endpoints")
@token_required(WEBHOOKS_MANAGE)
def list_webhook_endpoints():
    actor = api_actor(request.args.get("teamId"), Permission.MANAGE_WEBHOOKS)
    found = [endpoint_json(e) for e in service.list_endpoints(actor)]
    return {"success": True, "endpoints": found, "count": len(found)}


@bp.post("/webhook-endpoints")
@token_required(WEBHOOKS_MANAGE)
def create_webhook_endpoint():
    body = json_body()
    actor = api_actor(body.get("teamId"), Permission.MANAGE_WEBHOOKS)
    issued = service.create_endpoint(actor, parse_endpoint(body))
    return issued_json(issued), 201, NO_STORE


@bp.get("/webhook-endpoints/<endpoint_id>")
@token_required(WEBHOOKS_MANAGE)
def get_webhook_endpoint(endpoint_id: str):
    _actor, endpoint = _endpoint(endpoint_id)
    return {"success": True, "endpoint": endpoint_json(endpoint)}


@bp.patch("/webhook-endpoints/<endpoint_id>")
@token_required(WEBHOOKS_MANAGE)
def update_webhook_endpoint(endpoint_id: str):
    body = json_body()
    actor, endpoint = _endpoint(endpoint_id)
    changed = service.update_endpoint(actor, endpoint, parse_endpoint(body, partial=True))
    return {"success": True, "endpoint": endpoint_json(changed)}


@bp.delete("/webhook-endpoints/<endpoint_id>")
@token_required(WEBHOOKS_MANAGE)
def delete_webhook_endpoint(endpoint_id: str):
    actor, endpoint = _endpoint(endpoint_id)
    service.delete_endpoint(actor, endpoint)
    return {"success": True, "id": endpoint_id, "deleted": True}


@bp.post("/webhook-endpoints/<endpoint_id>/rotate-secret")
@token_required(WEBHOOKS_MANAGE)
def rotate_webhook_secret(endpoint_id: str):
    json_body()  # a JSON object, {} (like every POST here): a form or text is refused
    actor, endpoint = _endpoint(endpoint_id)
    return issued_json(service.rotate_secret(actor, endpoint)), 200, NO_STORE


@bp.get("/webhook-endpoints/<endpoint_id>/deliveries")
@token_required(WEBHOOKS_MANAGE)
def list_webhook_deliveries(endpoint_id: str):
    limit = request.args.get("limit", "50")
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_LIST:
        raise ValidationFailed({"limit": f"Limit must be a whole number from 1 to {MAX_LIST}."})
    actor, endpoint = _endpoint(endpoint_id)
    rows = service.deliveries(actor, endpoint, int(limit))
    found = [delivery_json(delivery, tries) for delivery, tries in rows]
    return {"success": True, "deliveries": found, "count": len(found)}


@bp.post("/webhook-endpoints/<endpoint_id>/deliveries/<delivery_id>/resend")
@token_required(WEBHOOKS_MANAGE)
def resend_webhook_delivery(endpoint_id: str, delivery_id: str):
    json_body()  # a JSON object, {} (like every POST here): a form or text is refused
    actor, endpoint = _endpoint(endpoint_id)
    delivery = service.resend(actor, endpoint, delivery_id)
    return {"success": True, "delivery": delivery_json(delivery, _tries(actor, delivery))}, 202


@bp.post("/webhook-endpoints/<endpoint_id>/test")
@token_required(WEBHOOKS_MANAGE)
def send_test_webhook(endpoint_id: str):
    json_body()  # a JSON object, {} (like every POST here): a form or text is refused
    actor, endpoint = _endpoint(endpoint_id)
    delivery = service.send_test(actor, endpoint)
    return {"success": True, "delivery": delivery_json(delivery, _tries(actor, delivery))}, 202


def _endpoint(endpoint_id: str):
    actor, endpoint = service.find_endpoint(api_user(), endpoint_id)
    actor.require(Permission.MANAGE_WEBHOOKS)
    return actor, endpoint


def _tries(actor, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    """The delivery's tries so far (a worker may have sent it already, within this answer)."""
    endpoint = service.team_endpoint(actor, delivery.endpoint_id)
    return next((t for d, t in service.deliveries(actor, endpoint) if d.id == delivery.id), [])


def issued_json(issued: service.Issued) -> dict[str, Any]:
    return {"success": True, "endpoint": endpoint_json(issued.endpoint), "secret": issued.secret}


def endpoint_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "teamId": endpoint.team_id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.event_types,
        "enabled": endpoint.enabled,
        "createdAt": iso(endpoint.created_at),
        "previousSecretExpiresAt": iso(endpoint.previous_secret_until)
        if endpoint.previous_secret
        else None,
        "failingSince": iso(endpoint.failing_since),
        "disabledAt": iso(endpoint.disabled_at),
        "disabledReason": endpoint.disabled_reason,
    }


def delivery_json(delivery: WebhookDelivery, tries: list[WebhookAttempt]) -> dict[str, Any]:
    waiting = delivery.status == DeliveryStatus.PENDING
    return {
        "id": delivery.id,
        "endpointId": delivery.endpoint_id,
        "eventId": delivery.event_id,
        "eventType": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "createdAt": iso(delivery.created_at),
        "nextAttemptAt": iso(delivery.next_attempt_at) if waiting else None,
        "finishedAt": iso(delivery.finished_at),
        "lastError": delivery.last_error,
        "tries": [
            {
                "at": iso(t.attempted_at),
                "statusCode": t.status_code,
                "latencyMs": t.latency_ms,
                "responseExcerpt": t.response_excerpt,
                "error": t.error,
                "succeeded": t.succeeded,
            }
            for t in tries[:20]
        ],
    }
