"""Signed events to the team (outgoing webhooks, Standard Webhooks).

- catalog.py: every event type and the shape of its data (the OpenAPI `webhooks` section).
- outbox.py: `emit(team_id, type, data)`, called at the service points inside the change's
  transaction; the commit nudges a job.
- delivery.py: claim, sign, send, retry for 24 hours, disable after 3 days of failures;
  `deliver_due` (every minute) and `prune` (daily) are on app/jobs/schedule.py.
- addresses.py / sending.py: where a webhook may go (public addresses only, checked again at
  every send and connected to as checked) and the POST itself (5 s, no redirects).
- endpoints.py: the endpoints' service (API and pages); secrets.py; notices.py (the email
  when an endpoint is turned off).
"""

from app.events.outbox import emit

__all__ = ["emit"]
