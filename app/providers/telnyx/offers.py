"""What the Telnyx account offers: searches, quotes, regulatory requirements and holds.

Shapes from Telnyx's v2 OpenAPI spec: `GET /available_phone_numbers` with bracketed filters
(`filter[phone_number][contains]` and the like; a filter without brackets is silently
ignored) answers `data` and `meta.total_results`; `POST /number_reservations` holds numbers
for 30 minutes, but only once the reservation (or its number) says `success`: `pending` is
read again with `GET /number_reservations/{id}`. A mixin of TelnyxProvider: it uses the
provider's `http`, `_refusal`, `poll_interval` and `hold_wait`.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import requests

from app.phone import TOLL_FREE
from app.providers.base import (
    AvailableNumber,
    Hold,
    Offered,
    ProviderError,
    ProviderHoldPending,
    ProviderNumberUnavailable,
    Requirement,
    SearchFilters,
)
from app.providers.telnyx import parse
from app.providers.telnyx.http import sentence

_QUICKSHIP_COUNTRIES = ("US", "CA")  # quickship is a +1 toll-free notion


class TelnyxOffers:
    # -- searching ---------------------------------------------------------------------

    def search_page(self, filters: SearchFilters) -> Offered:
        items, meta = self._search_items(filters)
        found: dict[str, AvailableNumber] = {}
        for number in map(parse.available, items):
            if number is not None:
                found.setdefault(number.phone_number, number)
        return Offered(list(found.values())[: filters.limit], parse.total_matching(meta))

    def _search_items(self, filters: SearchFilters) -> tuple[list[Any], Any]:
        # Built by hand: Telnyx silently ignores filters written without brackets.
        params = {
            "filter[country_code]": filters.country_code,
            "filter[phone_number_type]": filters.number_type.replace("-", "_"),
            "filter[limit]": str(filters.limit),
            # Not numbers another customer holds, and only numbers a hold can be put on.
            "filter[exclude_held_numbers]": "true",
        }
        optional = {
            "filter[national_destination_code]": filters.area_code,
            "filter[locality]": filters.locality,
            "filter[administrative_area]": filters.region,
            "filter[features]": ",".join(filters.features) or None,
            # Letters are sent as letters: Telnyx maps them itself (and fills vanity_format).
            "filter[phone_number][contains]": filters.contains,
            "filter[phone_number][starts_with]": filters.starts_with,
            "filter[phone_number][ends_with]": filters.ends_with,
        }
        params.update({key: value for key, value in optional.items() if value})
        if filters.number_type == TOLL_FREE and filters.country_code in _QUICKSHIP_COUNTRIES:
            # Toll-free numbers that are not quickship can take days to activate.
            params["filter[quickship]"] = "true"
        body = self.http.get("/available_phone_numbers", params)
        return self.http.items(body), body.get("meta")

    def quote(self, phone_number: str) -> AvailableNumber | None:
        return None  # Telnyx prices a number only in a search: the search's quote is kept

    def requirements(self, country_code: str, number_type: str) -> list[Requirement]:
        params = {
            "filter[country_code]": country_code,
            "filter[phone_number_type]": number_type.replace("-", "_"),
            "filter[action]": "ordering",
        }
        found: dict[str, Requirement] = {}
        for item in self.http.items(self.http.get("/requirements", params)):
            types = item.get("requirements_types") if isinstance(item, dict) else None
            for kind in types if isinstance(types, list) else []:
                if isinstance(kind, dict) and isinstance(kind.get("name"), str):
                    description = kind.get("description")
                    field = kind.get("type")
                    found.setdefault(
                        kind["name"],
                        Requirement(
                            kind["name"],
                            description if isinstance(description, str) else "",
                            str(kind.get("id") or ""),
                            field if field in ("document", "address", "textual") else "textual",
                        ),
                    )
        return list(found.values())

    # -- holding -----------------------------------------------------------------------

    def hold(self, phone_number: str, *, customer_reference: str) -> Hold:
        """A number reservation (30 minutes at Telnyx); sent once, like an order.

        Only a reservation Telnyx calls `success` is a hold: a `pending` one is read again for
        a moment (`hold_wait`), and if it is still pending the caller is told nothing is held.
        """
        payload = {
            "phone_numbers": [{"phone_number": phone_number}],
            "customer_reference": customer_reference,
        }
        try:
            response = self.http.send("POST", "/number_reservations", json=payload)
        except requests.RequestException as exc:
            raise self.http.transport_error(exc) from exc
        if not response.ok and response.status_code < 500:
            raise self._refusal(response, phone_number, "hold")
        return self._settled_hold(self.http.body(response).get("data"), phone_number, "hold")

    def extend_hold(self, hold_id: str | None, phone_number: str) -> Hold:
        """`POST /number_reservations/{id}/actions/extend`: another 30 minutes from now."""
        if not hold_id:
            return self.hold(phone_number, customer_reference="")
        path = f"/number_reservations/{quote(hold_id, safe='')}/actions/extend"
        try:
            response = self.http.send("POST", path)
        except requests.RequestException as exc:
            raise self.http.transport_error(exc) from exc
        if response.status_code in (404, 422):  # lapsed, or unknown to Telnyx
            raise ProviderNumberUnavailable(
                f"The hold on {phone_number} has ended at Telnyx; hold it again from a search."
            )
        return self._settled_hold(self.http.body(response).get("data"), phone_number, "extend")

    def _settled_hold(self, record: Any, phone_number: str, verb: str) -> Hold:
        """The hold once Telnyx says `success`; a pending reservation is re-read, briefly."""
        deadline = time.monotonic() + self.hold_wait
        status, found = parse.reservation(record, phone_number)
        while status == "pending" and time.monotonic() + self.poll_interval <= deadline:
            time.sleep(self.poll_interval)
            path = f"/number_reservations/{quote(str(record['id']), safe='')}"
            try:
                again = self.http.get(path, retries=0).get("data")
            except ProviderError:
                continue  # a failed read says nothing: the reservation is still pending
            status, found = parse.reservation(again, phone_number)
            record = again if isinstance(again, dict) and again.get("id") else record
        if found is not None:
            return found
        if status == "pending":
            raise ProviderHoldPending(
                f"Telnyx has not confirmed the hold on {phone_number} yet (its reservation is "
                "still pending), so it is not held: try again in a moment, or buy it now."
            )
        why = parse.reservation_errors(record)
        done = "hold" if verb == "hold" else "extend the hold on"
        raise ProviderNumberUnavailable(sentence(f"Telnyx could not {done} {phone_number}", why))
