"""A fake Stripe API (v1) over real HTTP on 127.0.0.1, with fault injection, for tests.

with FakeStripe() as fake:
    growth = fake.add_price()
    billing = StripeBilling(fake.api_key, "whsec_test", {"growth": growth}, api_base=fake.base_url)
    checkout = billing.start_checkout("team_1", "growth", None, "a@example.com", ok_url, back_url)
    session = fake.complete_checkout(checkout.session_id)       # the customer paid
    payload, header = signed(fake.events_of("checkout.session.completed")[-1], "whsec_test")

Where the shapes come from (wire formats and webhooks: see tests/fakes/stripe_wire.py):
- Objects (checkout.session, customer, subscription, subscription_item, price,
  billing_portal.session): the stripe-mock fixtures in stripe/openapi `openapi/fixtures3.json`,
  trimmed to the fields a billing integration reads.
- Endpoints and parameters: docs.stripe.com/api/checkout/sessions/create,
  /api/customer_portal/sessions/create, /api/customers/create, /api/subscriptions/update,
  /api/subscriptions/cancel.
- Auth: docs.stripe.com/api/authentication: the secret key as Bearer (or Basic user); 401 else.
- Idempotency: docs.stripe.com/api/idempotent_requests: a POST's first answer is saved per
  `Idempotency-Key` and replayed with `Idempotent-Replayed: true`; the same key with other
  parameters is 400 `idempotency_error`; a key whose first request is still running is 409.
  Injected faults happen "at the front door", before that layer, so they are never saved.
- Messages quoted from real Stripe answers: "No such price: 'x'", "No such customer: 'x'",
  "You can't create a portal session in test mode until you save your customer portal
  settings...", "A canceled subscription can only update its cancellation_details and
  metadata.", and cancelling a cancelled subscription answers "No such subscription".
"""

from __future__ import annotations

import base64
import copy
import fnmatch
import threading
from dataclasses import dataclass
from typing import Any

from tests.fakes.http_server import FakeServer
from tests.fakes.stripe_api import StripeRoutes
from tests.fakes.stripe_http import Request, StripeHandler
from tests.fakes.stripe_wire import (
    deliver,
    error_body,
    make_event,
    sign,
    signed,
)

__all__ = ["FakeStripe", "Request", "deliver", "error_body", "make_event", "sign", "signed"]


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
    until: threading.Event | None = None


@dataclass
class _Saved:
    """A POST's answer kept under its Idempotency-Key."""

    method: str
    path: str
    params: dict[str, Any]
    status: int
    body: Any
    request_id: str


class FakeStripe(FakeServer, StripeRoutes):
    """Stripe's checkout, portal, customer and subscription endpoints on 127.0.0.1."""

    def __init__(self, api_key: str = "sk_test_fake", *, latency: float = 0.0):
        super().__init__()
        self.api_key = api_key
        self.latency = latency  # seconds added to every response
        self.requests: list[Request] = []
        self._faults: list[_Fault] = []
        self._saved: dict[str, _Saved] = {}
        self._in_flight: set[str] = set()

    handler = StripeHandler

    @property
    def base_url(self) -> str:
        """Scheme and host, as the library's `base_addresses["api"]` wants (it adds /v1)."""
        return self.origin

    # -- test controls ---------------------------------------------------------------

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
        until: threading.Event | None = None,
    ) -> None:
        """Misbehaves on the next `times` requests matching method and path (fnmatch, e.g.
        "/v1/subscriptions/*"; "/v1" is added if missing).

        status/body replace the answer (a 429 or 500 without body gets Stripe's own body,
        another 4xx/5xx a generic one); headers are added (e.g. {"Stripe-Should-Retry":
        "false"}); delay sleeps first; drop closes the connection without answering.
        `process` says whether the request still takes effect: by default only when the
        fault is just a delay or headers, so a timed-out POST really creates its object.
        A fault that neither lets the request through nor sets status or body answers 500.
        `until` holds the request (after any delay) until the test sets it: a request kept in
        flight for exactly as long as the test needs, on any machine.
        """
        if not path.startswith("/v1"):
            path = "/v1" + path
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
            until,
        )
        with self.lock:
            self._faults.append(fault)

    def _held(self, fault: _Fault) -> bool:
        """Wait for the fault's `until`; True if the fake stopped first."""
        while not fault.until.wait(0.05):
            if self._stopping.is_set():
                return True
        return False

    def requests_to(self, method: str, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == method.upper() and r.path == path]

    # -- request handling ------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.method == method and fnmatch.fnmatchcase(path, fault.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _unauthorized(self, header: str) -> dict[str, Any] | None:
        """Stripe's 401 body, or None when the secret key is given as Bearer or Basic user."""
        scheme, _, credential = header.partition(" ")
        if scheme == "Basic":
            try:
                credential = base64.b64decode(credential).decode().partition(":")[0]
            except ValueError:
                credential = ""
        elif scheme != "Bearer":
            credential = ""
        if not credential:
            return error_body(
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY')."
            )
        if credential != self.api_key:
            return error_body(f"Invalid API Key provided: {credential[:8]}****{credential[-4:]}")
        return None

    def _begin(self, request: Request) -> tuple[int, Any, dict[str, str]] | str | None:
        """Auth and the idempotency layer: an answer to send now, or the key now in flight."""
        refusal = self._unauthorized(request.headers.get("Authorization", ""))
        if refusal is not None:
            return 401, refusal, {}
        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        if not key:
            return None
        with self.lock:
            saved = self._saved.get(key)
            if saved is not None:
                if (saved.method, saved.path, saved.params) == request[:3]:
                    replay = {"Idempotent-Replayed": "true", "Idempotency-Key": key}
                    replay["Original-Request"] = saved.request_id
                    return saved.status, copy.deepcopy(saved.body), replay
                message = (
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request."
                )
                return 400, error_body(message, type="idempotency_error"), {}
            if key in self._in_flight:
                message = (
                    "There is currently another in-progress request using this Idempotent "
                    f"Key (that probably means you submitted twice, and the other request is "
                    f"still going through): {key}. Please try again later."
                )
                return 409, error_body(message, type="idempotency_error"), {}
            self._in_flight.add(key)
        return key

    def _finish(self, key: str | None, request: Request, answer: tuple[int, Any], rid: str) -> None:
        """Saves a keyed POST's answer for replays."""
        if key is None:
            return
        with self.lock:
            self._in_flight.discard(key)
            self._saved[key] = _Saved(
                request.method, request.path, request.params, *answer, request_id=rid
            )

    def _abandon(self, key: str | None) -> None:
        with self.lock:
            self._in_flight.discard(key or "")
