"""Rendered pages kept in the app's cache, as the list API keeps its JSON (app.api.listing).

A page is kept under everything it shows: the team and its version (every write to its
numbers, assistants or plan moves it, in the same transaction), the viewer (their name and
email in the header, their teams, roles and waiting purchase requests, their role here), the
path, the query string and whether htmx asked for a fragment. Time is not in the key: the
caller says how long the page stays true (the next minute for a trial countdown, a trial's
expiry, ...), and the entry lives no longer.

Two things are never in the kept bytes: messages to flash (a page with one is rendered and
not kept) and the CSRF token. The page is rendered with a placeholder in the token's place,
and each answer puts the session's own token there on the way out, so a page kept for one
session never hands its token to another.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.dashboard import actor, is_htmx, user_memberships, waiting_requests
from app.extensions import cache


@dataclass(frozen=True)
class Page:
    html: str
    status: int
    # The page's own digest (with the placeholder, not a token): the ETag adds the session's.
    digest: str


def page_cache_seconds() -> int:
    return current_app.config["PAGE_CACHE_SECONDS"]


def cached_page(
    name: str, render: Callable[[], tuple[str, int, datetime | None]], extra: object = ()
) -> Page:
    """The page `name` for this request, from the cache if kept, else rendered and kept.

    `render` returns the HTML, the status and until when it stays true (None: do not keep
    it, for a page that changes by itself, such as one settling an order). Messages to flash
    skip the cache both ways: they are this session's, shown once. `extra`: what else the
    page shows that no team version says (read each time, so it is in the key).
    """
    seconds = page_cache_seconds()
    keep = seconds > 0 and not session.get("_flashes")
    key = _key(name, extra) if keep else ""
    if keep and (kept := cache.get(key)) is not None:
        return Page(*kept)
    if not keep:
        html, status, _until = render()
        return Page(html, status, _digest(html))
    g.csrf_token = csrf_placeholder()  # what csrf_token() answers while this page renders
    g.rendering_kept_page = True  # app.dashboard.search: no idempotency key in kept bytes
    try:
        html, status, until = render()
    finally:
        g.pop("csrf_token", None)
        g.pop("rendering_kept_page", None)
    page = Page(html, status, _digest(html))
    if until is not None:
        from app.models import utcnow

        seconds = min(seconds, int((until - utcnow()).total_seconds()))
        if seconds >= 1:
            cache.set(key, (page.html, page.status, page.digest), timeout=seconds)
    return page


def with_token(page: Page) -> str:
    """The page's HTML with this session's CSRF token in the placeholder's place."""
    mark = csrf_placeholder()
    if mark not in page.html:
        return page.html
    return page.html.replace(mark, generate_csrf())


def page_etag(page: Page) -> str:
    """The page's tag for this session: the same bytes with another session's token are
    another page."""
    parts = (page.digest, str(session.get("csrf_token", "")), is_htmx())
    return "p-" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def csrf_placeholder() -> str:
    """A stand-in for the token that no one can type into a label without knowing the
    app's secret (the same in every worker, which share the cache)."""
    if (mark := current_app.extensions.get("csrf_placeholder")) is None:
        secret = str(current_app.config["SECRET_KEY"]).encode()
        digest = hmac.new(secret, b"page-cache-csrf-placeholder", hashlib.sha256).hexdigest()
        mark = current_app.extensions["csrf_placeholder"] = f"csrf-placeholder-{digest[:32]}"
    return mark


def _key(name: str, extra: object) -> str:
    team = actor().team
    viewer = (
        current_user.id,
        current_user.name,
        current_user.email,
        str(actor().role),
        [
            (t.id, t.name, str(r), t.approval_required, waiting_requests(t.id))
            for t, r in user_memberships()
        ],
    )
    asked = (request.path, request.query_string.decode("latin-1"), is_htmx(), extra)
    digest = hashlib.blake2b(repr((viewer, asked)).encode(), digest_size=16).hexdigest()
    return f"page:{name}:{team.id}:{team.version}:{digest}"


def _digest(html: str) -> str:
    return hashlib.blake2b(html.encode(), digest_size=16).hexdigest()
