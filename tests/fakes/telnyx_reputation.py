"""A fake of Telnyx's Number Reputation over real HTTP on 127.0.0.1, with faults.

Shaped after Telnyx's published docs and OpenAPI (developers.telnyx.com: "Number Reputation"
guides, "Phone Number Reputation", and the API reference "Get reputation data for a phone
number (simplified)", `number-reputation/phone-numbers.yml`):
- `GET /v2/reputation/numbers/{phone_number}`, the "+" URL-encoded as `%2B`; `fresh=false`
  (default) reads the cache, `fresh=true` a billed live lookup (counted here).
- 200 `{"data": {"id", "enterprise_id", "phone_number", "reputation_data", "created_at",
  "updated_at"}}`; `reputation_data` is null until the first refresh after the number was
  associated, then `{"spam_risk": low|medium|high, "spam_category", "maturity_score",
  "connection_score", "engagement_score", "sentiment_score", "last_refreshed_at"}`.
- A number not associated for monitoring: 404. Not US (Canada included) or not E.164: 422.
  Bad key: 401. Errors in Telnyx's `{"errors": [{"code", "title", "detail"}]}`.

with FakeReputation() as fake:
    fake.monitor("+14155550100", "high", category="telemarketing")
    fake.fail(503, times=1)          # the next answer is a 503
    fake.delay = 2.0                 # answers late
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes.telnyx_shapes import error_body

PREFIX = "/v2/reputation/numbers/"


class FakeReputation:
    def __init__(self, api_key: str = "key-for-tests"):
        self.api_key = api_key
        self.numbers: dict[str, dict[str, Any] | None] = {}  # E.164 -> reputation_data
        self.requests: list[tuple[str, dict[str, str]]] = []  # (raw path, query)
        self.faults: list[tuple[int | None, Any]] = []  # (status, body); status None: garbled
        self.delay = 0.0
        self.fresh_lookups = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v2"

    def __enter__(self) -> FakeReputation:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def monitor(self, e164: str, risk: str | None, category: str | None = None) -> None:
        """Associate the number; risk None: added, first reading not collected yet."""
        self.numbers[e164] = (
            None
            if risk is None
            else {
                "spam_risk": risk,
                "spam_category": category,
                "maturity_score": 72,
                "connection_score": 80,
                "engagement_score": 64,
                "sentiment_score": 75,
                "last_refreshed_at": "2026-12-07T09:00:00.000000Z",
            }
        )

    def fail(self, status: int | None, body: Any = None, times: int = 1) -> None:
        self.faults.extend([(status, body)] * times)

    def answer(self, raw_path: str, query: dict[str, str], key: str) -> tuple[int | None, Any]:
        if self.faults:
            return self.faults.pop(0)
        if key != f"Bearer {self.api_key}":
            return 401, error_body(401)
        if not raw_path.startswith(PREFIX):
            return 404, error_body(404)
        encoded = raw_path[len(PREFIX) :]
        if encoded.startswith("+"):  # a literal "+" reads as a space in a path: not E.164
            return 422, error_body(422, detail="phone_number must be in E.164 format")
        number = unquote(encoded)
        if not number.startswith("+1") or number[2:5] in {"416", "604", "613"}:
            return 422, error_body(422, detail="Only US phone numbers are supported")
        if number not in self.numbers:
            return 404, error_body(404, detail="Phone number is not monitored")
        if query.get("fresh") == "true":
            self.fresh_lookups += 1
        return 200, {
            "data": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, number)),
                "enterprise_id": "4a6192a4-573d-446d-b3ce-aff9117272a6",
                "phone_number": number,
                "reputation_data": self.numbers[number],
                "created_at": "2026-12-01T10:00:00.000000Z",
                "updated_at": "2026-12-07T09:00:00.000000Z",
            }
        }

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                fake.requests.append((parts.path, query))
                status, body = fake.answer(parts.path, query, self.headers.get("Authorization"))
                if fake.delay:
                    time.sleep(fake.delay)
                raw = (
                    b"<html>502 Bad Gateway</html>" if status is None else json.dumps(body).encode()
                )
                self.send_response(502 if status is None else status)
                self.send_header(
                    "Content-Type", "text/html" if status is None else "application/json"
                )
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        return Handler
