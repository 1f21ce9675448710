"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), and helpers to read what it received.

    with SmtpServer() as smtp:
        app = build_app(tmp_path, **smtp.config)
        ...
        message = smtp.messages[-1]
        assert links(message).text == [url]

or take the `smtp_server` fixture (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
_TEXT_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Envelope:
    """What the server was told: the SMTP sender and recipients, and the raw message."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool = False  # whether the message came over a STARTTLS connection
    login: str | None = None  # the user name the client logged in with


@dataclass
class _Handler:
    refuse: set[str]
    delay: float = 0.0
    envelopes: list[Envelope] = field(default_factory=list)
    quits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set when a client names its first recipient: it is mid-conversation from then on.
    recipient_named: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        self.recipient_named.set()
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow relay: the answer comes this much later
        with self.lock:
            self.envelopes.append(
                Envelope(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content,
                    tls=session.ssl is not None,
                    login=_login_name(session),
                )
            )
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.quits += 1
        return "221 Bye"


def _login_name(session) -> str | None:
    login = getattr(session, "auth_data", None)
    return login.decode() if isinstance(login, bytes) else login


class _Authenticator:
    """aiosmtpd's authenticator: LOGIN and PLAIN with one user name and password."""

    def __init__(self, username: str, password: str):
        self.credentials = (username.encode(), password.encode())

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        good = isinstance(auth_data, LoginPassword) and tuple(auth_data) == self.credentials
        # handled=False: aiosmtpd answers for us (235, or 535 for a refused login).
        return AuthResult(success=good, handled=False, auth_data=auth_data.login if good else None)


class _Controller(Controller):
    def _trigger_server(self):
        # Bound to port 0 so the OS picks a free port with no race; aiosmtpd's start-up check
        # connects to self.port, so read the real one back first.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """An SMTP server in a thread; `refuse` lists recipient addresses it answers 550 to,
    `delay` is how long it takes to accept each message, `port` a fixed port (0: any free).

    With `tls` (a certificate and key file, see tests/fakes/tls.py) it offers STARTTLS and
    requires it before anything else, as a submission server on 587 does (RFC 3207); with
    `login` (user, password) it requires AUTH, offered only once TLS is on.
    """

    def __init__(
        self,
        refuse: set[str] | frozenset[str] = frozenset(),
        *,
        delay: float = 0,
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
        login: tuple[str, str] | None = None,
    ):
        self._handler = _Handler({address.lower() for address in refuse}, delay)
        options: dict = {}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            options.update(tls_context=context, require_starttls=True)
        if login is not None:
            options.update(
                authenticator=_Authenticator(*login), auth_required=True, auth_require_tls=True
            )
        self._controller = _Controller(self._handler, hostname=HOST, port=port, **options)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def refuse(self) -> set[str]:
        """Recipient addresses answered 550 (lower case); change it while the server runs."""
        return self._handler.refuse

    @property
    def recipient_named(self) -> threading.Event:
        """Set once a client has named a recipient: a sender is mid-message from then."""
        return self._handler.recipient_named

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def config(self) -> dict[str, object]:
        """App config overrides that send to this server."""
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": HOST, "MAIL_PORT": self.port}

    @property
    def envelopes(self) -> list[Envelope]:
        with self._handler.lock:
            return list(self._handler.envelopes)

    @property
    def quits(self) -> int:
        """How many clients ended their session with QUIT, as a well-behaved sender does."""
        with self._handler.lock:
            return self._handler.quits

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message received, parsed by the email package (modern API)."""
        return [
            email.message_from_bytes(envelope.data, policy=email.policy.default)
            for envelope in self.envelopes
        ]


class Links(NamedTuple):
    text: list[str]
    html: list[str]


def body(message: EmailMessage, kind: str) -> str:
    """The decoded text of the message's "plain" or "html" part."""
    part = message.get_body(preferencelist=(kind,))
    assert part is not None and part.get_content_subtype() == kind, f"no text/{kind} part"
    return part.get_content()


def links(message: EmailMessage) -> Links:
    """The URLs in the text part (in order) and the hrefs of the HTML part (in order)."""
    parser = _Hrefs()
    parser.feed(body(message, "html"))
    parser.close()
    return Links(_TEXT_LINK.findall(body(message, "plain")), parser.hrefs)


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)
