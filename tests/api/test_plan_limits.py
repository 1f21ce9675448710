"""The largest plan's limit, exactly: Scale holds 50 numbers, not 49 and not 51."""

from tests.factories import seed
from tests.helpers import assert_error, buy, sandbox_number


def test_the_scale_plan_allows_exactly_50_numbers(app, client, factory):
    member = factory.member("scale")
    seed(app, member, 49, area="212")
    fiftieth = buy(client, member, sandbox_number("415", 0))
    assert fiftieth.status_code == 200, fiftieth.get_data(as_text=True)
    assert fiftieth.get_json()["eligibility"] == {
        "currentCount": 50,
        "maxAllowed": 50,
        "hasSubscription": True,
        "planName": "Scale",
    }
    refused = assert_error(buy(client, member, sandbox_number("415", 1)), 403, "plan_limit_reached")
    assert refused["eligibility"]["currentCount"] == refused["eligibility"]["maxAllowed"] == 50
    assert "The Scale plan allows 50 numbers" in refused["error"]["message"]
