"""The Plans page: every plan from the catalog, the team's usage, and the change for owners."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AuditEvent, PhoneNumber, Team
from app.plans.catalog import PLANS
from tests.helpers import TRIAL_DAYS
from tests.pages.helpers import (
    add_number,
    buy,
    csrf_token,
    numbers_url,
    search_url,
    soup,
    text,
)


def plans_url(team_id: str) -> str:
    return f"/teams/{team_id}/plans"


def choose(client, team_id: str, plan: str):
    token = csrf_token(client, plans_url(team_id))
    return client.post(plans_url(team_id), data={"plan": plan, "csrf_token": token})


def plan_of(app, team_id: str) -> str:
    with app.app_context():
        return db.session.get(Team, team_id).plan


def test_every_plan_shows_its_price_limit_and_trial_from_the_catalog(client, member):
    page = soup(client.get(plans_url(member.team_id)))
    cards = page.select("#plans [data-plan]")
    assert [card["data-plan"] for card in cards] == list(PLANS)
    for card in cards:
        plan = PLANS[card["data-plan"]]
        price = card.select_one("[data-role=price]").get_text(" ", strip=True)
        assert price == (f"${plan.monthly_price} / month" if plan.has_subscription else "Free")
        assert card.select_one("[data-role=limit]").get_text(strip=True) == (
            f"Up to {plan.numbers_phrase}"
        )
        trial = card.select_one("[data-role=trial]")
        assert (trial is not None) == (plan.trial_days is not None)
    current = page.select_one("#plan-free [data-role=current]")
    assert current.get_text(strip=True) == "Current plan"
    # Changes cost nothing here, in the customer's words (not the operator's "sandbox").
    assert "nothing is charged" in text(page.select_one("#billing-free-changes"))
    assert (
        page.select_one("#plan-headline").get_text(strip=True)
        == f"Trial: 1 number for {TRIAL_DAYS} days"
    )
    assert page.select_one("nav a[href$='/plans']")["aria-current"] == "page"


def test_an_owner_upgrades_in_the_sandbox_and_the_trial_number_stays(app, client, member):
    trial = buy(client, member.team_id, "+14155550100")
    assert trial.status_code == 200

    response = choose(client, member.team_id, "starter")
    assert response.status_code == 303
    assert plan_of(app, member.team_id) == "starter"
    page = soup(client.get(response.location))
    assert "on the Starter plan now" in text(page.select_one(".flash-success"))
    assert page.select_one("#plan-headline").get_text(strip=True) == "1 of 3 numbers · Starter"
    with app.app_context():
        number = db.session.scalar(db.select(PhoneNumber))
        assert (number.is_trial, number.trial_expires_at) == (False, None)
        actions = db.session.scalars(db.select(AuditEvent.action)).all()
        assert {"plan_change", "convert_trial"} <= set(actions)
    # The second number: bought, as the plan now allows.
    assert buy(client, member.team_id, "+14155550101").status_code == 200


def test_downgrading_below_what_the_team_holds_releases_nothing_yet_and_says_what_happens(
    app, client, factory, auth
):
    owner = factory.member("growth")
    auth.sign_in(owner)
    for i in range(3):
        add_number(app, owner.team_id, f"+1415555010{i}")
    page = soup(client.get(plans_url(owner.team_id)))
    assert page.select_one("#plan-starter [data-role=over]") is None  # 3 fit Starter
    assert text(page.select_one("#plan-free [data-role=over]")).startswith(
        "3 of your 3 numbers would be over this plan: released 7 days after the change"
    )

    choose(client, owner.team_id, "free")
    assert plan_of(app, owner.team_id) == "free"
    page = soup(client.get(numbers_url(owner.team_id)))
    banner = page.select_one("#plan-banner")
    assert banner.select_one("#plan-headline").get_text(strip=True) == "3 of 1 numbers · Free"
    assert "3 numbers over the plan: buying is stopped." in text(banner)
    assert banner.select_one("[data-role=plans-link]")["href"] == plans_url(owner.team_id)
    assert len(page.select("#numbers-table tbody tr")) == 3  # nothing released yet
    refused = buy(client, owner.team_id, "+14155550199")
    assert refused.status_code == 403
    assert "the Free plan keeps only a trial number" in text(soup(refused))


@pytest.mark.parametrize("role", ["admin", "member"])
def test_only_an_owner_sees_the_change_and_anyone_else_gets_403(app, client, factory, auth, role):
    owner = factory.member("starter")
    other = factory.member(team_id=owner.team_id, role=role)
    auth.sign_in(other)
    page = soup(client.get(plans_url(owner.team_id)))
    assert page.select("#plans [data-role=choose]") == []
    assert "Only an owner" in page.select_one("#no-plan-change").get_text()

    response = choose(client, owner.team_id, "scale")
    assert response.status_code == 403
    assert plan_of(app, owner.team_id) == "starter"


def test_an_unknown_plan_is_a_clear_400(app, client, member):
    response = choose(client, member.team_id, "platinum")
    assert response.status_code == 400
    assert "Plan must be one of" in text(soup(response))
    assert plan_of(app, member.team_id) == "free"


def test_a_limit_refusal_links_to_the_plans_page(client, member):
    buy(client, member.team_id, "+14155550100")
    refused = buy(client, member.team_id, "+14155550101")
    assert refused.status_code == 403
    link = soup(refused).select_one("td [data-role=plans-link]")
    assert link["href"] == plans_url(member.team_id)
    page = soup(client.get(f"{search_url(member.team_id)}?country=US&area_code=415"))
    assert page.select_one("#offers-notice [data-role=plans-link]")["href"] == plans_url(
        member.team_id
    )


def test_the_plan_history_line_names_who_changed_it(client, member):
    choose(client, member.team_id, "growth")
    page = soup(client.get(f"/teams/{member.team_id}/history"))
    first = page.select_one("#history-table tbody tr")
    assert "Changed the plan" in text(first)
    assert member.email.split("@")[0].replace("user", "User ") in text(first)
    assert "free" in text(first) and "growth" in text(first)
