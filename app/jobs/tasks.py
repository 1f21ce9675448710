"""The jobs, thin: each calls one service function.

The sweeps are plain functions of `now` that return the line the matching CLI command prints
(the schedule runs them, the CLI runs them now, and `flask jobs status` shows the last line).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.calls.control import attach
from app.calls.control import repair as repair_connections
from app.extensions import db
from app.health.checks import sweep_health
from app.jobs.queue import job
from app.mail import outgoing
from app.models import PhoneNumber, utcnow
from app.numbers.reconciling import reconcile, summary
from app.numbers.settling import sync
from app.numbers.sweeps import release_due
from app.numbers.trial_notices import notify_trials
from app.numbers.trials import expire_trials
from app.plans.enforcement import Enforcement, enforce_limits

log = logging.getLogger(__name__)
# A reservation with no order id may be a purchase still in flight: left alone this long.
SYNC_GRACE = timedelta(seconds=120)


@job()
def deliver_email(email_id: str) -> None:
    """Send one queued email; on failure it is tried again later (app.mail.outgoing)."""
    outgoing.deliver(email_id)


@job()
def deliver_webhooks(delivery_ids: list[str]) -> None:
    """Send these webhook deliveries now (the commit that wrote them nudged this); a failed
    one waits for its retry (app.events.delivery)."""
    from app.events.delivery import deliver

    for delivery_id in delivery_ids:
        deliver(delivery_id)


def send_webhooks(now: datetime) -> str:
    from app.events.delivery import deliver_due

    return f"{deliver_due(now)} webhook deliveries tried"


def prune_webhooks(now: datetime) -> str:
    from app.events.delivery import prune

    return f"{prune(now)} finished webhook deliveries pruned"


@job()
def recover_mail() -> str:
    """The mail sweep as a one-off job: a worker runs it when it starts (see app.jobs.worker)."""
    return redeliver_mail(utcnow())


def redeliver_mail(now: datetime) -> str:
    return f"{outgoing.redeliver(now)} emails sent back to the queue"


def settle_numbers(now: datetime, grace: timedelta = SYNC_GRACE) -> str:
    settled, total = sync(grace)
    return f"{settled} of {total} pending numbers settled"


def repair_call_routing(now: datetime) -> str:
    """At Telnyx: attach every active number whose connection is not our call application."""
    repaired = repair_connections()
    return "no call routing to repair in the sandbox" if repaired is None else str(repaired)


@job()
def attach_number(number_id: str) -> None:
    """Retry attaching one number to the call application (app.calls.control.attach)."""
    number = db.session.get(PhoneNumber, number_id)
    if number is not None:
        attach(number)


def expire_trial_numbers(now: datetime) -> str:
    return f"{expire_trials(now)} expired trial numbers released"


def release_scheduled(now: datetime) -> str:
    return f"{release_due(now)} numbers released as scheduled"


def forget_quotes(now: datetime) -> str:
    from app.numbers.quotes import forget_old_quotes

    return f"{forget_old_quotes(now)} old purchase quotes deleted"


def enforce_team_limits(now: datetime) -> str:
    """The over-limit sweep; a release that failed is retried by the next run."""
    return enforcement_line(enforce_limits(now))


def enforcement_line(run: Enforcement) -> str:
    return (
        f"{run.released} numbers released over their team's limit ({run.started} graces "
        f"started, {run.cleared} ended, {run.notices} emails queued)"
    )


def send_trial_notices(now: datetime) -> str:
    run = notify_trials(now)
    return (
        f"{run.expiring + run.expired} trial notices queued ({run.expiring} ending soon, "
        f"{run.expired} ended)"
    )


def report_reconcile(now: datetime) -> str:
    """Compare only; changing anything stays a person's decision (`numbers reconcile`)."""
    findings = reconcile()
    for finding in findings:
        log.warning(
            "reconcile: %s %s (team %s)", finding.kind, finding.phone_number, finding.team_id
        )
    return summary(findings)


def check_number_health(now: datetime) -> str:
    """Spam risk for the numbers due a check, the ramp for those calling today."""
    run = sweep_health(now)
    return f"{run.checked} numbers' spam risk checked, {run.alerts} health alerts raised"
