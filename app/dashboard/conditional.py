"""ETags for pages: a browser that has the page as it would be rendered now gets a 304.

A page's tag digests everything its HTML depends on. For the Numbers page that is the team's
version (every change to its numbers, assistants or plan moves it), what time changes (the
count toward the plan, which drops when a trial expires, and the minute: the trial countdown
reads in minutes), and who is looking (their teams and role in the header, with the purchase
requests waiting for them, their session's CSRF token in the forms). A page with messages
to flash is always rendered.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, current_app, request, session
from flask_login import current_user

from app.dashboard import actor, is_htmx, user_memberships, waiting_requests


def numbers_page_etag(live: int, ordering: int, now: datetime) -> str | None:
    """The Numbers page's tag as it would render now; None when it must be rendered anyway.

    `live` and `ordering` are app.numbers.queries.list_state at `now`.
    """
    if session.get("_flashes") or ordering:
        return None  # listing settles orders still completing: render, and settle
    team = actor().team
    parts = [
        team.id,
        team.version,
        live,
        int(now.timestamp() // 60),
        current_user.id,
        str(actor().role),
        repr([(t.id, t.name, str(r), waiting_requests(t.id)) for t, r in user_memberships()]),
        str(session.get("csrf_token", "")),
        request.query_string.decode("latin-1"),
        is_htmx(),
    ]
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"p-{digest}"


def not_modified(etag: str | None) -> Response | None:
    """304 if the browser already has this version of the page, else None."""
    if etag is None or not request.if_none_match.contains_weak(etag):
        return None
    response = current_app.response_class(status=304)
    tagged(response, etag)
    return response


def tagged(response: Response, etag: str | None) -> Response:
    if etag is not None:
        response.set_etag(etag)
        # Only for this person, and checked with us each time before it is shown again.
        response.headers["Cache-Control"] = "private, no-cache"
    return response
