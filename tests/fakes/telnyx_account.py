"""The fake Telnyx account's state and endpoints (see tests/fakes/telnyx.py for the sources)."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import phonenumbers

from tests.fakes.telnyx_calls import Calls
from tests.fakes.telnyx_orders import Orders
from tests.fakes.telnyx_regulation import REGULATED, Regulation
from tests.fakes.telnyx_reservations import Reservations
from tests.fakes.telnyx_search import Search
from tests.fakes.telnyx_shapes import digits, error_body, now_text
from tests.fakes.telnyx_voice import Voice

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 250
RATE_LIMIT, RATE_WINDOW = 200, 60


class Account(Orders, Regulation, Reservations, Search, Calls, Voice):
    """A Telnyx account: numbers on offer, orders, owned numbers, and how they change."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.available: list[dict[str, Any]] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.owned: dict[str, dict[str, Any]] = {}
        # The account's SIP connections and messaging profiles: orders naming others are 422.
        self.connections = {"conn-1", "conn-default", "conn-body"}
        self.messaging_profiles: set[str] = set()
        self.regulated = dict(REGULATED)
        self.hold_orders = False  # orders stay pending until complete_order()
        self.failed_orders_leave_records = True  # a failed order's number reads purchase-failed
        self._outcomes: dict[str, list[str]] = {}
        self._ids = itertools.count(1293384261075731499)
        self._window: tuple[int, int] = (0, 0)  # (window start, requests in it)
        self.init_reservations()
        self.init_calls()
        self.init_regulation()

    # -- state helpers -----------------------------------------------------------------

    def add_available(
        self,
        phone_number: str,
        monthly: str | None = "1.00",
        upfront: str | None = "1.00",
        features: Iterable[str] = ("voice", "sms"),
        best_effort: bool = False,
        *,
        number_type: str | None = None,
        country_code: str | None = None,
        currency: str | None = "USD",
        quickship: bool = True,
        locality: str | None = None,
        state: str | None = None,
        reservable: bool = True,
    ) -> dict[str, Any]:
        """Offers a number; country, area code and type come from phonenumbers unless given.

        `locality` is its rate center (Telnyx writes them in capitals), `state` its state code.
        `reservable` False: Telnyx will sell it but not hold it (a reservation of it fails).
        """
        parsed = phonenumbers.parse(phone_number)
        if number_type is None:
            toll_free = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE
            number_type = "toll_free" if toll_free else "local"
        national = phonenumbers.national_significant_number(parsed)
        ndc_length = phonenumbers.length_of_national_destination_code(parsed) or 3
        country = country_code or phonenumbers.region_code_for_number(parsed) or "US"
        cost = {"upfront_cost": upfront, "monthly_cost": monthly, "currency": currency}
        regions = [{"region_type": "country_code", "region_name": country}]
        if locality:
            regions.append({"region_type": "rate_center", "region_name": locality.upper()})
        if state:
            regions.append({"region_type": "state", "region_name": state})
        item = {
            "record_type": "available_phone_number",
            "phone_number": phone_number,
            "phone_number_type": number_type,
            "national_destination_code": national[:ndc_length],
            "best_effort": best_effort,
            "quickship": quickship,
            "reservable": reservable,
            "vanity_format": None,
            "region_information": regions,
            "cost_information": {k: v for k, v in cost.items() if v is not None},
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

    def rate_limit_headers(self) -> dict[str, str]:
        with self.lock:
            now = int(time.time())
            start, count = self._window
            if now - start >= RATE_WINDOW:
                start, count = now, 0
            self._window = (start, count + 1)
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(max(0, RATE_LIMIT - count - 1)),
            "x-ratelimit-reset": str(start + RATE_WINDOW - now),
        }

    # -- the API -----------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")  # ["v2", resource, id?]
        if parts[0] == "v2" and parts[1:2] == ["number_reservations"] and method == "POST":
            with self.lock:
                if len(parts) == 2:
                    return self._create_reservation(body)
                if len(parts) == 5 and parts[3:] == ["actions", "extend"]:
                    return self._extend_reservation(parts[2])
        if parts[0] == "v2" and len(parts) == 4:
            with self.lock:
                if parts[1] == "phone_numbers" and parts[3] == "voice":
                    return self.handle_voice(method, unquote(parts[2]), body)
                if (method, parts[1], parts[3]) == (
                    "POST",
                    "number_order_phone_numbers",
                    "requirement_group",
                ):
                    return self._apply_requirement_group(parts[2], body)
                if (method, parts[1], parts[3]) == ("PATCH", "sub_number_orders", "cancel"):
                    return self._cancel_sub_order(parts[2])
        if parts[0] == "v2" and len(parts) > 1:
            with self.lock:
                answer = self.handle_calls(method, [unquote(p) for p in parts[1:]], body)
            if answer is not None:
                return answer
        if parts[0] != "v2" or len(parts) > 3:
            return 404, error_body(404)
        route = (method, parts[1] if len(parts) > 1 else "", "{id}" if len(parts) == 3 else "")
        with self.lock:
            if route == ("GET", "available_phone_numbers", ""):
                return self._search(query)
            if route == ("GET", "requirements", ""):
                return 200, self._requirements(query)
            if route == ("POST", "documents", ""):
                return self._upload_document(body)
            if route == ("POST", "addresses", ""):
                return self._create_address(body)
            if route == ("POST", "requirement_groups", ""):
                return self._create_requirement_group(body)
            if route == ("GET", "number_order_phone_numbers", "{id}"):
                item = self.order_items().get(parts[2])
                return (200, {"data": item}) if item else (404, error_body(404))
            if route == ("POST", "number_orders", ""):
                return self._create_order(body)
            if route == ("GET", "number_orders", ""):
                ref = query.get("filter[customer_reference]")
                found = [
                    o for o in self.orders.values() if ref is None or o["customer_reference"] == ref
                ]
                return self._page([_listed(o) for o in found], query)
            if route == ("GET", "number_orders", "{id}") and parts[2] in self.orders:
                return 200, {"data": self._advance(self.orders[parts[2]])}
            if route == ("GET", "phone_numbers", ""):
                return self._page(self._owned_matching(query), query)
            if route == ("GET", "phone_numbers", "{id}") and parts[2] in self.owned:
                return 200, {"data": self.owned[parts[2]]}
            if route == ("GET", "number_reservations", "{id}") and parts[2] in self.reservations:
                return 200, {"data": self._advance_reservation(self.reservations[parts[2]])}
            if route == ("DELETE", "phone_numbers", "{id}") and parts[2] in self.owned:
                return self._delete(self.owned[parts[2]])
        return 404, error_body(404)

    def _requirements(self, query: dict[str, str]) -> dict[str, Any]:
        key = (query.get("filter[country_code]"), query.get("filter[phone_number_type]"))
        types = self.regulated.get(key, [])
        data = []
        if types:
            data.append(
                {
                    "record_type": "requirement",
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, repr(key))),
                    "country_code": key[0],
                    "phone_number_type": key[1],
                    "action": "ordering",
                    "requirements_types": types,
                }
            )
        return {"data": data, "meta": {"total_results": len(data)}}

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
            "purchased_at": now_text(),
            "deletion_lock_enabled": False,
        }
        return self.owned[record_id]

    def _delete(self, record: dict[str, Any]) -> tuple[int, Any]:
        if record.get("deletion_lock_enabled"):
            detail = "Deletion lock is enabled for this number; disable it before deleting."
            return 403, error_body(403, detail=detail)
        record["status"] = "deleted"
        return 200, {"data": record}

    def _owned_matching(self, query: dict[str, str]) -> list[dict[str, Any]]:
        records = list(self.owned.values())
        if (wanted := query.get("filter[phone_number]")) is not None:
            if not wanted.isdigit():  # the spec: non-digit characters match nothing
                return []
            records = [r for r in records if wanted in digits(r["phone_number"])]  # a partial match
        if (status := query.get("filter[status]")) is not None:
            records = [r for r in records if r["status"] == status]
        return records

    def _page(self, records: list[dict[str, Any]], query: dict[str, str]) -> tuple[int, Any]:
        try:
            number = int(query.get("page[number]", "1"))
            size = int(query.get("page[size]", str(DEFAULT_PAGE_SIZE)))
        except ValueError:
            number = size = 0
        if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            detail = f"page[size] must be 1 to {MAX_PAGE_SIZE} and page[number] at least 1."
            return 400, error_body(400, detail=detail, parameter="page")
        total_pages = max(1, -(-len(records) // size))
        meta = {
            "page_number": number,
            "page_size": size,
            "total_pages": total_pages,
            "total_results": len(records),
        }
        return 200, {"data": records[(number - 1) * size : number * size], "meta": meta}


def _listed(order: dict[str, Any]) -> dict[str, Any]:
    """An order as the list shows it: its numbers named, not their statuses."""
    entries = [{"id": e["id"], "phone_number": e["phone_number"]} for e in order["phone_numbers"]]
    return {**order, "phone_numbers": entries}
