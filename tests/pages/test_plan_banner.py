"""The plan banner counts what is left on the plan, on the Numbers and Find a number pages."""

import pytest

from tests.factories import seed
from tests.pages.helpers import numbers_url, search_url, soup


def banner_detail(client, url) -> str:
    return soup(client.get(url)).select_one("#plan-banner .plan-detail").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("held", "says"),
    [(0, "10 left on your plan."), (3, "7 left on your plan."), (9, "1 left on your plan.")],
)
def test_the_banner_says_how_many_numbers_are_left(app, client, factory, auth, held, says):
    member = factory.member("growth")
    seed(app, member, held)
    assert auth.sign_in(member).status_code == 302
    for url in (numbers_url(member.team_id), search_url(member.team_id)):
        assert banner_detail(client, url).startswith(says), url
    headline = soup(client.get(numbers_url(member.team_id))).select_one("#plan-headline")
    assert headline.get_text(strip=True) == f"{held} of 10 numbers · Growth"


def test_a_full_plan_says_so_instead_of_zero_left(app, client, factory, auth):
    member = factory.member("growth")
    seed(app, member, 10)
    assert auth.sign_in(member).status_code == 302
    detail = banner_detail(client, numbers_url(member.team_id))
    assert detail.startswith("Your plan is full.") and "left on your plan" not in detail
