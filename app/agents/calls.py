"""One MCP tool call: who calls (an API token), what it may do (its scopes, then the role in
the team, as the API checks them), the API's rate limits, and refusals as tool errors in the
API's own codes and words.

Every call runs in a Flask request context carrying `Authorization: Bearer <token>`: over
HTTP it is the /mcp request itself (app.agents.http runs the SDK in that request's thread);
over stdio a fresh one per call, with the token `flask mcp` was given (app.agents.stdio). So
app.api.auth.token_holder, the rate limiter and the services see what an API call shows them,
and a token revoked while a stdio server runs stops working at its next call.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import current_app, has_request_context
from flask_limiter.errors import RateLimitExceeded
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent

from app.accounts.scopes import Scope
from app.accounts.tokens import TokenHolder
from app.api.auth import token_holder
from app.api.envelope import error_body
from app.exceptions import ServiceError, Unauthorized, ValidationFailed
from app.extensions import db
from app.ratelimit import api_search_limit, limiter, purchase_limit

# The token a stdio server acts with (set by `flask mcp`, read from the environment).
STDIO_TOKEN: ContextVar[str | None] = ContextVar("mcp_stdio_token", default=None)

Answer = dict[str, Any]


@api_search_limit
def _search_budget() -> None:
    """Spend one search from the user's search budget (the API's search shares it)."""


@purchase_limit
def _purchase_budget() -> None:
    """Spend one from the user's purchase budget (the API and the Buy button share it)."""


# Which budget a tool spends, as its API operation does (a hold asks the provider too).
BUDGETS: dict[str, Callable[[], None]] = {
    "search_numbers": _search_budget,
    "quote": _search_budget,
    "hold_number": _purchase_budget,
    "buy_number": _purchase_budget,
}


def run_tool(
    ctx: Context,
    name: str,
    scope: Scope,
    action: Callable[..., Answer],
    **arguments: Any,
) -> Answer | CallToolResult:
    """Run `action(holder, **arguments)` for the calling token, or answer why not."""
    with _request_context():
        try:
            _refuse_unknown(name, _raw_arguments(ctx), set(arguments))
            holder = _holder()
            holder.require(scope)
            if budget := BUDGETS.get(name):
                budget()
            return action(holder, **arguments)
        except ServiceError as error:
            db.session.rollback()
            return tool_error(error_body(error))
        except RateLimitExceeded as error:
            return tool_error(_rate_limited(error))


def tool_error(body: Answer) -> CallToolResult:
    """A refusal as an MCP tool error: the API's error envelope, as text and structured."""
    text = json.dumps(body, ensure_ascii=False)
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=body, is_error=True
    )


@contextmanager
def _request_context() -> Iterator[None]:
    if has_request_context():  # over HTTP: the /mcp request
        yield
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    token = STDIO_TOKEN.get()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # A fresh app context too: its own `g` (the token is looked up again) and database session.
    with app.app_context(), app.test_request_context("/mcp", method="POST", headers=headers):
        yield


def _holder() -> TokenHolder:
    holder = token_holder()
    if holder is None:
        raise Unauthorized("The API token is not valid or has been revoked.")
    return holder


def _raw_arguments(ctx: Context) -> Mapping[str, Any]:
    params = ctx.request_context.params or {}
    arguments = params.get("arguments") if isinstance(params, Mapping) else None
    return arguments if isinstance(arguments, Mapping) else {}


def _refuse_unknown(name: str, sent: Mapping[str, Any], accepted: set[str]) -> None:
    """Refuse arguments a tool does not take (a `price` sent to buy_number, say), rather than
    let them pass unread: a caller should know its argument did nothing."""
    unknown = sorted(set(sent) - accepted)
    if unknown:
        takes = ", ".join(sorted(accepted)) or "no arguments"
        raise ValidationFailed(
            {field: f"{name} takes no argument {field!r}; it takes {takes}." for field in unknown}
        )


def _rate_limited(error: RateLimitExceeded) -> Answer:
    current = limiter.current_limit
    wait = max(1, math.ceil(current.reset_at - time.time())) if current else 60
    message = f"Too many requests (limit: {error.description}); retry after {wait} seconds."
    return {
        "success": False,
        "error": {"code": "rate_limited", "message": message},
        "retryAfter": wait,
    }
