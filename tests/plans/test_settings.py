"""The plan settings, read and checked at start-up (a bad value stops it: tests/test_startup.py)."""

from __future__ import annotations

import pytest

from app.config import Config, ConfigError, settle_config


def settled(**values) -> dict:
    config = {k: v for k, v in vars(Config).items() if k.isupper()}
    config.update(values)
    settle_config(config)
    return config


def test_defaults():
    config = settled()
    assert (config["OVER_LIMIT_GRACE_DAYS"], config["TEAMS_PER_USER_PER_DAY"]) == (7, 3)
    assert config["SALES_CONTACT_URL"] is None


@pytest.mark.parametrize(
    "url", ["mailto:sales@example.com", "https://example.com/sales", " https://example.com/ "]
)
def test_a_sales_contact_is_a_mailto_or_https_link(url):
    assert settled(SALES_CONTACT_URL=url)["SALES_CONTACT_URL"] == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "sales@example.com",
        "http://example.com",
        "mailto:",
        "https://",
        "https://a b.com",
        'mailto:a@b.com"><script>',
    ],
)
def test_anything_else_is_refused(url):
    with pytest.raises(ConfigError, match="SALES_CONTACT_URL="):
        settled(SALES_CONTACT_URL=url)


@pytest.mark.parametrize("days", ["1", "90", 30])
def test_grace_days_from_one_to_ninety(days):
    assert settled(OVER_LIMIT_GRACE_DAYS=days)["OVER_LIMIT_GRACE_DAYS"] == int(days)


@pytest.mark.parametrize("days", ["0", "91", "٣", "7.5", ""])
def test_other_grace_days_are_refused(days):
    with pytest.raises(ConfigError, match="OVER_LIMIT_GRACE_DAYS="):
        settled(OVER_LIMIT_GRACE_DAYS=days)
