"""The provider interface declares what the search service reads, and each provider says it."""

from __future__ import annotations

import typing

import pytest

from app.providers.base import Provider
from app.providers.sandbox import SandboxProvider
from app.providers.telnyx import TelnyxProvider

# (provider, cache_searches, skips_held_numbers)
FLAGS = [
    (SandboxProvider, False, True),
    (TelnyxProvider, True, False),
]


def test_the_interface_declares_the_search_flags():
    hints = typing.get_type_hints(Provider)
    assert hints["cache_searches"] is bool
    assert hints["skips_held_numbers"] is bool


@pytest.mark.parametrize(("provider", "caches", "skips"), FLAGS, ids=["sandbox", "telnyx"])
def test_each_provider_sets_the_flags_itself(provider, caches, skips):
    # Set on the class itself, not inherited by accident or left to a getattr default.
    assert vars(provider)["cache_searches"] is caches
    assert vars(provider)["skips_held_numbers"] is skips
