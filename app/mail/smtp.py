"""SMTP that checks who it talks to: the server's certificate is verified for STARTTLS and for
SMTP over TLS alike.

Flask-Mailman's backend passes no SSL context to STARTTLS, so smtplib makes one that checks
nothing: anyone on the path to the mail server could read every password-reset link. Here
both use Python's default context (the system's CAs, hostname checked), or MAIL_CA_FILE's
CAs for a server with a private certificate authority (and the tests' own).
"""

from __future__ import annotations

import ssl
from functools import cached_property

from flask import current_app
from flask_mailman.backends.smtp import DNS_NAME, EmailBackend


class VerifiedSmtpEmailBackend(EmailBackend):
    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=current_app.config.get("MAIL_CA_FILE") or None)
        if self.ssl_certfile:  # a client certificate, when the server asks for one
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context

    def open(self) -> bool | None:
        """Connect (and STARTTLS, and log in) once; as Flask-Mailman's, but verified."""
        if self.connection:
            return False
        params: dict = {"local_hostname": DNS_NAME.get_fqdn()}
        if self.timeout is not None:
            params["timeout"] = self.timeout
        if self.use_ssl:
            params["context"] = self.ssl_context
        try:
            self.connection = self.connection_class(self.host, self.port, **params)
            if not self.use_ssl and self.use_tls:
                self.connection.starttls(context=self.ssl_context)
            if self.username and self.password:
                self.connection.login(self.username, self.password)
            return True
        except OSError:
            if not self.fail_silently:
                raise
        return None
