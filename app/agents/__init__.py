"""The MCP server for agents: the platform's tools (search, quote, hold, buy, list, assign,
release, health) for AI agents, with the official Model Context Protocol SDK, over stdio
(`flask mcp`, app.agents.stdio) and streamable HTTP (/mcp, app.agents.http).

An agent calls as an API token: the token's scopes and its person's role in the team decide
what it may do, as for the API, and spending goes through the same purchase service (plan,
spend cap, approvals) at a server quote's price only (app.numbers.quotes).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

_building = threading.Lock()


def init_agents(app: Flask) -> None:
    from app.agents.http import bp
    from app.agents.stdio import mcp_command
    from app.extensions import csrf

    csrf.exempt(bp)  # bearer tokens, not cookies: no CSRF to forge
    app.register_blueprint(bp)
    app.cli.add_command(mcp_command)


def mcp_server(app: Flask) -> MCPServer:
    """The app's MCP server, built when first used: the SDK (and pydantic) take about a second
    to import, which every other process (a page, a job, a command) need not wait for."""
    if "mcp_server" not in app.extensions:
        with _building:
            if "mcp_server" not in app.extensions:
                from app.agents.server import build_server

                app.extensions["mcp_server"] = build_server()
    return app.extensions["mcp_server"]
