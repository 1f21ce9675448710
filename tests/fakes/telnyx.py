"""A fake Telnyx v2 server over real HTTP, with fault injection, for tests and benchmarks.

with FakeTelnyx(api_key="test-key") as fake:
    fake.add_available("+14155550100")
    fake.fail("POST", "/v2/number_orders", status=500)
    provider = TelnyxProvider("test-key", fake.base_url)
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import phonenumbers

_TITLES = {
    400: ("10015", "Bad request"),
    401: ("10009", "Authentication failed"),
    403: ("10010", "Authorization failed"),
    404: ("10005", "Resource not found"),
    409: ("10015", "Conflict"),
    422: ("10015", "Unprocessable entity"),
    429: ("10011", "Too many requests"),
}


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
    times: int = field(default=1)


def error_body(status: int, title: str | None = None, detail: str | None = None) -> dict:
    """A Telnyx error body: {"errors": [{"code", "title", "detail"}]}."""
    code, default_title = _TITLES.get(status, ("10007", "Unexpected error"))
    title = title or default_title
    return {"errors": [{"code": code, "title": title, "detail": detail or f"{title}."}]}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _digits(phone_number: str) -> str:
    return "".join(ch for ch in phone_number if ch.isdigit())


class FakeTelnyx:
    """Telnyx's numbers endpoints on 127.0.0.1; state is plain attributes tests may edit."""

    def __init__(self, api_key: str = "test-key", *, latency: float = 0.0):
        self.api_key = api_key
        self.latency = latency  # seconds added to every response
        self.default_order_status = "success"
        # Telnyx may not accept "+" in filter[phone_number] (unconfirmed); False simulates that.
        self.phone_filter_accepts_plus = True
        self.available: list[dict[str, Any]] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.owned: dict[str, dict[str, Any]] = {}
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        self._faults: list[_Fault] = []
        self._outcomes: dict[str, list[str]] = {}  # phone number -> statuses still to come
        self._ids = itertools.count(1293384261075731499)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeTelnyx:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True  # keep-alive connections must not block stop()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on a delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeTelnyx:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v2"

    # -- state helpers ---------------------------------------------------------------

    def add_available(
        self,
        phone_number: str,
        monthly: str = "1.00",
        upfront: str = "1.00",
        features: Iterable[str] = ("voice", "sms"),
        best_effort: bool = False,
        *,
        number_type: str | None = None,
        country_code: str | None = None,
    ) -> dict[str, Any]:
        """Offers a number; country, area code and type come from phonenumbers unless given."""
        parsed = phonenumbers.parse(phone_number)
        if number_type is None:
            toll_free = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE
            number_type = "toll_free" if toll_free else "local"
        national = phonenumbers.national_significant_number(parsed)
        ndc_length = phonenumbers.length_of_national_destination_code(parsed) or 3
        item = {
            "record_type": "available_phone_number",
            "phone_number": phone_number,
            "phone_number_type": number_type,
            "national_destination_code": national[:ndc_length],
            "best_effort": best_effort,
            "quickship": True,
            "reservable": False,
            "vanity_format": None,
            "region_information": [
                {
                    "region_type": "country_code",
                    "region_name": country_code
                    or phonenumbers.region_code_for_number(parsed)
                    or "US",
                }
            ],
            "cost_information": {
                "upfront_cost": upfront,
                "monthly_cost": monthly,
                "currency": "USD",
            },
            "features": [{"name": name} for name in features],
        }
        with self.lock:
            self.available.append(item)
        return item

    def add_owned(self, phone_number: str, **fields: Any) -> str:
        """Puts a number on the account directly; returns its id."""
        with self.lock:
            record = self._own(phone_number, connection_id=None, customer_reference=None)
            record.update(fields)
            return record["id"]

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
    ) -> None:
        """Misbehaves on the next `times` requests matching method and path (fnmatch, e.g.
        "/v2/phone_numbers/*"; the query string is not part of it).

        status/body replace the answer (a dict or list body is sent as JSON, a str as is;
        a 4xx/5xx without body gets a Telnyx error body); headers are added to it; delay
        sleeps first; drop closes the connection without answering. `process` says whether
        the request still takes effect: by default only when the fault is just a delay or
        headers, so a timed-out order is really placed but a 500 places nothing.
        """
        if not path.startswith("/v2"):
            path = "/v2" + path
        if process is None:
            process = status is None and body is None and not drop
        fault = _Fault(
            method.upper(), path, status, body, dict(headers or {}), delay, drop, process, times
        )
        with self.lock:
            self._faults.append(fault)

    def order_outcome(self, phone_number: str, statuses: Sequence[str]) -> None:
        """The next order of this number answers statuses[0]; each GET of it moves on one."""
        with self.lock:
            self._outcomes[phone_number] = list(statuses)

    def set_order_status(self, order_id: str, status: str) -> None:
        """Settles (or re-opens) an order now, as Telnyx would in the background."""
        with self.lock:
            order = self.orders[order_id]
            for entry in order["phone_numbers"]:
                entry["status"], entry["_next"] = status, []
            self._apply(order)

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

    def _handle(self, request: Request) -> tuple[int, Any]:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, error_body(401, detail="The API key provided is invalid or missing.")
        parts = request.path.strip("/").split("/")  # ["v2", resource, id?]
        route = (request.method, *parts[1:2], "{id}" if len(parts) == 3 else "")
        with self.lock:
            if parts[0] != "v2" or len(parts) > 3:
                return 404, error_body(404)
            if route == ("GET", "available_phone_numbers", ""):
                return 200, self._search(request.query)
            if route == ("POST", "number_orders", ""):
                return self._create_order(request.json)
            if route == ("GET", "number_orders", ""):
                ref = request.query.get("filter[customer_reference]")
                found = [
                    o for o in self.orders.values() if ref is None or o["customer_reference"] == ref
                ]
                return 200, _page(found)
            if route == ("GET", "number_orders", "{id}") and parts[2] in self.orders:
                return 200, {"data": self._advance(self.orders[parts[2]])}
            if route == ("GET", "phone_numbers", ""):
                return 200, _page(self._owned_matching(request.query))
            if route == ("GET", "phone_numbers", "{id}") and parts[2] in self.owned:
                return 200, {"data": self.owned[parts[2]]}
            if route == ("DELETE", "phone_numbers", "{id}") and parts[2] in self.owned:
                record = self.owned[parts[2]]
                record["status"] = "deleted"
                return 200, {"data": record}
        return 404, error_body(404)

    def _search(self, query: dict[str, str]) -> dict[str, Any]:
        taken = {r["phone_number"] for r in self.owned.values() if r["status"] != "deleted"}
        wanted = {
            "country_code": query.get("filter[country_code]"),
            "national_destination_code": query.get("filter[national_destination_code]"),
            "phone_number_type": query.get("filter[phone_number_type]"),
        }
        found = [
            item
            for item in self.available
            if item["phone_number"] not in taken
            and all(value is None or _field(item, key) == value for key, value in wanted.items())
        ]
        limit = query.get("filter[limit]")
        if limit is not None and limit.isdigit():
            found = found[: int(limit)]
        best = sum(1 for item in found if item.get("best_effort"))
        return {"data": found, "meta": {"total_results": len(found), "best_effort_results": best}}

    def _create_order(self, body: Any) -> tuple[int, Any]:
        entries = body.get("phone_numbers") if isinstance(body, dict) else None
        if not entries or not all(isinstance(e, dict) and e.get("phone_number") for e in entries):
            return 400, error_body(400, "Missing parameter", "phone_numbers is required.")
        taken = {r["phone_number"] for r in self.owned.values() if r["status"] != "deleted"}
        offered = {i["phone_number"]: i for i in self.available if i["phone_number"] not in taken}
        for entry in entries:
            if entry["phone_number"] not in offered:
                detail = f"{entry['phone_number']} is not available for ordering."
                return 422, error_body(422, "Number not available", detail)
        order = {
            "id": str(uuid.uuid4()),
            "record_type": "number_order",
            "status": "pending",
            "customer_reference": body.get("customer_reference"),
            "connection_id": body.get("connection_id"),
            "phone_numbers_count": len(entries),
            "requirements_met": True,
            "created_at": _now(),
            "updated_at": _now(),
            "phone_numbers": [],
        }
        for entry in entries:
            self.available.remove(offered[entry["phone_number"]])
            statuses = self._outcomes.pop(entry["phone_number"], [self.default_order_status])
            order["phone_numbers"].append(
                {
                    "id": str(uuid.uuid4()),
                    "record_type": "number_order_phone_number",
                    "phone_number": entry["phone_number"],
                    "status": statuses[0],
                    "requirements_met": True,
                    "_next": statuses[1:],
                    "_type": offered[entry["phone_number"]].get("phone_number_type", "local"),
                }
            )
        self.orders[order["id"]] = order
        self._apply(order)
        return 200, {"data": order}

    def _advance(self, order: dict[str, Any]) -> dict[str, Any]:
        for entry in order["phone_numbers"]:
            if entry["_next"]:
                entry["status"] = entry["_next"].pop(0)
        self._apply(order)
        return order

    def _apply(self, order: dict[str, Any]) -> None:
        """Derives the order's status from its numbers; a succeeded number becomes owned."""
        statuses = [entry["status"] for entry in order["phone_numbers"]]
        for entry in order["phone_numbers"]:
            if entry["status"] == "success" and not self._owned_matching(
                {"filter[phone_number]": entry["phone_number"]}
            ):
                record = self._own(
                    entry["phone_number"], order["connection_id"], order["customer_reference"]
                )
                record["phone_number_type"] = entry["_type"]
        if "failure" in statuses:
            order["status"] = "failure"
        elif "pending" in statuses:
            order["status"] = "pending"
        else:
            order["status"] = statuses[0]
        order["updated_at"] = _now()

    def _own(
        self, phone_number: str, connection_id: str | None, customer_reference: str | None
    ) -> dict[str, Any]:
        record_id = str(next(self._ids))
        self.owned[record_id] = {
            "id": record_id,
            "record_type": "phone_number",
            "phone_number": phone_number,
            "status": "active",
            "phone_number_type": "local",
            "connection_id": connection_id,
            "customer_reference": customer_reference,
            "tags": [],
            "purchased_at": _now(),
            "deletion_lock_enabled": False,
        }
        return self.owned[record_id]

    def _owned_matching(self, query: dict[str, str]) -> list[dict[str, Any]]:
        wanted = query.get("filter[phone_number]")
        if wanted is None:
            return list(self.owned.values())
        if wanted.startswith("+") and not self.phone_filter_accepts_plus:
            return []
        return [r for r in self.owned.values() if _digits(r["phone_number"]) == _digits(wanted)]


def _field(item: dict[str, Any], key: str) -> Any:
    if key == "country_code":
        regions = item.get("region_information") or []
        return next((r["region_name"] for r in regions if r["region_type"] == "country_code"), None)
    return item.get(key)


def _page(records: list[dict[str, Any]]) -> dict[str, Any]:
    meta = {"page_number": 1, "page_size": 250, "total_pages": 1, "total_results": len(records)}
    return {"data": records, "meta": meta}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is closed after this
    server_fake: FakeTelnyx

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PATCH = do_PUT = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _serve(self) -> None:
        fake = self.server_fake
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        request = Request(
            self.command, url.path, dict(parse_qsl(url.query)), payload, dict(self.headers)
        )
        with fake.lock:
            fake.requests.append(request)
        fault = fake._take_fault(request.method, request.path)
        pause = fake.latency + (fault.delay if fault else 0.0)
        if pause and fake._stopping.wait(pause):
            self.close_connection = True
            return
        status, body, headers = 404, error_body(404), {}
        if fault is None or fault.process:
            with fake.lock:  # copied under the lock: other threads mutate the same records
                status, body = fake._handle(request)
                body = _public(body)
        if fault is not None:
            if fault.drop:
                self.close_connection = True
                return
            if fault.status is not None or fault.body is not None:
                status = fault.status if fault.status is not None else 200
                body = fault.body if fault.body is not None else None
                if body is None:
                    body = error_body(status) if status >= 400 else {}
            headers = {**headers, **fault.headers}
        self._answer(status, body, headers)

    def _answer(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if isinstance(body, str | bytes):
            data = body.encode() if isinstance(body, str) else body
        else:
            data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _public(value: Any) -> Any:
    """A copy without the fake's bookkeeping keys (those starting with "_")."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value
