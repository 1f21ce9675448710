"""Browser-facing hardening: security headers on every answer, and the session cookie."""

from __future__ import annotations

from flask import Flask, Response


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """Only our own scripts and styles; htmx is vendored, so nothing else is needed. Forms post
    to us, and may be redirected on only to `form_targets` (Stripe's Checkout, say)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(("form-action 'self'", *form_targets)),
            "frame-ancestors 'none'",
        )
    )


CONTENT_SECURITY_POLICY = content_security_policy()
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def allow_form_targets(app: Flask, origins: tuple[str, ...]) -> None:
    """Let a form's answer redirect the browser to these origins (CSP form-action covers
    redirects too: without this, Chromium stops the way to a payment page)."""
    app.extensions["csp"] = content_security_policy(origins)


def init_security(app: Flask) -> None:
    # HttpOnly and SameSite=Lax come from Config; Secure only makes sense behind HTTPS.
    https = app.config.get("PREFERRED_URL_SCHEME") == "https"
    if https:  # cookies never go over http
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    # X-Forwarded-* are believed only from the proxies the deploy says are there: a client
    # talking to the app directly could write any address into them (and dodge the limits).
    if proxies := app.config.get("TRUSTED_PROXIES", 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    elif https:
        app.logger.warning(
            "PREFERRED_URL_SCHEME=https with TRUSTED_PROXIES=0: X-Forwarded-For is ignored, so "
            "behind a proxy every client shares the proxy's address (and its rate limits). "
            "Set TRUSTED_PROXIES to the number of proxies in front of the app."
        )

    app.extensions["csp"] = CONTENT_SECURITY_POLICY

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", app.extensions["csp"])
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
