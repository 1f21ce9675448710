"""Making a bought number's calls reach us at Telnyx: the deployment's one Call Control
Application, each number attached to it, and the repair of numbers that drifted.

One application per deployment (not per team): every call comes to the same webhook, and
the number called says which team's rules apply. It is created on first need (the first
number to attach, or `flask calls setup`) and its id kept in `call_control_apps`; its
`webhook_event_url` is built from BASE_URL, never from a request's Host.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CallControlApp, NumberConnection, NumberStatus, PhoneNumber, utcnow
from app.models.call_control import APPLIED, NOT_APPLIED
from app.providers import current_provider
from app.providers.base import ProviderError

log = logging.getLogger(__name__)
APP_NAME = "Phone numbers: calls to assistants"
WEBHOOK_PATH = "/webhooks/telnyx/calls"
RETRY_DELAYS = (30, 120, 600, 1800)  # seconds before each retry of a failed attachment


def call_control():
    """The provider's Call Control client, or None (the sandbox routes nothing for real)."""
    return getattr(current_provider(), "calls", None)


def webhook_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/") + WEBHOOK_PATH


def application_id() -> str | None:
    """The application's id, created at Telnyx on first need; None in the sandbox."""
    calls = call_control()
    if calls is None:
        return None
    provider = current_provider().name
    stored = db.session.get(CallControlApp, provider)
    if stored is not None:
        return stored.app_id
    url = webhook_url()
    app_id = calls.create_application(APP_NAME, url)
    db.session.add(CallControlApp(provider=provider, app_id=app_id, webhook_url=url))
    try:
        db.session.commit()
    except IntegrityError:
        # Another worker created one a moment ago: use theirs (ours stays unused at Telnyx).
        db.session.rollback()
        log.warning("two Call Control Applications were created; %s is unused", app_id)
        return db.session.get(CallControlApp, provider).app_id  # type: ignore[union-attr]
    return app_id


def connection_of(number_id: str) -> NumberConnection | None:
    return db.session.get(NumberConnection, number_id)


def attach(number: PhoneNumber) -> bool | None:
    """Set the number's connection at Telnyx to our application; True if it is set now.

    None: nothing to attach (the sandbox, or not an active number yet). A failure leaves the
    number "not_applied" with the reason and a retry queued, never silently unrouted."""
    calls = call_control()
    if (
        calls is None
        or number.provider != current_provider().name
        or number.status != NumberStatus.ACTIVE
        or not number.provider_number_id
    ):
        return None
    number_id, provider_number_id = number.id, number.provider_number_id
    error, app_id = None, None
    try:
        app_id = application_id()
        calls.set_connection(provider_number_id, app_id)
    except ProviderError as failure:
        db.session.rollback()
        error = failure.message
        log.warning("could not attach %s to the call application: %s", number_id, error)
    row = connection_of(number_id) or NumberConnection(phone_number_id=number_id, attempts=0)
    row.state = NOT_APPLIED if error else APPLIED
    row.error = error[:300] if error else None
    row.connection_id = app_id if not error else row.connection_id
    row.attempts = 0 if not error else (row.attempts or 0) + 1
    row.updated_at = utcnow()
    db.session.add(row)
    if not error:
        db.session.execute(
            sa.update(PhoneNumber).where(PhoneNumber.id == number_id).values(connection_id=app_id)
        )
    db.session.commit()
    if error:
        _retry_later(number_id, row.attempts)
    return error is None


def _retry_later(number_id: str, attempts: int) -> None:
    if attempts > len(RETRY_DELAYS):
        return  # `numbers sync` keeps repairing it
    from app.jobs.tasks import attach_number

    try:
        attach_number.schedule((number_id,), delay=RETRY_DELAYS[attempts - 1])
    except Exception:  # the queue is away: the periodic repair still finds it
        log.exception("could not queue the retry for %s", number_id)


@dataclass(frozen=True)
class Repair:
    checked: int
    repaired: int
    failed: int

    def __str__(self) -> str:
        return (
            f"{self.repaired} of {self.checked} numbers' call routing repaired at the provider"
            + (f" ({self.failed} still not applied)" if self.failed else "")
        )


def repair() -> Repair | None:
    """Attach every active number whose connection at the provider is not our application
    (changed in the portal, or an attachment that failed); None in the sandbox."""
    calls = call_control()
    if calls is None:
        return None
    provider = current_provider().name
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.provider == provider,
            PhoneNumber.status == NumberStatus.ACTIVE,
            PhoneNumber.provider_number_id.is_not(None),
        )
    ).all()
    if not numbers:
        return Repair(0, 0, 0)
    try:
        app_id = application_id()
        at_provider = calls.connections()
    except ProviderError as error:
        log.warning("could not check the numbers' connections: %s", error.message)
        db.session.rollback()
        return Repair(len(numbers), 0, len(numbers))
    repaired = failed = 0
    for number in numbers:
        row = connection_of(number.id)
        seen = at_provider.get(number.provider_number_id or "")
        if seen == app_id and row is not None and row.state == APPLIED:
            continue
        if number.provider_number_id not in at_provider:
            continue  # not on the account: settling and reconciling deal with that
        if seen == app_id:  # right at the provider, our record lagging: no request needed
            _mark_applied(number, app_id)
            continue
        if attach(number):
            repaired += 1
        else:
            failed += 1
    return Repair(len(numbers), repaired, failed)


def _mark_applied(number: PhoneNumber, app_id: str | None) -> None:
    row = connection_of(number.id) or NumberConnection(phone_number_id=number.id, attempts=0)
    row.state, row.error, row.connection_id, row.attempts = APPLIED, None, app_id, 0
    row.updated_at = utcnow()
    db.session.add(row)
    db.session.commit()


def connection_json(number: PhoneNumber) -> dict | None:
    """The number's `routing.connection`: null in the sandbox (nothing to apply)."""
    if call_control() is None or number.provider != current_provider().name:
        return None
    row = connection_of(number.id)
    if row is None:
        return {"state": "pending", "error": None, "updatedAt": None}
    from app.timefmt import iso

    return {"state": row.state, "error": row.error, "updatedAt": iso(row.updated_at)}
