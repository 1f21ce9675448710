"""One free trial per person: the person who creates a team gets a trial in one of their
teams, not in each. A Free team whose creator has had theirs can buy nothing, and says why."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.teams import actor_for
from app.exceptions import PlanLimitReached
from app.extensions import db
from app.models import HELD, PhoneNumber, User, utcnow
from app.numbers.purchasing import purchase_number
from app.plans.trial_rights import NO_TRIAL_MESSAGE
from tests.factories import add_team, found
from tests.helpers import assert_error, buy, sandbox_number
from tests.pages.helpers import Auth, soup, text
from tests.pages.helpers import buy as page_buy


def trial_used(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).trial_used_at


def test_the_trial_is_spent_for_the_person_and_their_next_team_has_none(app, client, factory):
    person = factory.member("growth")  # made with the CLI: no founder
    first = found(app, person, "First")
    assert buy(client, first, sandbox_number("415", 0)).status_code == 200
    assert trial_used(app, person.user_id) is not None

    second = found(app, person, "Second")
    body = assert_error(buy(client, second, sandbox_number("415", 1)), 403, "plan_limit_reached")
    assert body["error"]["message"] == NO_TRIAL_MESSAGE
    assert body["eligibility"] == {
        "currentCount": 0,
        "maxAllowed": 1,
        "hasSubscription": False,
        "planName": "Free",
    }


def test_a_trial_live_in_one_team_keeps_the_others_from_starting_one(app, client, factory):
    person = factory.member("growth")
    first = found(app, person, "First")
    factory.number(
        first,
        sandbox_number("415", 0),
        is_trial=True,
        trial_expires_at=utcnow() + timedelta(days=2),
    )  # still live, though the person's trial is not yet marked spent
    second = found(app, person, "Second")
    assert_error(buy(client, second, sandbox_number("415", 1)), 403, "plan_limit_reached")


def test_an_order_that_failed_in_one_team_spends_nothing(app, client, factory):
    person = factory.member("growth")
    first = found(app, person, "First")
    factory.number(first, sandbox_number("415", 0), is_trial=True, status="expired")
    second = found(app, person, "Second")  # the first never became active: no trial spent
    assert buy(client, second, sandbox_number("415", 1)).status_code == 200


def test_a_team_made_with_the_cli_keeps_its_own_trial(app, client, factory):
    person = factory.member("growth")
    first = found(app, person, "First")
    assert buy(client, first, sandbox_number("415", 0)).status_code == 200
    # The operator made this team (no founder) and put the same person in it.
    operators = add_team(app, person, "Operator's", "free")
    assert buy(client, operators, sandbox_number("415", 1)).status_code == 200


def test_two_teams_of_one_person_racing_for_a_trial_get_one(app, factory):
    person = factory.member("growth")
    teams = [found(app, person, f"Team {i}") for i in range(3)]
    barrier = threading.Barrier(6)

    def attempt(index):
        member = teams[index % 3]
        with app.app_context():
            actor = actor_for(db.session.get(User, member.user_id), member.team_id)
            db.session.commit()  # hand the connection back: the pool is smaller than the race
            barrier.wait(timeout=30)
            try:
                return purchase_number(actor, sandbox_number("512", index)).number.id
            except PlanLimitReached:
                return "refused"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert sum(o.startswith("pn_") for o in outcomes) == 1
    with app.app_context():
        held = db.session.scalar(
            sa.select(sa.func.count()).where(
                PhoneNumber.team_id.in_([t.team_id for t in teams]), PhoneNumber.status.in_(HELD)
            )
        )
    assert held == 1


def test_the_pages_say_a_team_without_a_trial_has_none_and_offer_a_plan(app, client, factory):
    person = factory.member("growth")
    first = found(app, person, "First")
    buy(client, first, sandbox_number("415", 0))
    second = found(app, person, "Second")
    Auth(client).sign_in(person)
    page = soup(client.get(f"/teams/{second.team_id}/numbers"))
    banner = page.select_one("#plan-banner")
    assert text(banner.select_one("#plan-headline")) == "0 of 1 numbers · Free"
    assert "No free trial in this team: one per person" in text(banner)
    assert banner.select_one("[data-role=plans-link]")["href"] == f"/teams/{second.team_id}/plans"
    search = soup(client.get(f"/teams/{second.team_id}/search?country=US&area_code=415"))
    assert text(search.select_one("#offers-notice")).startswith(NO_TRIAL_MESSAGE)
    assert search.select_one("#offers")["disabled"] is not None


def test_the_new_team_page_says_whether_a_new_team_gets_the_trial(app, client, factory):
    person = factory.member("growth")
    Auth(client).sign_in(person)
    before = text(soup(client.get("/teams/new")).select_one("#new-team-trial"))
    assert before.startswith("It starts on the Free plan with your free trial")
    first = found(app, person, "First")
    buy(client, first, sandbox_number("415", 0))
    after = text(soup(client.get("/teams/new")).select_one("#new-team-trial"))
    assert after.startswith("It starts on the Free plan without a free trial: you have had yours")


def test_the_sign_up_page_says_the_trial_is_once_per_person(client):
    page = soup(client.get("/signup"))
    assert "once per person" in text(page.select_one("#trial-per-person"))


def test_right_after_the_trial_is_bought_the_page_says_it_is_used(app, client, factory):
    """The team in hand learns its trial is spent (the database was told by the purchase)."""
    member = factory.member("free")
    Auth(client).sign_in(member)
    answer = page_buy(client, member.team_id, sandbox_number("415", 0))
    assert answer.status_code == 200
    assert text(soup(answer).select_one("#offers-notice")).startswith(
        "This team has used its free trial number."
    )
