"""Browser-facing hardening: security headers on every answer, and the session cookie."""

from __future__ import annotations

from flask import Flask, Response

# Only our own scripts and styles; htmx is vendored, so nothing else is needed.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


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

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
