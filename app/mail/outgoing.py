"""The one way email leaves: queued as a row in the request's own transaction, sent by a job.

`queue(kind, to, **args)` keeps the email (committed with the caller's changes) and nudges a
worker. The worker claims the row, composes the message with the kind's composer (which may
look things up: whether the address has an account, whether the invitation is still open)
and sends it. A failed send is tried again after MAIL_RETRY_DELAY, then twice as long each
time (at most an hour apart), until MAIL_RETRY_HOURS after it was queued (or sooner for a
kind whose link stops working sooner); then the row is `failed` and the job is listed by
`flask jobs failed`. A refusal that cannot change (no such mailbox) gives up at once.

Nothing depends on the nudge arriving: a worker killed mid-send leaves the row claimed until
its claim lapses, a lost nudge or retry leaves it queued past its time, and the mail sweep
(every minute, and when a worker starts) nudges both again. The claim is one conditional
UPDATE, so two nudges for one email send it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from huey.exceptions import RetryTask

from app.extensions import db
from app.ids import new_id
from app.mail.errors import MailError
from app.mail.sending import Email, send
from app.models import EmailStatus, OutgoingEmail, utcnow
from app.text import one_line

log = logging.getLogger(__name__)
LONGEST_WAIT = timedelta(hours=1)  # between two tries
# A nudge or retry this late is taken as lost, and the sweep nudges the email again.
LATE = timedelta(minutes=1)
KEEP_FINISHED = timedelta(days=30)
Composer = Callable[..., Email | None]
_COMPOSERS: dict[str, tuple[Composer, timedelta | None]] = {}


def composer(kind: str, *, useful_for: timedelta | None = None):
    """Register how to compose emails of `kind` when they are sent: fn(to, **args) gives the
    Email, or None when there is nothing to send. `useful_for`: no try starts later than this
    after queueing (a reset link works for an hour; an email after that only confuses)."""

    def decorator(func: Composer) -> Composer:
        _COMPOSERS[kind] = (func, useful_for)
        return func

    return decorator


def queue(kind: str, to: str, **args) -> OutgoingEmail:
    """Keep an email to send, committing it with the caller's pending changes, then nudge a
    worker. Once this returns, the email will be sent or listed as failed: never lost."""
    _compose, useful_for = _COMPOSERS[kind]
    now = utcnow()
    lifetime = timedelta(hours=current_app.config["MAIL_RETRY_HOURS"])
    email = OutgoingEmail(
        id=new_id("eml"),
        kind=kind,
        to=to,
        args=args,
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + min(lifetime, useful_for or lifetime),
    )
    db.session.add(email)
    db.session.commit()
    nudge(email.id)
    return email


def nudge(email_id: str) -> None:
    from app.jobs.tasks import deliver_email

    try:
        deliver_email(email_id)
    except Exception as error:  # the row is kept: the sweep sends it later
        log.warning("email %s is queued; the job queue is unreachable (%s)", email_id, error)


def deliver(email_id: str) -> None:
    """Claim the email, compose and send it. RetryTask(delay) after a failure with time left;
    the error itself once it is given up (the job then fails for good)."""
    now = utcnow()
    email = _claim(email_id, now)
    if email is None:
        return  # sent, given up, claimed by another worker, or not due yet
    try:
        compose, _useful_for = _COMPOSERS[email.kind]
        message = compose(email.to, **email.args)
        if message is not None:
            send(message)
    except Exception as error:
        db.session.rollback()
        _failed(email, error, now)
        return
    status = EmailStatus.SENT if message is not None else EmailStatus.SKIPPED
    _finish(email, status, subject=message.subject[:200] if message else None)
    log.info("email %s (%s) %s", email.id, email.kind, status)


def redeliver(now: datetime) -> int:
    """Nudge every email a lost job left behind: queued past its time, or claimed by a worker
    whose claim has lapsed (it died mid-send). Finished rows are kept 30 days."""
    stuck = list(
        db.session.scalars(
            sa.select(OutgoingEmail.id)
            .where(
                sa.or_(
                    sa.and_(
                        OutgoingEmail.status == EmailStatus.QUEUED,
                        OutgoingEmail.next_attempt_at <= now - LATE,
                    ),
                    sa.and_(
                        OutgoingEmail.status == EmailStatus.SENDING,
                        OutgoingEmail.claimed_until < now,
                    ),
                )
            )
            .order_by(OutgoingEmail.next_attempt_at)
            .limit(500)
        )
    )
    db.session.execute(
        sa.delete(OutgoingEmail).where(OutgoingEmail.finished_at < now - KEEP_FINISHED)
    )
    db.session.commit()
    for email_id in stuck:
        nudge(email_id)
    return len(stuck)


def claim_lease() -> timedelta:
    """How long a worker may take to send one email: each of the SMTP conversation's steps
    (connect, greet, TLS, log in, sender, recipient, data, quit) times out after MAIL_TIMEOUT.
    A claim older than this belongs to a worker that died."""
    return timedelta(seconds=10 * current_app.config["MAIL_TIMEOUT"])


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: MAIL_RETRY_DELAY, doubling, at most an hour."""
    first = current_app.config["MAIL_RETRY_DELAY"]
    return min(timedelta(seconds=first * 2 ** min(attempts - 1, 20)), LONGEST_WAIT)


def _claim(email_id: str, now: datetime) -> OutgoingEmail | None:
    due = sa.or_(
        sa.and_(
            OutgoingEmail.status.in_((EmailStatus.QUEUED, EmailStatus.FAILED)),
            OutgoingEmail.next_attempt_at <= now,
        ),
        sa.and_(OutgoingEmail.status == EmailStatus.SENDING, OutgoingEmail.claimed_until < now),
    )
    claimed = db.session.execute(
        sa.update(OutgoingEmail)
        .where(OutgoingEmail.id == email_id, due)
        .values(
            status=EmailStatus.SENDING,
            attempts=OutgoingEmail.attempts + 1,
            claimed_until=now + claim_lease(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    return db.session.get(OutgoingEmail, email_id, populate_existing=True)


def _failed(email: OutgoingEmail, error: Exception, now: datetime) -> None:
    reason = one_line(str(error))[:500] or type(error).__name__
    wait = retry_delay(email.attempts)
    permanent = isinstance(error, MailError) and error.permanent
    if permanent or now + wait > email.give_up_at:
        if _finish(email, EmailStatus.FAILED, last_error=reason):
            log.error(
                "gave up on email %s to %s after %d tries", email.id, email.to, email.attempts
            )
            raise error
        return
    if _update(email, status=EmailStatus.QUEUED, next_attempt_at=now + wait, last_error=reason):
        raise RetryTask(delay=wait.total_seconds())


def _finish(email: OutgoingEmail, status: EmailStatus, **values) -> bool:
    return _update(email, status=status, finished_at=utcnow(), **values)


def _update(email: OutgoingEmail, **values) -> bool:
    """Write while this worker still holds the claim; False if the claim lapsed meanwhile."""
    changed = db.session.execute(
        sa.update(OutgoingEmail)
        .where(
            OutgoingEmail.id == email.id,
            OutgoingEmail.status == EmailStatus.SENDING,
            OutgoingEmail.claimed_until == email.claimed_until,
        )
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return changed.rowcount == 1
