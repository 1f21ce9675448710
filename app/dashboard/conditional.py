"""ETags for pages: a browser that has the page as it would be rendered now gets a 304.

A page's tag digests everything its HTML depends on: for a page kept in the cache, the
kept bytes and the session's CSRF token (app.dashboard.page_cache.page_etag). A page with
messages to flash is always rendered.
"""

from __future__ import annotations

from flask import Response, current_app, request


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
