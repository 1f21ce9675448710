"""A fake Telnyx server and providers pointed at it, with test-sized timeouts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from app.providers.telnyx import TelnyxProvider
from tests.fakes.telnyx import FakeTelnyx

MakeProvider = Callable[..., TelnyxProvider]


@pytest.fixture
def fake() -> Iterator[FakeTelnyx]:
    with FakeTelnyx(api_key="test-key") as server:
        yield server


@pytest.fixture
def make_provider(fake: FakeTelnyx) -> Iterator[MakeProvider]:
    """Builds providers with test-sized timeouts; closes their sessions afterwards."""
    made: list[TelnyxProvider] = []

    def make(**overrides: object) -> TelnyxProvider:
        options: dict = {
            "api_key": fake.api_key,
            "base_url": fake.base_url,
            "connect_timeout": 1.0,
            "read_timeout": 2.0,
            "order_wait": 1.0,
            "poll_interval": 0.02,
        }
        options.update(overrides)
        provider = TelnyxProvider(**options)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()


@pytest.fixture
def telnyx(make_provider: MakeProvider) -> TelnyxProvider:
    return make_provider()


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Every wait the client asks for, recorded instead of slept (no timing in tests)."""
    import app.providers.telnyx.http as http

    asked: list[float] = []
    monkeypatch.setattr(http.time, "sleep", asked.append)
    return asked
