"""Plans are listed once (the catalog), and how many more numbers fit is computed once."""

from __future__ import annotations

import pytest

from app.api.openapi.schemas import SCHEMAS
from app.config import environment_settings
from app.plans.catalog import PLANS, PRICE_SETTINGS
from app.plans.limits import numbers_that_fit

# (limit, held, why the team may not buy at all, how many more fit)
FITS = [
    (10, 0, None, 10),
    (10, 7, None, 3),
    (10, 10, None, 0),
    (3, 4, None, 0),  # over the limit (a downgrade): none, never a negative
    (1, 0, "Trial used.", 0),  # refused outright: none whatever the limit leaves
    (50, 2, "Over the plan: buying is stopped.", 0),
]


@pytest.mark.parametrize(("limit", "held", "refusal", "fit"), FITS)
def test_how_many_more_numbers_fit(limit, held, refusal, fit):
    assert numbers_that_fit(limit, held, refusal) == fit


def test_the_catalog_is_the_one_list_of_plans():
    assert list(PLANS) == ["free", "starter", "growth", "scale"]
    assert PRICE_SETTINGS == {
        "starter": "STRIPE_PRICE_STARTER",
        "growth": "STRIPE_PRICE_GROWTH",
        "scale": "STRIPE_PRICE_SCALE",
    }
    enum = SCHEMAS["Eligibility"]["properties"]["planName"]["enum"]
    assert enum == ["Free", "Starter", "Growth", "Scale"]


def test_a_new_paid_plan_gets_its_price_setting_from_the_catalog(monkeypatch):
    # The settings read every paid plan's price id from the catalog: none is typed twice.
    monkeypatch.setattr("app.config.PRICE_SETTINGS", {"team": "STRIPE_PRICE_TEAM"})
    monkeypatch.setenv("STRIPE_PRICE_TEAM", "price_team")
    settings = environment_settings()
    assert settings["STRIPE_PRICE_TEAM"] == "price_team"
    assert "STRIPE_PRICE_STARTER" not in settings
