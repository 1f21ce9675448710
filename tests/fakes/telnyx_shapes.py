"""Shapes shared by the fake Telnyx modules: error bodies, timestamps, record fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_TITLES = {
    400: ("10015", "Bad request"),
    401: ("10009", "Authentication failed"),
    403: ("10010", "Authorization failed"),
    404: ("10005", "Resource not found"),
    409: ("10015", "Conflict"),
    422: ("10015", "Unprocessable entity"),
    429: ("10011", "Too many requests"),
}


def error_body(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
) -> dict:
    """A Telnyx error body: {"errors": [{"code", "title", "detail", "source"?}]}."""
    code, default_title = _TITLES.get(status, ("10007", "Unexpected error"))
    title = title or default_title
    error: dict[str, Any] = {"code": code, "title": title, "detail": detail or f"{title}."}
    if pointer or parameter:
        error["source"] = {"pointer": pointer} if pointer else {"parameter": parameter}
    return {"errors": [error]}


def public(value: Any) -> Any:
    """A copy without the fake's bookkeeping keys (those starting with "_")."""
    if isinstance(value, dict):
        return {k: public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [public(v) for v in value]
    return value


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def field(item: dict[str, Any], key: str) -> Any:
    if key == "country_code":
        regions = item.get("region_information") or []
        return next((r["region_name"] for r in regions if r["region_type"] == "country_code"), None)
    return item.get(key)
