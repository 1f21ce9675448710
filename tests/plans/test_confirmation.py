"""Choosing a plan shows what the change does first, and Confirm applies it (no JavaScript)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.billing.plan_changes import change_plan
from app.extensions import db
from app.models import Team, utcnow
from tests.helpers import bought_id, sandbox_number
from tests.pages.helpers import Auth, soup, text


def confirm_url(team_id: str, plan: str) -> str:
    return f"/teams/{team_id}/plans/{plan}/confirm"


def plan_of(app, team_id):
    with app.app_context():
        return db.session.get(Team, team_id).plan


def test_the_plans_page_leads_to_the_summary(client, factory):
    member = factory.member("growth")
    Auth(client).sign_in(member)
    page = soup(client.get(f"/teams/{member.team_id}/plans"))
    link = page.select_one("#plan-starter [data-role=choose]")
    assert link.name == "a" and link["href"] == confirm_url(member.team_id, "starter")
    assert page.select("#plans form") == []  # nothing changes from the Plans page itself


def test_an_upgrade_with_a_live_trial_says_it_stays_and_confirm_applies(app, client, factory):
    member = factory.member("free")
    bought_id(client, member, sandbox_number("415", 0))
    Auth(client).sign_in(member)
    page = soup(client.get(confirm_url(member.team_id, "starter")))
    assert text(page.select_one("h1")) == "Upgrade to Starter?"
    assert text(page.select_one("#change-price")) == "$9 a month (now free)"
    assert text(page.select_one("#change-limit")) == "Up to 3 numbers (now 1)"
    assert "(415) 555-0100 stays, as a regular number" in text(page.select_one("#change-trial"))
    assert text(page.select_one("#change-within")).startswith("All 1 of this team's numbers fit")
    assert text(page.select_one("#change-billing")) == (
        "Nothing is charged: the change applies as soon as you confirm."
    )
    assert page.select_one("#change-back")["href"] == f"/teams/{member.team_id}/plans"
    form = page.select_one("#change-confirm").find_parent("form")
    assert form["action"] == f"/teams/{member.team_id}/plans"
    fields = {i["name"]: i["value"] for i in form.select("input")}
    assert plan_of(app, member.team_id) == "free"  # showing the summary changed nothing
    answer = client.post(form["action"], data=fields)
    assert answer.status_code == 303
    assert plan_of(app, member.team_id) == "starter"


def test_a_downgrade_says_what_is_over_when_it_goes_and_in_what_order(app, client, factory):
    member, ids = factory.over_limit(5, "growth")  # on Growth, 5 numbers: no grace
    Auth(client).sign_in(member)
    before = utcnow()
    page = soup(client.get(confirm_url(member.team_id, "starter")))
    over = page.select_one("#change-over")
    assert text(over).startswith(
        "This team holds 5 numbers; Starter allows 3. Nothing is released now: you choose the 3 "
        "to keep until"
    )
    ends = over.select_one("time")["datetime"]
    assert ends >= (before + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Unassigned first (3 then 1, newest first): two over.
    listed = [li["data-number"] for li in page.select("#due-numbers li")]
    assert listed == ["+13035550203", "+13035550201"]
    assert "button-danger" in page.select_one("#change-confirm")["class"]


def test_moving_to_free_says_the_former_trial_goes_and_no_new_trial_comes(app, client, factory):
    member = factory.member("free")
    bought_id(client, member, sandbox_number("415", 0))
    with app.app_context():
        change_plan(db.session.get(Team, member.team_id), "starter", member.user_id)
    Auth(client).sign_in(member)
    page = soup(client.get(confirm_url(member.team_id, "free")))
    former = text(page.select_one("[data-role=former-trial]"))
    assert former.startswith(
        "(415) 555-0100 was this team's trial number and became a regular number when it "
        "subscribed. The Free plan keeps only a live trial number"
    )
    assert text(page.select_one("[data-role=trial-after]")) == (
        "This team has had its free trial: on Free it cannot buy numbers."
    )
    assert text(page.select_one("#change-over")).startswith(
        "This team holds 1 number; Free keeps only a live trial number."
    )


def test_a_grace_running_keeps_its_date(app, client, factory):
    member, _ids = factory.over_limit(6, "starter")
    with app.app_context():
        ends = db.session.get(Team, member.team_id).grace_ends_at
    Auth(client).sign_in(member)
    page = soup(client.get(confirm_url(member.team_id, "free")))
    over = page.select_one("#change-over")
    assert over.select_one("time")["datetime"] == ends.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_current_plan_goes_back_and_an_unknown_one_is_not_found(client, factory):
    member = factory.member("growth")
    Auth(client).sign_in(member)
    same = client.get(confirm_url(member.team_id, "growth"))
    assert same.status_code == 303 and same.location == f"/teams/{member.team_id}/plans"
    assert client.get(confirm_url(member.team_id, "platinum")).status_code == 404


@pytest.mark.parametrize("role", ["admin", "member"])
def test_only_owners_see_the_summary(client, factory, role):
    owner = factory.member("growth")
    other = factory.member(team_id=owner.team_id, role=role)
    Auth(client).sign_in(other)
    assert client.get(confirm_url(owner.team_id, "starter")).status_code == 403
