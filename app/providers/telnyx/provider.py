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

from app.phone import digits
from app.providers.base import (
    OrderResult,
    OwnedNumber,
    ProviderError,
    ProviderNumberUnavailable,
    ProviderTimeout,
)
from app.providers.telnyx import parse
from app.providers.telnyx.calls import TelnyxCalls
from app.providers.telnyx.http import TelnyxHttp, nothing_sent, sentence
from app.providers.telnyx.offers import TelnyxOffers
from app.providers.telnyx.regulation import TelnyxRegulation
from app.providers.telnyx.voice import TelnyxVoice

_UNAVAILABLE_WORDS = ("not available", "no longer available", "unavailable", "already")


class TelnyxProvider(TelnyxOffers, TelnyxRegulation, TelnyxVoice):
    """A small, careful Telnyx client."""

    name = "telnyx"
    cache_searches = True  # a search is a network round trip: the service may cache it
    skips_held_numbers = False  # Telnyx does not know what this platform holds

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.telnyx.com/v2",
        *,
        order_wait: float = 3.0,
        poll_interval: float = 0.25,
        hold_wait: float = 2.0,
        **http: Any,
    ):
        self.http = TelnyxHttp(api_key, base_url, **http)
        self.calls = TelnyxCalls(self.http)
        self.order_wait = order_wait
        self.poll_interval = poll_interval
        self.hold_wait = hold_wait  # how long a pending reservation is read again

    def close(self) -> None:
        self.http.close()

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
        deadline = self.deadline(order, phone_number) if documents else None
        return OrderResult("pending", order_id, documents_required=documents, deadline=deadline)

    @staticmethod
    def _order(body: dict[str, Any]) -> dict[str, Any]:
        order = body.get("data")
        if not isinstance(order, dict) or not order.get("id"):
            raise ProviderError("Telnyx answered nonsense: an order without an id.")
        return order
