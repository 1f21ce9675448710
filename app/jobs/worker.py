"""Running jobs: `flask worker` in its own process, or a consumer inside the web process.

With Redis, web processes only queue; `flask worker` runs the jobs (any number of them, on
any number of hosts). With the SQLite queue (no Redis: `make run`), the web process works
the queue itself in background threads, so the two-command set-up needs nothing else;
`flask worker` may still run beside it on the same host.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from huey.consumer import Consumer

from app.jobs.queue import huey

log = logging.getLogger(__name__)
_started_here = threading.Lock()
_consumer: Consumer | None = None


def run_worker(threads: int, periodic: bool) -> None:
    """Work the queue in this process until SIGINT (finish running jobs) or SIGTERM."""
    consumer = huey.create_consumer(workers=threads, periodic=periodic, worker_type="thread")
    _recover_mail()
    consumer.run()


class _InProcessConsumer(Consumer):
    def _set_signal_handlers(self) -> None:
        """The server owns the process's signals; these threads die with it."""


def start_in_process(app: Flask, threads: int = 2) -> bool:
    """Start working the SQLite queue in this (web) process, once; False when the queue is
    Redis (`flask worker` runs those jobs) or jobs run where they are queued."""
    global _consumer
    if huey.immediate or not huey.embedded or huey.app is not app:
        return False
    with _started_here:
        if _consumer is None:
            _consumer = _InProcessConsumer(huey, workers=threads, periodic=True)
            _consumer.start()
            _recover_mail()
            log.info(
                "jobs: working the queue in %s in this process", app.config["JOBS_SQLITE_PATH"]
            )
    return True


def stop_in_process() -> None:
    """Stop this process's consumer, letting running jobs finish (tests; a server's exit
    simply ends its threads)."""
    global _consumer
    with _started_here:
        if _consumer is not None:
            _consumer.stop(graceful=True)
            _consumer = None


def _recover_mail() -> None:
    """Look for mail a dead worker left: now, and again once any claim it held has lapsed."""
    from app.jobs.tasks import recover_mail
    from app.mail.outgoing import claim_lease

    with huey.app.app_context():
        lease = claim_lease()
    recover_mail()
    recover_mail.schedule(delay=lease.total_seconds() + 1)
