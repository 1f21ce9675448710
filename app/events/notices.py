"""The email to a team's owners when one of its webhook endpoints is turned off (deliveries
failed for three days, or it answered 410 Gone). Queued once per disabling: the conditional
UPDATE that disables it is won by one worker (app.events.endpoints.disable)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.links import external_url
from app.mail import messages, outgoing
from app.mail.sending import Email
from app.models import Membership, Role, Team, User, WebhookEndpoint

DISABLED = "webhook_disabled"


def tell_owners(endpoint: WebhookEndpoint) -> int:
    owners = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == endpoint.team_id, Membership.role == Role.OWNER)
        .order_by(User.id)
    ).all()
    for owner in owners:
        name = owner.name or owner.email
        outgoing.queue(DISABLED, owner.email, name=name, endpoint_id=endpoint.id)
    return len(owners)


@outgoing.composer(DISABLED)
def disabled_email(to: str, name: str, endpoint_id: str) -> Email | None:
    """Nothing when the endpoint is back on, or gone, by the time it is sent."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.enabled:
        return None
    team = db.session.get(Team, endpoint.team_id)
    return messages.webhook_disabled(
        to,
        name,
        team.name,
        endpoint.url,
        endpoint.disabled_reason or "deliveries to it kept failing.",
        external_url("dashboard.webhooks", team_id=team.id),
    )
