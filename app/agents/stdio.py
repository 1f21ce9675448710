"""`flask mcp`: the MCP server over stdio, for an agent (or its host) that starts it.

It acts with one API token, read from an environment variable (never a command-line
argument, which any user of the machine can read in `ps`). The token is checked at start
and again at every call (app.agents.calls), so revoking it stops the server's next call.
stdout carries the protocol alone: errors go to stderr.
"""

from __future__ import annotations

import os

import anyio
import click
from flask import current_app
from flask.cli import with_appcontext

from app.accounts.tokens import holder_for_token
from app.extensions import db

DEFAULT_TOKEN_ENV = "MCP_API_TOKEN"


@click.command("mcp")
@click.option(
    "--token-env",
    default=DEFAULT_TOKEN_ENV,
    show_default=True,
    metavar="NAME",
    help="The environment variable holding the API token the server acts with.",
)
@with_appcontext
def mcp_command(token_env: str) -> None:
    """Serve the MCP tools over stdio, acting with the API token in $MCP_API_TOKEN."""
    token = os.environ.get(token_env, "").strip()
    if not token:
        raise click.ClickException(
            f"Set {token_env} to an API token (tt_...): the server acts with it. "
            "It is read from the environment, never from the command line."
        )
    holder = holder_for_token(token)
    db.session.remove()  # each call has its own session (app.agents.calls)
    if holder is None:
        raise click.ClickException(
            f"The API token in {token_env} is not valid or has been revoked: make one on the "
            "API tokens page."
        )
    from app.agents import mcp_server
    from app.agents.calls import STDIO_TOKEN

    STDIO_TOKEN.set(token)
    anyio.run(mcp_server(current_app._get_current_object()).run_stdio_async)
