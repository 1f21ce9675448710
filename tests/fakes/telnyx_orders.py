"""The fake Telnyx account's number orders: placing, advancing and completing them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.telnyx_shapes import error_body, field, now_text, public


class Orders:
    """Orders of the fake account (a mixin of Account: it uses the account's state)."""

    def order_outcome(self, phone_number: str, statuses: Sequence[str]) -> None:
        """The next order of this number answers statuses[0]; each GET of it moves on one."""
        with self.lock:
            self._outcomes[phone_number] = list(statuses)

    def complete_order(self, order_id: str, status: str = "success") -> None:
        """Settles (or re-opens) an order now, as Telnyx would in the background."""
        with self.lock:
            order = self.orders[order_id]
            for entry in order["phone_numbers"]:
                entry["status"], entry["_next"] = status, []
            self._apply(order)

    set_order_status = complete_order

    def order_event(self, order: dict[str, Any]) -> dict[str, Any]:
        """A number_order.complete webhook event for this order."""
        return {
            "data": {
                "event_type": "number_order.complete",
                "id": str(uuid.uuid4()),
                "occurred_at": now_text(),
                "record_type": "event",
                "payload": public(order),
            },
            "meta": {"attempt": 1},
        }

    def order_completed(self, order: dict[str, Any]) -> None:
        """Hook: the server delivers the webhook."""

    def _create_order(self, body: Any) -> tuple[int, Any]:
        entries = body.get("phone_numbers") if isinstance(body, dict) else None
        if not entries or not all(isinstance(e, dict) and e.get("phone_number") for e in entries):
            return 400, error_body(400, "Missing parameter", "phone_numbers is required.")
        connection = body.get("connection_id")
        if connection is not None and connection not in self.connections:
            detail = f"Connection {connection} does not exist on this account."
            return 422, error_body(422, "Invalid value", detail, pointer="/connection_id")
        profile = body.get("messaging_profile_id")
        if profile is not None and profile not in self.messaging_profiles:
            detail = f"Messaging profile {profile} does not exist on this account."
            return 422, error_body(422, "Invalid value", detail, pointer="/messaging_profile_id")
        taken = {r["phone_number"] for r in self.owned.values() if r["status"] != "deleted"}
        taken |= self.reserved_numbers(ours=False)  # another customer's hold
        offered = {i["phone_number"]: i for i in self.available if i["phone_number"] not in taken}
        for index, entry in enumerate(entries):
            if entry["phone_number"] not in offered:
                detail = f"{entry['phone_number']} is not available for ordering."
                pointer = f"/phone_numbers/{index}/phone_number"
                return 422, error_body(422, "Number not available", detail, pointer=pointer)
        order = {
            "id": str(uuid.uuid4()),
            "record_type": "number_order",
            "status": "pending",
            "customer_reference": body.get("customer_reference"),
            "connection_id": connection,
            "messaging_profile_id": profile,
            "phone_numbers_count": len(entries),
            "requirements_met": True,
            "created_at": now_text(),
            "updated_at": now_text(),
            "phone_numbers": [],
        }
        sub_order_id = str(uuid.uuid4())  # one per country and type: one here
        order["sub_number_orders_ids"] = [sub_order_id]
        for entry in entries:
            item = offered[entry["phone_number"]]
            self.available.remove(item)
            self.consume_hold(entry["phone_number"])
            regulated = (field(item, "country_code"), item["phone_number_type"]) in self.regulated
            statuses = self._outcomes.pop(entry["phone_number"], None) or (
                ["pending"] if self.hold_orders or regulated else ["pending", "success"]
            )
            deadline = datetime.now(UTC) + timedelta(days=self.documents_days)
            order["phone_numbers"].append(
                {
                    "id": str(uuid.uuid4()),
                    "record_type": "number_order_phone_number",
                    "phone_number": entry["phone_number"],
                    "status": statuses[0],
                    "requirements_met": not regulated,
                    "requirements_status": "requirement-info-pending" if regulated else "approved",
                    "regulatory_requirements": [],
                    "country_code": field(item, "country_code"),
                    "phone_number_type": item["phone_number_type"],
                    "sub_number_order_id": sub_order_id,
                    "order_request_id": order["id"],
                    "deadline": deadline.isoformat(timespec="seconds").replace("+00:00", "Z"),
                    "_next": statuses[1:],
                    "_type": item["phone_number_type"],
                }
            )
        order["requirements_met"] = all(e["requirements_met"] for e in order["phone_numbers"])
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
        """Derives the order's status from its numbers; a number's outcome shows on the account."""
        before = order["status"]
        for entry in order["phone_numbers"]:
            if entry["status"] in ("success", "failure") and not entry.get("_applied"):
                entry["_applied"] = True
                if entry["status"] == "success" or self.failed_orders_leave_records:
                    record = self._own(
                        entry["phone_number"], order["connection_id"], order["customer_reference"]
                    )
                    record["phone_number_type"] = entry["_type"]
                    if entry["status"] == "failure":
                        record["status"] = "purchase-failed"
        statuses = [entry["status"] for entry in order["phone_numbers"]]
        if "pending" in statuses:
            order["status"] = "pending"
        else:
            order["status"] = "failure" if "failure" in statuses else "success"
        order["updated_at"] = now_text()
        if before == "pending" and order["status"] != "pending":
            self.order_completed(order)
