"""A slow stand-in for Telnyx's number search on 127.0.0.1, for the search-cache row only.

Answers `GET /v2/available_phone_numbers` (the one call a search makes) after `latency`
seconds with a fixed page of 415 numbers, shaped as Telnyx's List available phone numbers
answer (developers.telnyx.com/api/numbers/list-available-phone-numbers: `data` items with
phone_number, region_information, cost_information, features; `meta.total_results`). The
tests' full fake lives in tests/fakes; the benchmark needs only this, and stands alone.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _offer(e164: str) -> dict:
    return {
        "record_type": "available_phone_number",
        "phone_number": e164,
        "phone_number_type": "local",
        "national_destination_code": e164[2:5],
        "best_effort": False,
        "quickship": True,
        "reservable": True,
        "vanity_format": None,
        "region_information": [{"region_type": "country_code", "region_name": "US"}],
        "cost_information": {"upfront_cost": "1.00", "monthly_cost": "1.00", "currency": "USD"},
        "features": [{"name": "voice"}, {"name": "sms"}],
    }


class SlowTelnyx:
    def __init__(self, latency: float):
        self.latency = latency
        self.searches = 0
        offers = [_offer(f"+1415555{line:04d}") for line in range(100, 130)]
        self.body = json.dumps({"data": offers, "meta": {"total_results": len(offers)}}).encode()

    def __enter__(self) -> SlowTelnyx:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if not self.path.startswith("/v2/available_phone_numbers"):
                    self.send_error(404)
                    return
                fake.searches += 1
                time.sleep(fake.latency)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fake.body)))
                self.end_headers()
                self.wfile.write(fake.body)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/v2"
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
