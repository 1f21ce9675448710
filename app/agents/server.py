"""The MCP server's tools, with the official SDK (`mcp`): what an agent sees of each one (its
arguments, their descriptions, the scope it needs) and which action runs it.

The tools are async and call the (blocking) services directly, on purpose: over HTTP each
request has an event loop of its own in its own worker thread (app.agents.http), so a tool
blocks nobody else and runs in that request's Flask context; over stdio there is one agent.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import ToolAnnotations
from pydantic import Field

from app.accounts.scopes import NUMBERS_BUY, NUMBERS_MANAGE, NUMBERS_READ
from app.agents import tools
from app.agents.calls import run_tool
from app.phone import SEARCH_TYPES, in_words

# A refusal is a CallToolResult with isError (app.agents.calls.tool_error): the SDK passes one
# through as it is, and a client checks only successful results against the output schema.
Result = dict[str, Any]
TeamId = Annotated[
    str | None,
    Field(description="The team to act for (team_...); may be left out when you are in one team."),
]
PhoneNumberArg = Annotated[str, Field(description="A number in E.164, such as +14155550101.")]
NumberId = Annotated[str, Field(description="The number's id (pn_...), from list_numbers.")]
READS = ToolAnnotations(readOnlyHint=True, openWorldHint=True)

INSTRUCTIONS = (
    "Find, buy and manage phone numbers for a team's AI phone assistants. To buy: "
    "search_numbers, then quote (the server fixes the price for a few minutes), then "
    "buy_number with the quote's id and an idempotency key of your own; a price is never an "
    "argument. To release: release_number with dry_run=true, then again with its confirm "
    "token. Errors carry the platform API's codes (plan_limit_reached, spend_cap_reached, ...)."
)


def build_server() -> MCPServer:
    # The SDK sets up the root logger when built (logging.basicConfig): the app keeps its own.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    server = MCPServer("phone-numbers", instructions=INSTRUCTIONS, log_level="WARNING")
    root.handlers[:] = handlers
    root.setLevel(level)
    _add_tools(server)
    return server


def _add_tools(server: MCPServer) -> None:  # noqa: C901  (one short function per tool)
    @server.tool(annotations=READS)
    async def search_numbers(
        ctx: Context,
        country_code: Annotated[str, Field(description="ISO 3166-1 alpha-2, such as US.")],
        area_code: Annotated[str | None, Field(description="Three digits (US/CA).")] = None,
        number_type: Annotated[str, Field(description=f"{in_words(SEARCH_TYPES)}.")] = "local",
        limit: Annotated[int, Field(description="How many, 1 to 100.")] = 10,
        locality: Annotated[str | None, Field(description="A city.")] = None,
        region: Annotated[str | None, Field(description="A state or region.")] = None,
        features: Annotated[
            list[str] | None, Field(description="Required: voice, sms, mms, fax.")
        ] = None,
        contains: Annotated[str | None, Field(description="Digits or a word.")] = None,
        starts_with: str | None = None,
        ends_with: str | None = None,
        sort: Annotated[str | None, Field(description='"number" or "price".')] = None,
    ) -> Result:
        """Search numbers on offer, with their place, features and USD prices (not a quote:
        buy only with a quote's id). Scope numbers:read."""
        return run_tool(ctx, "search_numbers", NUMBERS_READ, tools.search, **_given(locals()))

    @server.tool(annotations=ToolAnnotations(readOnlyHint=False, idempotentHint=False))
    async def quote(ctx: Context, phone_number: PhoneNumberArg, team_id: TeamId = None) -> Result:
        """Fix the provider's current price for a number for a few minutes: answers a quoteId
        and what buying costs now (dueNow; nothing for a Free plan's trial). Scope
        numbers:read."""
        return run_tool(ctx, "quote", NUMBERS_READ, tools.quote, **_given(locals()))

    @server.tool()
    async def hold_number(
        ctx: Context, phone_number: PhoneNumberArg, team_id: TeamId = None
    ) -> Result:
        """Hold a number for the team for 30 minutes (it goes in the team's cart): no other
        team can buy it meanwhile. Scope numbers:buy."""
        return run_tool(ctx, "hold_number", NUMBERS_BUY, tools.hold, **_given(locals()))

    @server.tool(annotations=ToolAnnotations(destructiveHint=False, idempotentHint=True))
    async def buy_number(
        ctx: Context,
        quote_id: Annotated[str, Field(description="A quote's id (quo_...), from quote.")],
        idempotency_key: Annotated[
            str,
            Field(description="Your own key for this purchase: a retry with it buys nothing more."),
        ],
    ) -> Result:
        """Buy the quoted number at the quoted price, within the team's plan and spending
        guardrails (a member's purchase may become a request for approval). Scope
        numbers:buy."""
        return run_tool(ctx, "buy_number", NUMBERS_BUY, tools.buy, **_given(locals()))

    @server.tool(annotations=READS)
    async def list_numbers(
        ctx: Context,
        team_id: TeamId = None,
        query: Annotated[str | None, Field(description="Digits, a label or assistant.")] = None,
        status: Annotated[
            str | None, Field(description="active, pending, releasing or expired.")
        ] = None,
        assistant_id: Annotated[
            str | None, Field(description='An assistant id, or "none" for unassigned.')
        ] = None,
        number_type: str | None = None,
        country_code: str | None = None,
        sort: str | None = None,
        limit: Annotated[int, Field(description="1 to 200.")] = 50,
        cursor: Annotated[str | None, Field(description="nextCursor of the last page.")] = None,
    ) -> Result:
        """List the team's numbers, with status, trial end, assistant and label. Scope
        numbers:read."""
        return run_tool(ctx, "list_numbers", NUMBERS_READ, tools.list_numbers, **_given(locals()))

    @server.tool(annotations=ToolAnnotations(idempotentHint=True))
    async def assign_number(
        ctx: Context,
        number_id: NumberId,
        assistant: Annotated[
            str | None,
            Field(description="An assistant's id (asst_...) or name; null unassigns."),
        ],
    ) -> Result:
        """Have an assistant answer on the number (or none). Scope numbers:manage."""
        return run_tool(ctx, "assign_number", NUMBERS_MANAGE, tools.assign, **_given(locals()))

    @server.tool(annotations=ToolAnnotations(destructiveHint=True))
    async def release_number(
        ctx: Context,
        number_id: NumberId,
        dry_run: Annotated[
            bool, Field(description="Say what would happen and answer a confirm token.")
        ] = False,
        confirm: Annotated[
            str | None, Field(description="The token a dry run answered (valid 5 minutes).")
        ] = None,
    ) -> Result:
        """Release a number: first with dry_run=true, then with its confirm token. A release
        waits out the team's grace window, undoable until then. Scope numbers:manage."""
        return run_tool(ctx, "release_number", NUMBERS_MANAGE, tools.release, **_given(locals()))

    @server.tool(annotations=READS)
    async def number_health(ctx: Context, number_id: NumberId) -> Result:
        """What is known about a number now: state, trial end, assistant, pending release,
        what the provider said; a list of checks. Scope numbers:read."""
        return run_tool(ctx, "number_health", NUMBERS_READ, tools.number_health, **_given(locals()))


def _given(arguments: dict[str, Any]) -> dict[str, Any]:
    """A tool's arguments, without its context."""
    return {name: value for name, value in arguments.items() if name != "ctx"}
