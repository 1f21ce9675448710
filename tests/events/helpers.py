"""Endpoints made through the API, and the deliveries' rows as the log keeps them."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import WebhookAttempt, WebhookDelivery

ENDPOINTS = "/api/webhook-endpoints"


def add_endpoint(client, member, url: str, events=("number.bought",), **more):
    body = {"teamId": member.team_id, "url": url, "events": list(events), **more}
    return client.post(ENDPOINTS, json=body, headers=member.headers)


def made(client, member, url: str, events=("number.bought",)) -> tuple[str, str]:
    """(endpoint id, secret) of a new endpoint."""
    response = add_endpoint(client, member, url, events)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["endpoint"]["id"], response.get_json()["secret"]


def deliveries(app) -> list[WebhookDelivery]:
    with app.app_context():
        return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def tries(app, delivery_id: str) -> list[WebhookAttempt]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id == delivery_id)
                .order_by(WebhookAttempt.id)
            )
        )
