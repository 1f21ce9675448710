"""Work that happens later: a job queue (Huey) for emails, delayed and periodic jobs.

- Storage: Redis with JOBS_REDIS_URL (else REDIS_URL), worked by `flask worker` processes
  on any number of hosts; without Redis, a SQLite file (JOBS_SQLITE_PATH, beside a SQLite
  database or under instance/) that the web process works itself (app.jobs.worker), so
  `make run` needs nothing more and delayed jobs survive a restart; with JOBS_IMMEDIATE (the
  tests), each job runs where it is queued.
- A job is a nudge, never the only copy of what it must do: the state lives in the database
  (an email row, a number's status), so a job killed half-way or lost with the queue is
  found again by a sweep, and every job is safe to run twice. Huey does not acknowledge
  jobs; this is how nothing is lost anyway.
- Queue one: `@job()` on a function, then `fn(args)`; later: `fn.schedule((args,), eta=when)`;
  retry with backoff: raise huey's `RetryTask(delay=seconds)` from the job.
- Periodic sweeps are one line each in app/jobs/schedule.py, e.g.
      sweep(EVERY_MINUTE, "app.numbers.releasing:release_due")
  runs release_due(now) every minute, once across all workers (app.jobs.periodic).
- A job that fails for good is kept (app.jobs.failures): `flask jobs failed`, `flask jobs
  retry ID`; `flask jobs status` shows the queue and each sweep's last run.
"""

from app.jobs.queue import huey, init_jobs, job

__all__ = ["huey", "init_jobs", "job"]
