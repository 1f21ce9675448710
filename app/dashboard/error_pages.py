"""Error answers in the site's look: a page, or for htmx a short inline message.

One place turns every failure into what a person reads: HTTP errors and crashes, domain
refusals that reach no form, and the sentence shown when the telephony provider fails.
"""

from __future__ import annotations

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.dashboard import is_htmx
from app.dashboard.stale_forms import stale_form_answer
from app.exceptions import ProviderFailed, ServiceError

TITLES = {
    400: "That request did not work",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "That changed meanwhile",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
    502: "The telephony provider failed",
    504: "The telephony provider did not answer",
}
MESSAGES = {
    400: "The form may have expired. Go back, reload the page and try again.",
    404: "There is nothing here, or it belongs to a team you are not part of.",
    429: "Wait a minute, then try again.",
    500: "It is on our side, not yours. Try again in a moment.",
}


def provider_failure_sentence(
    error: ProviderFailed, consequence: str, next_step: str = "Try again in a moment."
) -> str:
    """The one sentence the pages show when the provider fails: what did not happen, and why.

    When the provider may have acted anyway, its own message already says what happens next.
    """
    if error.outcome_unknown:
        return f"The telephony provider has not confirmed it yet: {error.message}"
    return f"{consequence}: the telephony provider failed ({error.message}). {next_step}"


def error_page(error: Exception):
    """For an HTTP error or a crash."""
    if isinstance(error, CSRFError) and (answer := stale_form_answer()) is not None:
        return answer
    http = error if isinstance(error, HTTPException) else InternalServerError()
    status = http.code or 500
    headers = {}
    if status == 429 and (retry := getattr(http, "retry_after", None)):
        headers["Retry-After"] = str(retry)
    if status == 405 and getattr(http, "valid_methods", None):
        headers["Allow"] = ", ".join(http.valid_methods)
    message = MESSAGES.get(status, http.description)
    return _render(status, TITLES.get(status, http.name), message), status, headers


def service_error_page(error: ServiceError):
    """For a domain refusal no view turned into a form error."""
    if error.status == 404:  # the same page whether it does not exist or is not theirs
        return _render(404, TITLES[404], MESSAGES[404]), 404
    message = error.message
    if isinstance(error, ProviderFailed):
        message = provider_failure_sentence(error, "Nothing changed")
    return _render(error.status, TITLES.get(error.status, TITLES[400]), message), error.status


def _render(status: int, title: str, message: str) -> str:
    template = "errors/_inline.html" if is_htmx() else "errors/page.html"
    return render_template(template, status=status, title=title, message=message)
