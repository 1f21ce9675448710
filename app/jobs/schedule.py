"""The periodic schedule, all in one place: one line per sweep, each a function of `now`.

Times are UTC. To add a sweep, add its line here, e.g.
    sweep(EVERY_MINUTE, "app.jobs.tasks:release_scheduled")
"""

from __future__ import annotations

from huey import crontab

from app.jobs.periodic import SWEEPS, resolve, sweep

EVERY_MINUTE = crontab()
EVERY_5_MINUTES = crontab(minute="*/5")
EVERY_10_MINUTES = crontab(minute="*/10")
DAILY = crontab(minute="17", hour="3")

sweep(EVERY_MINUTE, "app.jobs.tasks:settle_numbers")  # `numbers sync`
sweep(EVERY_5_MINUTES, "app.jobs.tasks:repair_call_routing")  # `numbers sync`, at Telnyx
sweep(EVERY_MINUTE, "app.jobs.tasks:expire_trial_numbers")  # `numbers expire-trials`
sweep(EVERY_MINUTE, "app.jobs.tasks:release_scheduled")  # `numbers release-due`
sweep(EVERY_10_MINUTES, "app.jobs.tasks:enforce_team_limits")  # `teams enforce-limits`
sweep(EVERY_5_MINUTES, "app.jobs.tasks:send_trial_notices")  # `numbers notify-trials`
sweep(DAILY, "app.jobs.tasks:report_reconcile")  # `numbers reconcile`, report only
sweep(DAILY, "app.jobs.tasks:forget_quotes")  # MCP purchase quotes a day past their end
sweep(EVERY_MINUTE, "app.jobs.tasks:redeliver_mail")  # emails a lost job left behind
sweep(EVERY_MINUTE, "app.jobs.tasks:send_webhooks")  # `webhooks deliver`: due retries
sweep(DAILY, "app.jobs.tasks:prune_webhooks")  # `webhooks prune`
sweep(EVERY_10_MINUTES, "app.jobs.tasks:check_number_health")  # `numbers health`
sweep(EVERY_5_MINUTES, "app.caller_names.lifecycle:advance_caller_names")  # CNAM listings
sweep(EVERY_MINUTE, "app.numbers.takeover:complete_due_replacements")  # late orders


def check() -> None:
    """Import every sweep's function now: a misspelt one stops start-up, not a worker later."""
    from app.config import ConfigError

    for name, target in SWEEPS.items():
        try:
            resolve(target)
        except (ImportError, AttributeError) as error:
            raise ConfigError(f"the periodic job {name} names {target}, which {error}") from None
