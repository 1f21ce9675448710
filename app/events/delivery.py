"""Sending deliveries: claimed once, signed (Standard Webhooks), retried with backoff for 24
hours, and an endpoint that has failed for three days disabled, its owners emailed.

A delivery is claimed by one conditional UPDATE (pending and due, or a claim that lapsed:
its worker died), so two workers, or a nudge and the sweep, never send it twice at once.
What a try found is written only while the claim is still this worker's.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.events import addresses, secrets, sending
from app.events.sending import Answer
from app.extensions import db
from app.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from app.text import one_line

log = logging.getLogger(__name__)
# The waits after the 1st, 2nd, ... failed try (the specification's schedule, cut at the
# 24 hours a delivery is tried for); each gets up to 10% more, at random, so endpoints that
# failed together are not all tried again in the same second.
BACKOFF = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
]
DISABLE_AFTER = timedelta(days=3)
# Longer than a try can take (a 5 s timeout): a claim older than this is a dead worker's.
LEASE = timedelta(seconds=60)
KEEP_FINISHED = timedelta(days=30)
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try."""
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    return wait * (1 + random.random() / 10)


def nudge(delivery_ids: list[str]) -> None:
    """Ask a worker to send these now; the sweep sends them anyway if this is lost."""
    from app.jobs.tasks import deliver_webhooks

    try:
        deliver_webhooks(list(delivery_ids))
    except Exception as error:  # the rows are kept: the sweep sends them
        log.warning("webhook deliveries queued; the job queue is unreachable (%s)", error)


def deliver_due(now: datetime | None = None) -> int:
    """Send every delivery that is due, or whose worker died mid-try; how many were tried."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            sa.select(WebhookDelivery.id)
            .where(_due(now))
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(BATCH)
        )
    )
    db.session.commit()
    return sum(deliver(delivery_id, now) for delivery_id in due)


def deliver(delivery_id: str, now: datetime | None = None) -> bool:
    """Claim and try one delivery; False if it was not due or another worker has it."""
    now = now or utcnow()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return False
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None or not endpoint.enabled:
        _write(
            delivery,
            status=DeliveryStatus.FAILED,
            finished_at=now,
            last_error="The endpoint was disabled before this was sent.",
        )
        return True
    answer = attempt(endpoint, delivery)
    _record(delivery, answer)
    if answer.ok:
        if _write(delivery, status=DeliveryStatus.DELIVERED, finished_at=utcnow(), last_error=None):
            _endpoint_healthy(endpoint)
        return True
    _failed(endpoint, delivery, answer, now)
    return True


def attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Answer:
    """One try: check where the URL leads now, sign with the secrets in use, POST."""
    try:
        target = addresses.check(endpoint.url)
    except addresses.AddressRefused as refused:
        return Answer(None, 0, error=f"Not sent: {refused}")
    try:
        in_use = signing_secrets(endpoint, utcnow())
    except secrets.SecretUnreadable as error:
        return Answer(None, 0, error=str(error))
    at = utcnow()  # the try's time, which receivers check against their clock
    headers = {
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": secrets.signature(in_use, delivery.event_id, at, delivery.payload),
    }
    return sending.post(target, headers, delivery.payload)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while a rotation's overlap lasts."""
    found = [secrets.unseal(endpoint.secret)]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > now:
        found.append(secrets.unseal(endpoint.previous_secret))
    return found


def redeliver(delivery: WebhookDelivery) -> bool:
    """Send a finished delivery again (the same webhook-id and body), now and with a fresh
    24 hours of retries; the caller commits, and the commit nudges a worker."""
    now = utcnow()
    changed = db.session.execute(
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.status.in_((DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)),
        )
        .values(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            give_up_at=now + timedelta(hours=24),
            finished_at=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        return False  # still being tried
    from app.events.outbox import _NUDGES

    db.session.info.setdefault(_NUDGES, []).append(delivery.id)
    return True


def prune(now: datetime | None = None) -> int:
    """Forget deliveries finished more than 30 days ago (their tries go with them)."""
    now = now or utcnow()
    gone = db.session.execute(
        sa.delete(WebhookDelivery).where(WebhookDelivery.finished_at < now - KEEP_FINISHED)
    )
    db.session.commit()
    return gone.rowcount


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        ),
        sa.and_(
            WebhookDelivery.status == DeliveryStatus.SENDING,
            WebhookDelivery.claimed_until < now,
        ),
    )


def _claim(delivery_id: str, now: datetime) -> WebhookDelivery | None:
    claimed = db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, _due(now))
        .values(
            status=DeliveryStatus.SENDING,
            attempts=WebhookDelivery.attempts + 1,
            claimed_until=now + LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    return db.session.get(WebhookDelivery, delivery_id, populate_existing=True)


def _record(delivery: WebhookDelivery, answer: Answer) -> None:
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=utcnow(),
            status_code=answer.status,
            latency_ms=answer.latency_ms,
            response_excerpt=answer.excerpt,
            error=answer.error,
            succeeded=answer.ok,
        )
    )
    db.session.commit()


def _failed(endpoint: WebhookEndpoint, delivery: WebhookDelivery, answer: Answer, now) -> None:
    reason = _reason(answer)
    if answer.status == 410:  # Gone: the receiver asks for no more (the specification)
        _finish(delivery, reason)
        from app.events.endpoints import disable

        disable(endpoint, "The endpoint answered 410 Gone: it asked for no more events.")
        return
    wait = backoff(delivery.attempts)
    if answer.retry_after:
        wait = max(wait, timedelta(seconds=min(answer.retry_after, 6 * 3600)))
    if now + wait > delivery.give_up_at:
        if now < delivery.give_up_at:
            wait = delivery.give_up_at - now  # one last try at the end of the 24 hours
        else:
            _finish(delivery, reason)
            _endpoint_failing(endpoint, now)
            return
    if _write(
        delivery, status=DeliveryStatus.PENDING, next_attempt_at=now + wait, last_error=reason
    ):
        _schedule(delivery.id, now + wait)
    _endpoint_failing(endpoint, now)


def _finish(delivery: WebhookDelivery, reason: str) -> None:
    _write(delivery, status=DeliveryStatus.FAILED, finished_at=utcnow(), last_error=reason)


def _reason(answer: Answer) -> str:
    if answer.error:
        return one_line(answer.error)[:300]
    return f"HTTP {answer.status}"


def _write(delivery: WebhookDelivery, **values) -> bool:
    """Write while this worker still holds the claim; False if it lapsed meanwhile."""
    changed = db.session.execute(
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.status == DeliveryStatus.SENDING,
            WebhookDelivery.claimed_until == delivery.claimed_until,
        )
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return changed.rowcount == 1


def _endpoint_healthy(endpoint: WebhookEndpoint) -> None:
    db.session.execute(
        sa.update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.failing_since.is_not(None))
        .values(failing_since=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _endpoint_failing(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Note since when it fails; after three days of nothing but failures, disable it."""
    db.session.execute(
        sa.update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.failing_since.is_(None))
        .values(failing_since=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(endpoint)
    if endpoint.enabled and endpoint.failing_since <= now - DISABLE_AFTER:
        from app.events.endpoints import disable

        disable(endpoint, "Every try to deliver to it failed for 3 days.")


def _schedule(delivery_id: str, when: datetime) -> None:
    """A retry on time, when the queue runs delayed jobs; else (the tests) the sweep."""
    from app.jobs.queue import huey
    from app.jobs.tasks import deliver_webhooks

    if huey.immediate:
        return
    try:
        deliver_webhooks.schedule(([delivery_id],), eta=when)
    except Exception as error:
        log.warning("retry of %s left to the sweep: %s", delivery_id, error)
