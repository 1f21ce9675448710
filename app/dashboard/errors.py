"""Error pages in the site's look for every path outside /api."""

from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from app.dashboard.htmx import is_htmx

TITLES = {
    400: "That request did not work",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
}
MESSAGES = {
    400: "The form may have expired. Go back, reload the page and try again.",
    404: "There is nothing here, or it belongs to a team you are not part of.",
    429: "Wait a minute, then try again.",
    500: "It is on our side, not yours. Try again in a moment.",
}


def error_page(error: Exception):
    """A page (or, for htmx, a short inline message) for an HTTP error or a crash."""
    http = error if isinstance(error, HTTPException) else InternalServerError()
    status = http.code or 500
    context = {
        "status": status,
        "title": TITLES.get(status, http.name),
        "message": MESSAGES.get(status, http.description),
    }
    template = "errors/_inline.html" if is_htmx() else "errors/page.html"
    response = render_template(template, **context)
    headers = {}
    if status == 429 and (retry := getattr(http, "retry_after", None)):
        headers["Retry-After"] = str(retry)
    if status == 405 and getattr(http, "valid_methods", None):
        headers["Allow"] = ", ".join(http.valid_methods)
    return response, status, headers
