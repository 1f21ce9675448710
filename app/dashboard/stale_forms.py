"""A form sent with a stale CSRF token (signed in again in another tab, or an old page) keeps
what was typed: the person checks it and sends it again with one click, with a fresh token.

The request is not acted on (the token is what proves the person sent it): without JavaScript
the same fields come back on a page of their own; with htmx nothing is swapped, and app.js puts
the fresh token into the page's forms and says why beside the form, whose fields kept their values.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.auth import sign_in_again

WHY = "Your session changed in another tab; check and send again."

# Never echoed into a page: what was typed there is typed again.
_SECRET_WORDS = ("password", "secret", "otp", "recovery")


def stale_form_answer() -> Response | None:
    """The answer to a form whose CSRF token failed; None when it did not come from one of our
    own pages (the plain error page then: a forged form must not come back ready to send)."""
    if request.headers.get("HX-Request") == "true":
        if not current_user.is_authenticated:  # the session ended: sign in, then come back
            return sign_in_again(400)
        trigger = {"form-token-renewed": {"token": generate_csrf(), "message": WHY}}
        headers = {"HX-Reswap": "none", "HX-Trigger": json.dumps(trigger)}
        return Response(status=400, headers=headers)
    if not _from_our_pages():
        return None
    body = render_template(
        "errors/resend.html",
        action=request.full_path.rstrip("?"),
        fields=(fields := _fields()),
        secret_first=any(f["secret"] for f in fields),
        files=bool(request.files),
        message=WHY,
    )
    return Response(body, status=400)


def _from_our_pages() -> bool:
    """Browsers name the page a form was sent from (Origin, or else Referer) on every POST."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return urlsplit(source).netloc == request.host


def _fields() -> list[dict]:
    """What was sent, in order, as the page shows it: one value to check, or several kept."""
    fields = []
    for name in dict.fromkeys(request.form.keys()):
        if name == "csrf_token":
            continue
        values = request.form.getlist(name)
        secret = name == "code" or any(word in name.lower() for word in _SECRET_WORDS)
        fields.append(
            {
                "name": name,
                "label": name.replace("_", " ").replace("-", " ").strip().capitalize(),
                "values": values,
                "secret": secret,
                "long": any("\n" in v for v in values),
            }
        )
    return fields
