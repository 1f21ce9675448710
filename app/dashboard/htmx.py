"""Page or fragment: one URL serves both, decided by the HX-Request header."""

from __future__ import annotations

from flask import render_template, request


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, fragment: str, status: int = 200, **context):
    """The full page for browsers, the partial it includes for htmx."""
    return render_template(fragment if is_htmx() else page, **context), status
