"""Telnyx v2 numbers API behind the provider interface.

Orders have no idempotency key at Telnyx, so the order POST is sent once: when its answer is
lost, the order is looked up by its unique `customer_reference` instead, and when that finds
nothing in time the caller is told the outcome is unknown (it keeps the number and checks
later), never that nothing was bought.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests

from app.phone import TOLL_FREE, digits
from app.providers.base import (
    AvailableNumber,
    Hold,
    Offered,
    OrderResult,
    OwnedNumber,
    ProviderError,
    ProviderNumberUnavailable,
    ProviderTimeout,
    Requirement,
    SearchFilters,
)
from app.providers.telnyx import parse
from app.providers.telnyx.http import TelnyxHttp, nothing_sent, sentence

_UNAVAILABLE_WORDS = ("not available", "no longer available", "unavailable", "already")
_QUICKSHIP_COUNTRIES = ("US", "CA")  # quickship is a +1 toll-free notion


class TelnyxProvider:
    """A small, careful Telnyx client."""

    name = "telnyx"
    cache_searches = True  # a search is a network round trip: the service may cache it

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.telnyx.com/v2",
        *,
        order_wait: float = 3.0,
        poll_interval: float = 0.25,
        **http: Any,
    ):
        self.http = TelnyxHttp(api_key, base_url, **http)
        self.order_wait = order_wait
        self.poll_interval = poll_interval

    def close(self) -> None:
        self.http.close()

    # -- searching ---------------------------------------------------------------------

    def search(self, filters: SearchFilters) -> list[AvailableNumber]:
        return self.search_page(filters).numbers

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
                    found.setdefault(
                        kind["name"],
                        Requirement(
                            kind["name"], description if isinstance(description, str) else ""
                        ),
                    )
        return list(found.values())

    # -- holding -----------------------------------------------------------------------

    def hold(self, phone_number: str, *, customer_reference: str) -> Hold:
        """A number reservation (30 minutes at Telnyx); sent once, like an order."""
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
        reservation = self.http.body(response).get("data")
        found = parse.reservation(reservation, phone_number)
        if found is None:
            raise ProviderNumberUnavailable(f"Telnyx could not hold {phone_number}.")
        return found

    # -- ordering ----------------------------------------------------------------------

    def order(
        self, phone_number: str, *, connection_id: str | None, customer_reference: str
    ) -> OrderResult:
        payload: dict[str, Any] = {
            "phone_numbers": [{"phone_number": phone_number}],
            "customer_reference": customer_reference,
        }
        if connection_id is not None:
            payload["connection_id"] = connection_id
        try:
            response = self.http.send("POST", "/number_orders", json=payload)
        except requests.RequestException as exc:
            if nothing_sent(exc):
                raise self.http.transport_error(exc) from exc
            deadline = time.monotonic() + self.order_wait
            return self._recover(customer_reference, phone_number, deadline, timed_out=True)
        deadline = time.monotonic() + self.order_wait
        if not response.ok and response.status_code < 500:
            raise self._refusal(response, phone_number)  # a 4xx places nothing
        try:
            order = self._order(self.http.body(response))
        except ProviderError:
            # A 5xx or a garbled 2xx may still have placed the order: look for it.
            return self._recover(customer_reference, phone_number, deadline, timed_out=False)
        return self._wait(self._result(order, phone_number), phone_number, deadline)

    def check_order(self, order_id: str, phone_number: str) -> OrderResult:
        order = self._order(self.http.get(f"/number_orders/{quote(order_id, safe='')}"))
        return self._result(order, phone_number)

    def find_order(self, customer_reference: str, phone_number: str) -> OrderResult | None:
        return self._find_order(customer_reference, phone_number, retries=None)

    def order_result(self, order: dict[str, Any], phone_number: str) -> OrderResult:
        """An order as Telnyx sent it (in a webhook, say), mapped for one of its numbers."""
        return self._result(self._order({"data": order}), phone_number)

    # -- owning and releasing ----------------------------------------------------------

    def find_owned(self, phone_number: str) -> OwnedNumber | None:
        # Digits only: the spec says other characters in this filter match nothing.
        params = {"filter[phone_number]": digits(phone_number)}
        records = [parse.owned(r) for r in self.http.items(self.http.get("/phone_numbers", params))]
        mine = [
            r for r in records if r is not None and digits(r.phone_number) == digits(phone_number)
        ]
        order = {"active": 0, "pending": 1, "gone": 2}
        return min(mine, key=lambda r: order[r.status], default=None)

    def owned_numbers(self) -> Iterator[OwnedNumber]:
        for record in self.http.pages("/phone_numbers", {}):
            if (owned := parse.owned(record)) is not None:
                yield owned

    def release(self, provider_number_id: str) -> None:
        path = f"/phone_numbers/{quote(provider_number_id, safe='')}"
        try:
            response = self.http.send("DELETE", path)
        except requests.RequestException as exc:
            if nothing_sent(exc):
                raise self.http.transport_error(exc) from exc
            if self._gone(path):
                return
            raise ProviderTimeout(
                f"Telnyx did not confirm the release of number {provider_number_id} in time.",
                outcome_unknown=True,
            ) from exc
        if response.ok or response.status_code == 404:
            return
        if response.status_code >= 500:
            if self._gone(path):
                return
            raise ProviderError(
                sentence(
                    f"Telnyx failed while releasing (HTTP {response.status_code})",
                    self.http.detail(response),
                ),
                outcome_unknown=True,
            )
        raise self.http.failure(response)  # e.g. 403 while deletion_lock_enabled

    # -- inside ------------------------------------------------------------------------

    def _gone(self, path: str) -> bool:
        """Whether an owned number is deleted now (False when Telnyx cannot say)."""
        try:
            response = self.http.get_response(path)
            if response.status_code == 404:
                return True
            record = self.http.body(response)["data"]
        except ProviderError:
            return False
        return isinstance(record, dict) and parse.text(record.get("status")) == "deleted"

    def _refusal(
        self, response: requests.Response, phone_number: str, verb: str = "sell"
    ) -> ProviderError:
        """A 4xx to the order POST: the number is taken, or our configuration is wrong."""
        status, detail = response.status_code, self.http.detail(response)
        pointers = self.http.pointers(response)
        about_number = any(p.startswith("/phone_numbers") for p in pointers)
        words = any(w in detail.lower() for w in _UNAVAILABLE_WORDS)
        if (
            status in (404, 409)
            or about_number
            or (status in (400, 422) and not pointers and words)
        ):
            return ProviderNumberUnavailable(
                sentence(f"Telnyx cannot {verb} {phone_number}", detail)
            )
        if status in (400, 422):
            fields = ", ".join(p.strip("/") for p in pointers)
            where = f" ({fields})" if fields else ""
            return ProviderError(sentence(f"Telnyx refused the order{where}", detail))
        return self.http.failure(response)

    def _recover(
        self, ref: str, phone_number: str, deadline: float, *, timed_out: bool
    ) -> OrderResult:
        """After a lost answer: the order if Telnyx has it by the deadline, else unknown."""
        while True:
            try:
                found = self._find_order(ref, phone_number, retries=0)
            except ProviderError:
                found = None
            if found is not None:
                return self._wait(found, phone_number, deadline)
            if time.monotonic() + self.poll_interval > deadline:
                break
            time.sleep(self.poll_interval)
        error = ProviderTimeout if timed_out else ProviderError
        raise error(
            f"Telnyx did not confirm the order for {phone_number}; it may still complete.",
            outcome_unknown=True,
        )

    def _find_order(self, ref: str, phone_number: str, retries: int | None) -> OrderResult | None:
        params = {"filter[customer_reference]": ref}
        orders = self.http.items(self.http.get("/number_orders", params, retries))
        # Matched here too, in case Telnyx ever ignores the filter and lists every order.
        for order in orders:
            if (
                isinstance(order, dict)
                and order.get("customer_reference") == ref
                and order.get("id")
            ):
                # List items name their numbers but not each one's status: fetch the order.
                return self.check_order(str(order["id"]), phone_number)
        return None

    def _wait(self, result: OrderResult, phone_number: str, deadline: float) -> OrderResult:
        """Poll a pending order until the deadline (not one waiting for documents: days)."""
        while (
            result.status == "pending"
            and not result.documents_required
            and result.order_id
            and time.monotonic() + self.poll_interval <= deadline
        ):
            time.sleep(self.poll_interval)
            try:
                result = self.check_order(result.order_id, phone_number)
            except ProviderError:
                break  # the order exists: a failed look is "still pending", not a failure
        return result

    def _result(self, order: dict[str, Any], phone_number: str) -> OrderResult:
        order_id = str(order["id"])
        status, documents = parse.order_state(order, phone_number)
        if status == "failure":
            return OrderResult("failed", order_id, detail="Telnyx could not complete the order")
        if status == "success":
            try:
                owned = self.find_owned(phone_number)
            except ProviderError:
                owned = None  # the order exists: settle it on a later look
            if owned is not None and owned.status == "active":
                return OrderResult("active", order_id, owned.id)
        # Still pending, or done but the number not active on the account yet: ask again later.
        return OrderResult("pending", order_id, documents_required=documents)

    @staticmethod
    def _order(body: dict[str, Any]) -> dict[str, Any]:
        order = body.get("data")
        if not isinstance(order, dict) or not order.get("id"):
            raise ProviderError("Telnyx answered nonsense: an order without an id.")
        return order
