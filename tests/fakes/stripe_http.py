"""The fake Stripe's HTTP side: the request record, the handler, and default fault bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from requests.structures import CaseInsensitiveDict

from tests.fakes.http_server import FakeHandler
from tests.fakes.stripe_wire import decode_form, error_body, new_id

if TYPE_CHECKING:
    from tests.fakes.stripe import FakeStripe

_DEFAULT_FAULTS = {
    429: error_body(
        "Request rate limit exceeded. Learn more about rate limits here "
        "https://stripe.com/docs/rate-limits.",
        code="rate_limit",
    ),
    500: error_body("An unknown error occurred", type="api_error"),
}


class Request(NamedTuple):
    """One request the fake received; params is the decoded form body (or query)."""

    method: str
    path: str
    params: dict[str, Any]
    headers: CaseInsensitiveDict[str]


class StripeHandler(FakeHandler):
    """Serves one fake's requests: faults first, then idempotency, then the routes."""

    json_indent = 2  # as Stripe answers
    server_fake: FakeStripe  # set on a subclass per fake

    def _serve(self) -> None:
        fake = self.server_fake
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        params = decode_form(raw if self.command == "POST" else url.query)
        request = Request(self.command, url.path, params, CaseInsensitiveDict(self.headers.items()))
        request_id = new_id("req", 14)
        with fake.lock:
            fake.requests.append(request)
        fault = fake._take_fault(request.method, request.path)
        processing = fault is None or fault.process
        early, key = None, None
        if processing:
            begun = fake._begin(request)
            early, key = (begun, None) if isinstance(begun, tuple) else (None, begun)
        pause = fake.latency + (fault.delay if fault else 0.0)
        if (pause and fake._stopping.wait(pause)) or (fault and fault.until and fake._held(fault)):
            fake._abandon(key)
            self.close_connection = True
            return
        # A fault that neither lets the request through nor names an answer is a bare 500.
        status, body, headers = 500, _fault_body(500), {}
        if early is not None:
            status, body, headers = early
        elif processing:
            try:
                status, body = fake.handle(request.method, request.path, request.params)
            except Exception:
                fake._abandon(key)  # a bug in the fake must not leave the key "in progress"
                raise
            fake._finish(key, request, (status, body), request_id)
            if key:
                headers = {"Idempotency-Key": key}
        if fault is not None:
            if fault.drop:
                self.close_connection = True
                return
            if fault.status is not None or fault.body is not None:
                status = fault.status if fault.status is not None else 200
                body = fault.body if fault.body is not None else _fault_body(status)
            headers = {**headers, **fault.headers}
        self._answer(status, body, {"Request-Id": request_id, **headers})

    def _answer(self, status: int, body: Any, headers: dict[str, str]) -> None:
        version = self.headers.get("Stripe-Version") or "unset"
        self.send_json(status, body, {"Stripe-Version": version, **headers})


def _fault_body(status: int) -> Any:
    if status in _DEFAULT_FAULTS:
        return _DEFAULT_FAULTS[status]
    if status >= 500:
        return error_body("An unknown error occurred", type="api_error")
    return error_body("The fake was told to refuse this request.") if status >= 400 else {}
