"""The fake Telnyx account's number reservations (holds).

Shapes from Telnyx's v2 OpenAPI spec (`NumberReservation`, `ReservedPhoneNumber`) and its
SDKs (team-telnyx/telnyx-php `NumberReservation` with `actions/extend`):
- `POST /number_reservations {"phone_numbers": [{"phone_number"}], "customer_reference"}`
  answers the reservation: `id`, `record_type: "number_reservation"`, `status`
  (`pending` | `success` | `failure`), `customer_reference`, `created_at`, `updated_at`, and
  `phone_numbers`, each `{id, record_type: "reserved_phone_number", phone_number, status,
  created_at, updated_at, expired_at}`.
- A hold lasts 30 minutes; `POST /number_reservations/{id}/actions/extend` starts it again.
- A number not on offer, or held by another customer, cannot be reserved (a 422 about it:
  the exact code is not documented, so the fake uses the orders' shape, a pointer under
  `/phone_numbers`). Held numbers drop out of searches with `filter[exclude_held_numbers]`,
  and nobody else can order them while the hold lasts.
- "Not all phone numbers are reservable" (Telnyx's number-reservations guide): a search
  result says so in `reservable`. Each number of a reservation is attempted on its own, so
  one that is not reservable comes back in a 200 with its `status: "failure"` and the
  reservation's `errors` (a string, as `NumberReservation.errors` is typed in the SDKs).
- A reservation may answer `pending` (the spec's own example of `POST /number_reservations`
  is a pending one): it is not a hold yet. `GET /number_reservations/{id}` reads it again;
  `reservation_outcome()` scripts what each read says (`pending`, then `success` or
  `failure`), as `order_outcome()` does for orders.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.fakes.telnyx_shapes import error_body, now_text

HOLD_SECONDS = 30 * 60


class Reservations:
    """Holds of the fake account (a mixin of Account: it uses the account's state and lock)."""

    def init_reservations(self) -> None:
        self.reservations: dict[str, dict[str, Any]] = {}
        # Numbers another customer of Telnyx holds now: number -> when their hold ends.
        self.held_elsewhere: dict[str, float] = {}
        self.clock_offset = 0.0  # seconds added to the fake's clock, to let holds expire
        self._reservation_outcomes: dict[str, list[str]] = {}

    def reservation_outcome(self, phone_number: str, statuses: list[str]) -> None:
        """The next reservation of this number answers statuses[0]; each GET moves on one."""
        with self.lock:
            self._reservation_outcomes[phone_number] = list(statuses)

    def clock(self) -> float:
        return time.time() + self.clock_offset

    def hold_elsewhere(self, phone_number: str, seconds: float = HOLD_SECONDS) -> None:
        """Another Telnyx customer holds this number (we cannot reserve or order it)."""
        with self.lock:
            self.held_elsewhere[phone_number] = self.clock() + seconds

    def reserved_numbers(self, *, ours: bool | None = None) -> set[str]:
        """Numbers under a live hold: ours, others', or (None) anybody's."""
        now = self.clock()
        found: set[str] = set()
        if ours in (None, False):
            found |= {n for n, until in self.held_elsewhere.items() if until > now}
        if ours in (None, True):
            for reservation in self.reservations.values():
                for entry in reservation["phone_numbers"]:
                    if entry["status"] == "success" and entry["_until"] > now:
                        found.add(entry["phone_number"])
        return found

    def consume_hold(self, phone_number: str) -> None:
        """An order for a number we held ends the hold (the number is ours now)."""
        for reservation in self.reservations.values():
            for entry in reservation["phone_numbers"]:
                if entry["phone_number"] == phone_number:
                    entry["_until"] = 0.0

    def _create_reservation(self, body: Any) -> tuple[int, Any]:
        entries = body.get("phone_numbers") if isinstance(body, dict) else None
        if not entries or not all(isinstance(e, dict) and e.get("phone_number") for e in entries):
            return 400, error_body(400, "Missing parameter", "phone_numbers is required.")
        owned = {r["phone_number"] for r in self.owned.values() if r["status"] != "deleted"}
        offered = {i["phone_number"] for i in self.available} - owned
        others = self.reserved_numbers(ours=False)
        for index, entry in enumerate(entries):
            number = entry["phone_number"]
            if number not in offered or number in others:
                why = "is reserved by another customer" if number in others else "is not available"
                pointer = f"/phone_numbers/{index}/phone_number"
                return 422, error_body(
                    422, "Number not available", f"{number} {why}.", pointer=pointer
                )
        until = self.clock() + HOLD_SECONDS
        reservable = {i["phone_number"] for i in self.available if i.get("reservable")}
        numbers = []
        for entry in entries:
            number = entry["phone_number"]
            statuses = self._reservation_outcomes.pop(number, None) or ["success"]
            if number not in reservable:
                statuses = ["failure"]
            numbers.append(
                {
                    "id": str(uuid.uuid4()),
                    "record_type": "reserved_phone_number",
                    "phone_number": number,
                    "status": statuses[0],
                    "created_at": now_text(),
                    "updated_at": now_text(),
                    "expired_at": _text(until),
                    "_until": until,
                    "_next": statuses[1:],
                }
            )
        reservation = {
            "id": str(uuid.uuid4()),
            "record_type": "number_reservation",
            "status": "pending",
            "customer_reference": body.get("customer_reference"),
            "created_at": now_text(),
            "updated_at": now_text(),
            "phone_numbers": numbers,
        }
        _derive(reservation)
        failed = [e["phone_number"] for e in numbers if e["status"] == "failure"]
        if failed:
            reservation["errors"] = f"Number is not reservable: {', '.join(failed)}"
        self.reservations[reservation["id"]] = reservation
        return 200, {"data": reservation}

    def _advance_reservation(self, reservation: dict[str, Any]) -> dict[str, Any]:
        """A read of a reservation: each pending number moves on to its next scripted status."""
        for entry in reservation["phone_numbers"]:
            if entry["_next"]:
                entry["status"] = entry["_next"].pop(0)
                entry["updated_at"] = now_text()
        _derive(reservation)
        return reservation

    def _extend_reservation(self, reservation_id: str) -> tuple[int, Any]:
        reservation = self.reservations.get(reservation_id)
        if reservation is None:
            return 404, error_body(404)
        now = self.clock()
        for entry in reservation["phone_numbers"]:
            if entry["_until"] <= now:
                detail = f"The reservation of {entry['phone_number']} has expired."
                return 422, error_body(422, "Reservation expired", detail)
        for entry in reservation["phone_numbers"]:
            entry["_until"] = now + HOLD_SECONDS
            entry["expired_at"] = _text(entry["_until"])
        reservation["updated_at"] = now_text()
        return 200, {"data": reservation}


def _derive(reservation: dict[str, Any]) -> None:
    """The reservation's status from its numbers': pending while any is, else how they ended."""
    statuses = [entry["status"] for entry in reservation["phone_numbers"]]
    if "pending" in statuses:
        reservation["status"] = "pending"
    else:
        reservation["status"] = "success" if "success" in statuses else "failure"


def _text(moment: float) -> str:
    stamp = datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")
    return stamp.replace("+00:00", "Z")
