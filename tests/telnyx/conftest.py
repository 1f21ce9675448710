"""The app on PHONE_PROVIDER=telnyx, over real HTTP to a fake Telnyx account."""

from __future__ import annotations

import pytest

from tests.fakes.telnyx import FakeTelnyx
from tests.support import build_app, teardown_app
from tests.telnyx import NUMBER, OTHER


@pytest.fixture
def fake():
    with FakeTelnyx(api_key="key-for-tests") as fake:
        fake.add_available(NUMBER, monthly="1.5", upfront="0.5")
        fake.add_available(OTHER)
        yield fake


@pytest.fixture
def app(tmp_path, fake):
    app = build_app(
        tmp_path,
        PHONE_PROVIDER="telnyx",
        TELNYX_API_KEY="key-for-tests",
        TELNYX_API_BASE=fake.base_url,
        TELNYX_CONNECTION_ID="conn-default",
        TELNYX_ORDER_WAIT=0.5,
        TELNYX_PUBLIC_KEY=fake.public_key,
    )
    provider = app.extensions["phone_provider"]
    provider.poll_interval = 0.05
    provider.hold_wait = 0.5  # a pending reservation is re-read for half a second
    provider.http.timeout = (0.5, 0.5)  # keep timeout paths fast
    yield app
    teardown_app(app)


@pytest.fixture
def sync(app):
    """Run `flask numbers sync --grace 0` (as cron would, once the grace has passed)."""

    def run() -> str:
        result = app.test_cli_runner().invoke(args=["numbers", "sync", "--grace", "0"])
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()[-1]

    return run
