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
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
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
                Envelope(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.quits += 1
        return "221 Bye"


class _Controller(Controller):
    def _trigger_server(self):
        # Bound to port 0 so the OS picks a free port with no race; aiosmtpd's start-up check
        # connects to self.port, so read the real one back first.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """An SMTP server in a thread; `refuse` lists recipient addresses it answers 550 to,
    `delay` is how long it takes to accept each message, `port` a fixed port (0: any free)."""

    def __init__(
        self, refuse: set[str] | frozenset[str] = frozenset(), *, delay: float = 0, port: int = 0
    ):
        self._handler = _Handler({address.lower() for address in refuse}, delay)
        self._controller = _Controller(self._handler, hostname=HOST, port=port)

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
