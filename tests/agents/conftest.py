"""A live server per module (the MCP tests drive it over real HTTP with the SDK's client),
and a factory on its database."""

from __future__ import annotations

from functools import partial

import pytest

from tests.agents.mcp_client import http_session
from tests.e2e.live import live_server
from tests.factories import Factory


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("mcp")) as live:
        yield live


@pytest.fixture(scope="module")
def people(server) -> Factory:
    """One factory for the module's server: its people are numbered across the module."""
    return Factory(server.app)


@pytest.fixture
def mcp(server):
    """mcp(token) opens an SDK client session to the live server's /mcp with that token."""
    return lambda token: partial(http_session, server.url, token)
