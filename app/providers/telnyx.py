"""Telnyx v2 numbers API: search, order, settle, find and release phone numbers."""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import requests
from urllib3.exceptions import ConnectTimeoutError

from app.providers.base import (
    AvailableNumber,
    OrderResult,
    ProviderError,
    ProviderNumberUnavailable,
    ProviderTimeout,
    SearchFilters,
)

_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_FAILED = frozenset({"failure", "failed", "cancelled", "canceled", "deleted"})
_UNAVAILABLE_WORDS = re.compile(r"\b(?:not|no longer|un) ?available\b", re.IGNORECASE)
_CENT = Decimal("0.01")


def _nothing_sent(exc: requests.RequestException) -> bool:
    """Whether the request failed before any byte reached Telnyx (refused, connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # urllib3's NewConnectionError (refused, DNS) is a ConnectTimeoutError subclass.
    return isinstance(reason, ConnectTimeoutError)


def _money(value: Any) -> str:
    try:
        amount = Decimal(str(value or 0))
    except InvalidOperation:
        return "0.00"
    return str(amount.quantize(_CENT, rounding=ROUND_HALF_UP)) if amount.is_finite() else "0.00"


def _digits(phone_number: Any) -> str:
    return "".join(ch for ch in str(phone_number or "") if ch.isdigit())


def _lower(value: Any) -> str:
    return str(value or "").lower()


def _sentence(start: str, detail: str) -> str:
    return start + (f": {detail}." if detail else ".")


def _available(item: Any) -> AvailableNumber | None:
    """One search result, or None for best-effort matches and records without a number."""
    if not isinstance(item, dict) or _lower(item.get("best_effort")) == "true":
        return None
    number = item.get("phone_number")
    if not isinstance(number, str) or not number:
        return None
    cost = item.get("cost_information") if isinstance(item.get("cost_information"), dict) else {}
    names = [f.get("name") for f in item.get("features") or [] if isinstance(f, dict)]
    features = tuple(name for name in names if isinstance(name, str))
    return AvailableNumber(
        number, _money(cost.get("monthly_cost")), _money(cost.get("upfront_cost")), features
    )


class TelnyxProvider:
    """A small, careful Telnyx client: explicit timeouts, GET-only retries, no blind POSTs."""

    name = "telnyx"
    cache_searches = True  # a search is a network round trip: the service may cache it
    # Longest total sleep between one GET's retries, whatever the rate-limit headers ask.
    max_backoff_total = 1.0

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.telnyx.com/v2",
        *,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        order_wait: float = 3.0,
        poll_interval: float = 0.25,
        max_get_retries: int = 2,
        session: requests.Session | None = None,
    ):
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._timeout = (connect_timeout, read_timeout)
        self.order_wait = order_wait
        self.poll_interval = poll_interval
        self.max_get_retries = max_get_retries
        self._session = session or requests.Session()
        # Sent per request rather than set on the session, which may be the caller's.
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": "phonenumbers-desk/0.1 (+python-requests)",
        }

    def close(self) -> None:
        self._session.close()

    def search(self, filters: SearchFilters) -> list[AvailableNumber]:
        # Built by hand: Telnyx silently ignores filters written without brackets.
        params = {
            "filter[country_code]": filters.country_code,
            "filter[phone_number_type]": filters.number_type.replace("-", "_"),
            "filter[limit]": str(filters.limit),
        }
        if filters.area_code:
            params["filter[national_destination_code]"] = filters.area_code
        items = self._list(self._get("/available_phone_numbers", params))
        found = [number for number in map(_available, items) if number is not None]
        return found[: filters.limit]

    def order(
        self, phone_number: str, *, connection_id: str | None, customer_reference: str
    ) -> OrderResult:
        payload: dict[str, Any] = {
            "phone_numbers": [{"phone_number": phone_number}],
            "customer_reference": customer_reference,
        }
        if connection_id is not None:
            payload["connection_id"] = connection_id
        # Orders have no idempotency key, so this POST is sent once; on any doubt about
        # whether it went through we look the order up by customer_reference instead.
        try:
            response = self._send("POST", "/number_orders", json=payload)
        except requests.RequestException as exc:
            if _nothing_sent(exc):
                raise self._transport_error(exc) from exc
            deadline = time.monotonic() + self.order_wait
            order = self._find_order(customer_reference, deadline)
            if order is None:
                message = f"Telnyx did not confirm the order for {phone_number} in time."
                raise ProviderTimeout(message) from exc
        else:
            deadline = time.monotonic() + self.order_wait
            order = self._placed_order(response, phone_number, customer_reference)
        return self._settle(order, phone_number, deadline)

    def check_order(self, order_id: str, phone_number: str) -> OrderResult:
        order = self._order_by_id(order_id)
        return self._settle(order, phone_number, deadline=0.0)

    def find_owned(self, phone_number: str) -> str | None:
        digits = _digits(phone_number)
        # Whether Telnyx accepts the "+" in this filter is unconfirmed: try both spellings.
        for spelling in (f"+{digits}", digits):
            records = self._list(self._get("/phone_numbers", {"filter[phone_number]": spelling}))
            for record in records:
                if (
                    isinstance(record, dict)
                    and _digits(record.get("phone_number")) == digits
                    and _lower(record.get("status")) != "deleted"
                    and record.get("id")
                ):
                    return str(record["id"])
        return None

    def release(self, provider_number_id: str) -> None:
        path = f"/phone_numbers/{quote(provider_number_id, safe='')}"
        try:
            response = self._send("DELETE", path)
        except requests.RequestException as exc:
            if _nothing_sent(exc):
                raise self._transport_error(exc) from exc
            # The DELETE may have been applied: ask before calling it a failure.
            try:
                check = self._get_response(path)
                if check.status_code == 404:
                    return
                record = self._body(check)["data"]
            except ProviderError:
                record = None
            if isinstance(record, dict) and _lower(record.get("status")) == "deleted":
                return
            raise ProviderTimeout(
                f"Telnyx did not confirm the release of number {provider_number_id} in time."
            ) from exc
        if response.status_code != 404 and not response.ok:
            self._body(response)  # raises the mapped error

    def _placed_order(
        self, response: requests.Response, phone_number: str, customer_reference: str
    ) -> dict[str, Any]:
        status, detail = response.status_code, self._detail(response)
        if status in (409, 422) or (status == 400 and _UNAVAILABLE_WORDS.search(detail)):
            raise ProviderNumberUnavailable(_sentence(f"Telnyx cannot sell {phone_number}", detail))
        try:
            return self._order(self._body(response))
        except ProviderError:
            # A 5xx or a garbled 2xx may still have placed the order: look once.
            maybe_placed = status >= 500 or response.ok
            found = self._find_order(customer_reference, 0.0) if maybe_placed else None
            if found is None:
                raise
            return found

    def _find_order(self, ref: str, deadline: float) -> dict[str, Any] | None:
        """The order placed with this customer reference, polling until deadline for it."""
        while True:
            try:
                # This loop is the retry: one attempt each, so a hung Telnyx cannot stretch it.
                orders = self._list(
                    self._get("/number_orders", {"filter[customer_reference]": ref}, 0)
                )
            except ProviderError:
                orders = []
            # Matched here too, in case Telnyx ever ignores the filter and lists every order.
            for order in orders:
                if isinstance(order, dict) and order.get("customer_reference") == ref:
                    return self._order({"data": order})
            if time.monotonic() + self.poll_interval > deadline:
                return None
            time.sleep(self.poll_interval)

    def _settle(self, order: dict[str, Any], phone_number: str, deadline: float) -> OrderResult:
        """Polls a pending order until deadline, then maps it to an OrderResult."""
        order_id = str(order["id"])
        status = self._status(order, phone_number)
        while status == "pending" and time.monotonic() + self.poll_interval <= deadline:
            time.sleep(self.poll_interval)
            order = self._order_by_id(order_id)
            status = self._status(order, phone_number)
        if status == "failure":
            message = f"Telnyx could not complete the order for {phone_number}."
            raise ProviderNumberUnavailable(message)
        if status == "success":
            owned_id = self.find_owned(phone_number)
            if owned_id is not None:
                return OrderResult("active", provider_number_id=owned_id, order_id=order_id)
        # Still pending, or done but the number not listed yet: the caller checks again later.
        return OrderResult("pending", order_id=order_id)

    @staticmethod
    def _status(order: dict[str, Any], phone_number: str) -> str:
        """Success, failure or pending for this number, from the order's free-text statuses."""
        entries = order.get("phone_numbers")
        statuses = [_lower(order.get("status"))] + [
            _lower(entry.get("status"))
            for entry in (entries if isinstance(entries, list) else [])
            if isinstance(entry, dict)
            and _digits(entry.get("phone_number")) == _digits(phone_number)
        ]
        if any(status in _FAILED for status in statuses):
            return "failure"
        return "success" if "success" in statuses else "pending"

    def _order_by_id(self, order_id: str) -> dict[str, Any]:
        return self._order(self._get(f"/number_orders/{quote(order_id, safe='')}"))

    def _order(self, body: dict[str, Any]) -> dict[str, Any]:
        order = body.get("data")
        if not isinstance(order, dict) or not order.get("id"):
            raise ProviderError("Telnyx answered nonsense: an order without an id.")
        return order

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self._session.request(
            method, self._base_url + path, headers=self._headers, timeout=self._timeout, **kwargs
        )

    def _get(self, path: str, params: dict | None = None, retries: int | None = None) -> dict:
        return self._body(self._get_response(path, params, retries))

    def _get_response(
        self, path: str, params: dict[str, str] | None = None, retries: int | None = None
    ) -> requests.Response:
        """A GET, retried on transient failures with a short, capped backoff."""
        slept = 0.0
        for attempt in itertools.count():
            last = attempt >= (self.max_get_retries if retries is None else retries)
            wait = 0.1 * 2**attempt
            try:
                response = self._send("GET", path, params=params)
            except requests.RequestException as exc:
                if last:
                    raise self._transport_error(exc) from exc
            else:
                if last or response.status_code not in _RETRYABLE_STATUSES:
                    return response
                asked = response.headers.get(
                    "Retry-After", response.headers.get("x-ratelimit-reset")
                )
                with contextlib.suppress(TypeError, ValueError):
                    wait = float(asked)  # type: ignore[arg-type]
            wait = max(0.0, min(wait, self.max_backoff_total - slept))
            time.sleep(wait)
            slept += wait
        raise AssertionError("unreachable")

    def _body(self, response: requests.Response) -> dict[str, Any]:
        """The decoded JSON body of a 2xx answer; any other answer raises the mapped error."""
        status = response.status_code
        if status in (401, 403):
            raise ProviderError(f"Telnyx rejected the API key (HTTP {status}).")
        if status == 429:
            raise ProviderError("Telnyx rate limited our requests; try again in a moment.")
        if not response.ok:
            raise ProviderError(_sentence(f"Telnyx answered HTTP {status}", self._detail(response)))
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "data" not in body:
            raise ProviderError("Telnyx answered nonsense instead of the expected JSON.")
        return body

    @staticmethod
    def _list(body: dict[str, Any]) -> list[Any]:
        if not isinstance(body["data"], list):
            raise ProviderError("Telnyx answered nonsense: a list was expected.")
        return body["data"]

    def _detail(self, response: requests.Response) -> str:
        """Telnyx's first error detail (or title), short and without our key."""
        try:
            error = response.json()["errors"][0]
            text = str(error.get("detail") or error.get("title") or "")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return ""
        text = " ".join(text.split())[:200].rstrip(".")
        return text.replace(self._api_key, "[key]") if self._api_key else text

    def _transport_error(self, exc: requests.RequestException) -> ProviderError:
        if isinstance(exc, requests.Timeout):
            return ProviderTimeout("Telnyx did not answer in time.")
        if _nothing_sent(exc):
            return ProviderError("Could not connect to Telnyx.")
        return ProviderError("The connection to Telnyx failed before it answered.")
