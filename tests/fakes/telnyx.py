"""A fake Telnyx v2 account over real HTTP, shaped after Telnyx's published API, with faults.

with FakeTelnyx(api_key="test-key") as fake:
    fake.add_available("+14155550100")
    fake.fail("POST", "/v2/number_orders", status=500)
    provider = TelnyxProvider("test-key", fake.base_url)

Where each shape comes from (Telnyx's v2 OpenAPI spec, team-telnyx/openapi `openapi/spec3.yml`,
its generated SDK docs, team-telnyx/telnyx-java `docs/NumberOrder.md`, `docs/PhoneNumber.md`,
`docs/DocReqsRequirement.md`, and Telnyx's webhook-signing docs):
- Orders are asynchronous: `POST /number_orders` answers the order with `status: "pending"`;
  it completes later (`pending` | `success` | `failure`, for the order and each number). Each
  ordered number carries `requirements_met`; a regulated number waits with `false`.
- `GET /number_orders` lists orders whose `phone_numbers` items carry only `id` and
  `phone_number`: the per-number status needs `GET /number_orders/{id}`.
- Owned numbers (`GET /phone_numbers`) have statuses such as `active`, `purchase-pending`,
  `purchase-failed`, `deleted`; `filter[phone_number]` matches digits only (other characters
  match nothing). Lists page with `page[number]`/`page[size]` (default 20, at most 250) and
  `meta {page_number, page_size, total_pages, total_results}`.
- Errors are `{"errors": [{"code", "title", "detail", "source": {"pointer"|"parameter"}}]}`;
  an unknown `connection_id` or `messaging_profile_id` on an order is a 422 pointing at it.
- Every answer carries `x-ratelimit-limit`, `x-ratelimit-remaining`, `x-ratelimit-reset`.
- `cost_information {upfront_cost, monthly_cost, currency}` are strings; currency is not always USD.
- Webhooks are signed with Ed25519 over "{telnyx-timestamp}|{raw body}" (header
  `telnyx-signature-ed25519`, base64); `number_order.complete` carries the order as `payload`.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.fakes.http_server import FakeHandler, FakeServer
from tests.fakes.telnyx_account import Account
from tests.fakes.telnyx_shapes import error_body, public

__all__ = ["FakeTelnyx", "Request", "error_body"]


class Request(NamedTuple):
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]


@dataclass
class _Fault:
    method: str
    path: str
    status: int | None
    body: Any
    headers: dict[str, str]
    delay: float
    drop: bool
    process: bool
    times: int
    effect_later: bool
    until: threading.Event | None = None


class FakeTelnyx(FakeServer, Account):
    """Telnyx's numbers endpoints on 127.0.0.1; the account's state is plain attributes."""

    def __init__(self, api_key: str = "test-key", *, latency: float = 0.0):
        super().__init__()
        self.api_key = api_key
        self.latency = latency  # seconds added to every response
        self.requests: list[Request] = []
        self.webhook_url: str | None = None  # where number_order.complete is delivered
        self.deliveries: list[requests.Response | Exception] = []
        self.signing_key = Ed25519PrivateKey.generate()
        self._faults: list[_Fault] = []
        self._hooks: list[tuple[str, str, dict[str, str], Callable[[], None]]] = []

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v2"

    # -- faults ------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        drop: bool = False,
        times: int = 1,
        process: bool | None = None,
        effect_later: bool = False,
        until: threading.Event | None = None,
    ) -> None:
        """Misbehaves on the next `times` requests matching method and path (fnmatch, e.g.
        "/v2/phone_numbers/*"; the query string is not part of it).

        status/body replace the answer (a dict or list body is sent as JSON, a str as is;
        a 4xx/5xx without body gets a Telnyx error body); headers are added to it; delay
        sleeps first (a late answer); drop closes the connection without answering.
        `process` says whether the request still takes effect: by default only when the fault
        is a delay or headers, so a late order is really placed but a 500 places nothing.
        A delayed request that takes effect does so at once and is answered late, unless
        `effect_later`: then it takes effect only after the delay (Telnyx completing work
        after the caller stopped waiting). `until` holds the answer (after any delay) until the
        test sets it or the fake stops: as late as the test needs, on a machine of any speed.
        """
        if not path.startswith("/v2"):
            path = "/v2" + path
        if process is None:
            process = status is None and body is None and not drop
        fault = _Fault(
            method.upper(),
            path,
            status,
            body,
            dict(headers or {}),
            delay,
            drop,
            process,
            times,
            effect_later,
            until,
        )
        with self.lock:
            self._faults.append(fault)

    def before(
        self,
        method: str,
        path: str,
        action: Callable[[], None],
        *,
        query: dict[str, str] | None = None,
    ) -> None:
        """Runs `action` (say, deleting a number in the portal) once, just before the next
        request matching method, path (fnmatch) and these query parameters is handled."""
        if not path.startswith("/v2"):
            path = "/v2" + path
        with self.lock:
            self._hooks.append((method.upper(), path, dict(query or {}), action))

    def requests_to(self, method: str, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == method.upper() and r.path == path]

    # -- webhooks ----------------------------------------------------------------------

    @property
    def public_key(self) -> str:
        """The account's webhook public key, base64, as the portal shows it."""
        raw = self.signing_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def signed(self, event: dict[str, Any], timestamp: int | None = None) -> tuple[bytes, dict]:
        """The raw body and the headers Telnyx would send for this event."""
        body = json.dumps(event).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.signing_key.sign(stamp.encode() + b"|" + body)
        return body, {
            "Content-Type": "application/json",
            "telnyx-timestamp": stamp,
            "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
        }

    def deliver(self, event: dict[str, Any], url: str | None = None) -> requests.Response:
        body, headers = self.signed(event)
        return requests.post(url or self.webhook_url, data=body, headers=headers, timeout=10)

    def order_completed(self, order: dict[str, Any]) -> None:
        """Deliver number_order.complete in the background, as Telnyx does, when a URL is set."""
        if self.webhook_url is None:
            return
        event = self.order_event(order)

        def send() -> None:
            try:
                self.deliveries.append(self.deliver(event))
            except requests.RequestException as error:
                self.deliveries.append(error)

        threading.Thread(target=send, daemon=True).start()

    # -- request handling ----------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.method == method and fnmatch.fnmatchcase(path, fault.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def serve(self, request: Request) -> tuple[int, Any, dict[str, str]] | None:
        """The answer (status, body, headers), or None to drop the connection."""
        with self.lock:
            self.requests.append(request)
            hooks = [
                hook
                for hook in self._hooks
                if hook[0] == request.method
                and fnmatch.fnmatchcase(request.path, hook[1])
                and all(request.query.get(k) == v for k, v in hook[2].items())
            ]
            for hook in hooks:
                self._hooks.remove(hook)
                hook[3]()
        fault = self._take_fault(request.method, request.path)
        pause = self.latency + (fault.delay if fault else 0.0)
        status, body, headers = 404, error_body(404), {}
        # A late answer to work done (process) is done first and answered late; otherwise
        # the request waits, then is handled (or not).
        late = fault is not None and (fault.delay or fault.until)
        early = late and fault.process and not fault.effect_later
        if early:
            status, body = self._apply_request(request)
        if pause and self._stopping.wait(pause):
            return None
        while fault is not None and fault.until and not fault.until.wait(0.05):
            if self._stopping.is_set():
                return None
        if fault is None or (fault.process and not early):
            status, body = self._apply_request(request)
        headers = self.rate_limit_headers()
        if fault is not None:
            if fault.drop:
                return None
            if fault.status is not None or fault.body is not None:
                status = fault.status if fault.status is not None else 200
                body = fault.body if fault.body is not None else None
                if body is None:
                    body = error_body(status) if status >= 400 else {}
            headers = {**headers, **fault.headers}
        return status, body, headers

    def _apply_request(self, request: Request) -> tuple[int, Any]:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, error_body(401, detail="The API key provided is invalid or missing.")
        status, body = self.handle(request.method, request.path, request.query, request.json)
        with self.lock:  # copied under the lock: other threads mutate the same records
            return status, public(body)


class _Handler(FakeHandler):
    server_fake: FakeTelnyx

    def _serve(self) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        request = Request(
            self.command, url.path, dict(parse_qsl(url.query)), payload, dict(self.headers)
        )
        answer = self.server_fake.serve(request)
        if answer is None:
            self.close_connection = True
            return
        self.send_json(*answer)


FakeTelnyx.handler = _Handler
