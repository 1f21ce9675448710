"""Driving the MCP server with the official SDK's client (`mcp`): over streamable HTTP against
a live server, and over stdio against `flask mcp` run as a subprocess.

Each helper opens a client session, initialises it, makes its calls and closes it; tests
call them from plain (sync) test functions through `anyio.run`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Reply:
    """A tool's answer: the body (the API's shape) and whether it is a tool error."""

    body: dict[str, Any]
    error: bool

    @property
    def code(self) -> str | None:
        return self.body.get("error", {}).get("code") if self.error else None


def reply(result) -> Reply:
    """The structured answer; checks the text content says the same (clients read either)."""
    text = json.loads(result.content[0].text)
    assert text == result.structured_content
    return Reply(result.structured_content, bool(result.is_error))


@asynccontextmanager
async def http_session(url: str, token: str | None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        streamable_http_client(f"{url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def stdio_parameters(
    env: dict[str, str], token_env: str = "MCP_API_TOKEN"
) -> StdioServerParameters:
    """`flask mcp` in this checkout, with only the environment given (and what it needs)."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    args = ["-m", "flask", "mcp"]
    if token_env != "MCP_API_TOKEN":
        args += ["--token-env", token_env]
    return StdioServerParameters(
        command=sys.executable, args=args, env={**base, "FLASK_APP": "wsgi", **env}, cwd=ROOT
    )


@asynccontextmanager
async def stdio_session(parameters: StdioServerParameters) -> AsyncIterator[ClientSession]:
    async with (
        stdio_client(parameters) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def calls(open_session, *steps: tuple[str, dict[str, Any]]) -> list[Reply]:
    """Make the calls in order in one session; their replies."""

    async def run() -> list[Reply]:
        async with open_session() as session:
            return [reply(await session.call_tool(name, arguments)) for name, arguments in steps]

    return anyio.run(run)


def call(open_session, name: str, arguments: dict[str, Any]) -> Reply:
    return calls(open_session, (name, arguments))[0]
