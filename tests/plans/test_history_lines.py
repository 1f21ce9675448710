"""Each plan change a team would want to see is a line in its History, in words."""

from __future__ import annotations

from datetime import timedelta

from app.billing.plan_changes import change_plan
from app.extensions import db
from app.models import Team
from app.plans.custom_limits import set_custom_limit
from app.plans.enforcement import enforce_limits
from app.plans.grace import keep_numbers
from tests.factories import actor_of
from tests.pages.helpers import Auth, soup, text


def lines(client, team_id) -> list[str]:
    page = soup(client.get(f"/teams/{team_id}/history"))
    return [text(row.select_one("td[data-label=What]")) for row in page.select("tbody tr")]


def test_the_grace_the_choice_and_each_release_read_as_sentences(app, client, factory):
    member, ids = factory.over_limit(5, "starter")
    with app.app_context():
        keep_numbers(actor_of(member), [ids[1]])
        ends = db.session.get(Team, member.team_id).grace_ends_at
        enforce_limits(ends + timedelta(minutes=1))
    Auth(client).sign_in(member)
    said = lines(client, member.team_id)
    when = ends.strftime("%d %b %Y, %H:%M UTC")
    grace = (
        f"Held 5 numbers, over the Starter plan: choose 3 to keep by {when}; the rest are "
        "released then"
    )
    # Newest first: the grace's line just above the plan change that started it.
    assert said.index(grace) == said.index("Changed the plan growth → to starter") - 1
    assert "Chose the numbers to keep: (303) 555-0201" in said
    released = [line for line in said if line.endswith("over the plan's limit, and not kept")]
    assert released == [
        "Released (303) 555-0204: over the plan's limit, and not kept",
        "Released (303) 555-0203: over the plan's limit, and not kept",
    ]
    assert said[0] == "Within the plan's limit again: nothing more is released"


def test_a_custom_limit_reads_as_a_change_of_limit(app, client, factory):
    member = factory.member("scale")
    with app.app_context():
        set_custom_limit(db.session.get(Team, member.team_id), 120)
        change_plan(db.session.get(Team, member.team_id), "growth", member.user_id)
    Auth(client).sign_in(member)
    said = lines(client, member.team_id)
    # The arrow reads "to" for screen readers.
    assert "Changed the team's number limit the plan's → to 120 (custom)" in said
    assert "Changed the team's number limit 120 (custom) → to the plan's" in said
