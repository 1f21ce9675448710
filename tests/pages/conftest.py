"""Page-test fixtures: a client signed in through the real form."""

from __future__ import annotations

import pytest

from tests.pages.helpers import Auth


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def member(factory, auth):
    """A signed-in owner of a Free team."""
    someone = factory.member("free")
    assert auth.sign_in(someone).status_code == 302
    return someone


@pytest.fixture
def growth(factory, auth):
    """A signed-in owner of a Growth team (room for several numbers)."""
    owner = factory.member("growth")
    auth.sign_in(owner)
    return owner
