"""One webhook POST: to the approved address, named as the URL names it, within 5 seconds,
no redirect followed, reading at most a short excerpt of the answer."""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3

from app.events.addresses import Target
from app.text import one_line

TIMEOUT = 5.0  # seconds, connection and answer together
EXCERPT = 500  # characters of the answer kept in the delivery log
USER_AGENT = "phonenumbers-desk-webhooks/1"


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (refused, timed out, reset)
    latency_ms: int
    excerpt: str = ""
    error: str | None = None
    retry_after: int | None = None  # seconds, when the receiver asked for a pause

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(target: Target, headers: dict[str, str], body: str) -> Answer:
    """POST `body` to the target's approved address. Never raises for the network's sake."""
    started = time.monotonic()
    timeout = urllib3.Timeout(total=TIMEOUT)
    if target.scheme == "https":
        # Connect to the approved address; TLS still checks the certificate for the name.
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            timeout=timeout,
            retries=False,
            maxsize=1,
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address, target.port, timeout=timeout, retries=False, maxsize=1
        )
    sent = {
        **headers,
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body.encode(),
            headers=sent,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            raw = response.read(EXCERPT * 4, decode_content=False)
        finally:
            response.release_conn()
            response.close()
        status = response.status
        # Text a database keeps: NUL (PostgreSQL refuses it) becomes U+FFFD.
        excerpt = raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")[:EXCERPT]
        error = None
        if 300 <= status < 400:
            where = one_line(response.headers.get("Location", ""))[:150]
            error = (
                f"Redirect ({status}) not followed{f' (to {where})' if where else ''}: "
                "point the endpoint at the final URL."
            )
        return Answer(status, _ms(started), excerpt, error, _retry_after(response.headers))
    except urllib3.exceptions.HTTPError as failure:
        return Answer(None, _ms(started), error=_reason(failure))
    finally:
        pool.close()


def _reason(failure: Exception) -> str:
    if isinstance(failure, urllib3.exceptions.TimeoutError):
        return f"No answer within {TIMEOUT:g} seconds."
    if isinstance(failure, urllib3.exceptions.SSLError):
        return one_line(f"TLS failed: {failure}")[:300]
    if isinstance(failure, urllib3.exceptions.NewConnectionError):
        return "Could not connect (connection refused or unreachable)."
    return one_line(f"{type(failure).__name__}: {failure}")[:300]


def _retry_after(headers) -> int | None:
    value = headers.get("Retry-After", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
