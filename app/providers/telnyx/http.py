"""Talking to Telnyx over HTTP: explicit timeouts, GET-only retries, Telnyx's errors in words.

Shapes from Telnyx's published API (the v2 OpenAPI spec and its docs): error bodies are
`{"errors": [{"code", "title", "detail", "source": {"pointer"}}]}`; 429 answers carry
`x-ratelimit-reset` (seconds), which is a wait hint for a 429 only; lists page with
`page[number]` / `page[size]` and say `meta.total_pages`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from collections.abc import Iterator
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError

from app.providers.base import ProviderError, ProviderTimeout

log = logging.getLogger(__name__)

RETRYABLE = frozenset({429, 500, 502, 503, 504})
PAGE_SIZE = 250  # the most Telnyx lists in one page


def nothing_sent(exc: requests.RequestException) -> bool:
    """Whether the request failed before any byte reached Telnyx (refused, connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # urllib3's NewConnectionError (refused, DNS) is a ConnectTimeoutError subclass.
    return isinstance(reason, ConnectTimeoutError)


def sentence(start: str, detail: str) -> str:
    return start + (f": {detail}." if detail else ".")


class TelnyxHttp:
    """One Telnyx account's HTTP session."""

    # Longest total sleep between one GET's retries, whatever the rate-limit headers ask.
    max_backoff_total = 1.0

    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        max_get_retries: int = 2,
        session: requests.Session | None = None,
    ):
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
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

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request, no retry; transport failures are raised as requests exceptions."""
        return self._session.request(
            method, self._base_url + path, headers=self._headers, timeout=self.timeout, **kwargs
        )

    def get(self, path: str, params: dict | None = None, retries: int | None = None) -> dict:
        return self.body(self.get_response(path, params, retries))

    def get_response(
        self, path: str, params: dict[str, str] | None = None, retries: int | None = None
    ) -> requests.Response:
        """A GET, retried on transient failures with a short, capped backoff."""
        slept = 0.0
        for attempt in itertools.count():
            last = attempt >= (self.max_get_retries if retries is None else retries)
            wait = 0.1 * 2**attempt
            try:
                response = self.send("GET", path, params=params)
            except requests.RequestException as exc:
                if last:
                    raise self.transport_error(exc) from exc
            else:
                if last or response.status_code not in RETRYABLE:
                    return response
                if response.status_code == 429:  # the reset header is a 429 hint only
                    with contextlib.suppress(TypeError, ValueError):
                        wait = float(response.headers.get("x-ratelimit-reset"))  # type: ignore[arg-type]
            wait = max(0.0, min(wait, self.max_backoff_total - slept))
            time.sleep(wait)
            slept += wait
        raise RuntimeError("unreachable")

    def pages(self, path: str, params: dict[str, str]) -> Iterator[Any]:
        """Every item of a paged list, page by page."""
        for number in itertools.count(1):
            body = self.get(
                path, {**params, "page[number]": str(number), "page[size]": str(PAGE_SIZE)}
            )
            items = self.items(body)
            yield from items
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            total = meta.get("total_pages")
            if not items or not isinstance(total, int) or number >= total:
                return

    def body(self, response: requests.Response) -> dict[str, Any]:
        """The decoded JSON body of a 2xx answer; any other answer raises the mapped error."""
        if not response.ok:
            raise self.failure(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "data" not in body:
            raise ProviderError("Telnyx answered nonsense instead of the expected JSON.")
        return body

    @staticmethod
    def items(body: dict[str, Any]) -> list[Any]:
        if not isinstance(body.get("data"), list):
            raise ProviderError("Telnyx answered nonsense: a list was expected.")
        return body["data"]

    def failure(self, response: requests.Response) -> ProviderError:
        """A non-2xx answer in words, with Telnyx's own detail (never our key)."""
        status, detail = response.status_code, self.detail(response)
        if status == 401:
            # The fix is the operator's (the key in TELNYX_API_KEY): the log says so; the
            # customer, who sees this sentence, is only told what failed.
            log.error("Telnyx rejected the API key (HTTP 401): check TELNYX_API_KEY.")
            return ProviderError("Telnyx rejected our credentials (HTTP 401).")
        if status == 403:
            return ProviderError(sentence("Telnyx refused this request (HTTP 403)", detail))
        if status == 429:
            return ProviderError("Telnyx is rate limiting our requests; try again in a moment.")
        return ProviderError(sentence(f"Telnyx answered HTTP {status}", detail))

    def errors(self, response: requests.Response) -> list[dict[str, Any]]:
        try:
            errors = response.json()["errors"]
        except (ValueError, KeyError, TypeError):
            return []
        return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []

    def detail(self, response: requests.Response) -> str:
        """Telnyx's first error detail (or title), short and without our key."""
        errors = self.errors(response)
        text = str(errors[0].get("detail") or errors[0].get("title") or "") if errors else ""
        text = " ".join(text.split())[:200].rstrip(".")
        return text.replace(self._api_key, "[key]") if self._api_key else text

    def pointers(self, response: requests.Response) -> list[str]:
        """The JSON pointers of the fields Telnyx's errors are about."""
        found = []
        for error in self.errors(response):
            source = error.get("source")
            if isinstance(source, dict) and isinstance(source.get("pointer"), str):
                found.append(source["pointer"])
        return found

    def transport_error(self, exc: requests.RequestException) -> ProviderError:
        if isinstance(exc, requests.Timeout):
            return ProviderTimeout("Telnyx did not answer in time.")
        if nothing_sent(exc):
            return ProviderError("Could not connect to Telnyx.")
        return ProviderError("The connection to Telnyx failed before it answered.")
