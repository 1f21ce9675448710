"""The numbers table, the plan banner, the team switcher and team isolation."""

from datetime import timedelta

import pytest

from app.accounts import teams as accounts
from app.extensions import db
from app.models import PhoneNumber, Team, User, utcnow
from app.timefmt import iso
from tests.helpers import TRIAL_DAYS
from tests.pages.helpers import HTMX, add_number, buy, numbers_url, search_url, soup, text


def test_a_bought_trial_shows_in_the_table(client, member):
    assert buy(client, member.team_id, "+14155550100").status_code == 200
    response = client.get(numbers_url(member.team_id))
    assert response.status_code == 200
    page = soup(response)
    (row,) = page.select("#numbers-table tbody tr")
    assert row["data-number"] == "+14155550100"
    assert row.select_one(".number-national").get_text(strip=True) == "(415) 555-0100"
    assert row.select_one(".number-e164").get_text(strip=True) == "+14155550100"
    assert row.select_one("[data-status]")["data-status"] == "active"
    assert row.select_one("[data-role=trial-countdown]").get_text(strip=True) == (
        f"expires in {TRIAL_DAYS} days"
    )
    picked = row.select_one("td[data-label=Assistant] [data-role=assistant-name]")
    assert picked.get_text(strip=True) == "Unassigned"
    assert row.select_one("td[data-label='Purchased by']").get_text(strip=True) == "User 1"
    moment = row.select_one("time[data-local]")
    assert moment["datetime"] == moment["title"] and moment["datetime"].endswith("Z")


def test_statuses_countdowns_and_assistants(app, client, member):
    now = utcnow()
    add_number(app, member.team_id, "+14155550101", status="pending")
    add_number(
        app,
        member.team_id,
        "+14155550102",
        is_trial=True,
        trial_expires_at=now + timedelta(days=3, hours=3, minutes=30),
        assistant="Sales Agent",
        user_id=member.user_id,
    )
    add_number(
        app, member.team_id, "+14155550103", is_trial=True, trial_expires_at=now - timedelta(days=2)
    )
    page = soup(client.get(numbers_url(member.team_id)))
    rows = {row["data-number"]: row for row in page.select("#numbers-table tbody tr")}
    assert rows["+14155550101"].select_one("[data-status]")["data-status"] == "pending"
    trial = rows["+14155550102"]
    assert trial.select_one("[data-role=trial-countdown]").get_text(strip=True) == (
        "expires in 3 days 4 h"
    )
    # The countdown says when, too: the date and time it ends (in UTC without JavaScript).
    ends = trial.select_one("[data-role=trial-end] time")
    assert ends["datetime"] == iso(now + timedelta(days=3, hours=3, minutes=30))
    assert text(trial.select_one("[data-role=trial-end]")).startswith("Ends ")
    picked = trial.select_one("td[data-label=Assistant] [data-role=assistant-name]")
    assert picked.get_text(strip=True) == "Sales Agent"
    assert trial.select_one("[data-role=change-assistant]")
    expired = rows["+14155550103"]
    assert expired.select_one("[data-status]")["data-status"] == "expired"
    assert "expired 2 days" in expired.select_one("[data-role=trial-countdown]").get_text()
    assert text(expired.select_one("[data-role=trial-end]")).startswith("Ended ")
    # An expired trial takes no calls: nothing to assign or label on it.
    assert expired.select_one("[data-role=change-assistant], [data-role=edit-label]") is None


def test_banner_counts_a_paid_plan(app, client, factory, auth):
    growth = factory.member("growth")
    auth.sign_in(growth)
    for index in range(3):
        add_number(app, growth.team_id, f"+1415555010{index}")
    page = soup(client.get(numbers_url(growth.team_id)))
    assert page.select_one("#plan-headline").get_text(strip=True) == "3 of 10 numbers · Growth"


def test_empty_state_leads_to_search(client, member):
    page = soup(client.get(numbers_url(member.team_id)))
    assert not page.select("#numbers-table table")
    link = page.select_one("#numbers-empty a")
    assert link["href"] == search_url(member.team_id)


def test_htmx_gets_the_table_fragment_and_browsers_the_page(client, member):
    page = client.get(numbers_url(member.team_id))
    fragment = client.get(numbers_url(member.team_id), headers=HTMX)
    for response in (page, fragment):
        assert "HX-Request" in response.headers["Vary"]
    assert soup(page).select_one("html body #numbers-table")
    assert soup(fragment).find("html") is None
    assert soup(fragment).select_one("#numbers-table")
    assert len(fragment.data) < len(page.data) / 2


def test_a_history_restore_gets_the_whole_page(client, member):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    response = client.get(numbers_url(member.team_id), headers=headers)
    assert soup(response).find("html") is not None


def test_home_opens_the_current_team(client, member):
    response = client.get("/")
    assert response.location == numbers_url(member.team_id)


def test_a_member_of_two_teams_switches_from_the_header(app, client, member):
    with app.app_context():
        other = accounts.create_team("Zeta Corp", "growth")
        accounts.add_member(db.session.get(User, member.user_id), other, "member")
        other_id = other.id
    page = soup(client.get(numbers_url(member.team_id)))
    links = {a["data-team-id"]: a for a in page.select("#team-switcher a[data-team-id]")}
    assert set(links) == {member.team_id, other_id}
    assert links[member.team_id]["aria-current"] == "true"
    switched = soup(client.get(links[other_id]["href"]))
    assert switched.select_one("#plan-headline").get_text(strip=True) == "0 of 10 numbers · Growth"
    assert client.get("/").location == numbers_url(other_id)  # the session remembers


@pytest.mark.parametrize(
    "path",
    [
        "/teams/{}/numbers",
        "/teams/{}/search",
        "/teams/{}/search?country=US",
        "/teams/{}/search/area-code",
    ],
)
def test_another_teams_pages_are_not_found(client, factory, member, path):
    stranger = factory.member("growth")
    assert client.get(path.format(stranger.team_id)).status_code == 404
    assert client.get(path.format("team_does_not_exist")).status_code == 404


def test_buying_for_another_team_is_not_found(app, client, factory, member):
    stranger = factory.member("growth")
    response = buy(client, stranger.team_id, "+14155550100")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber)) == 0
        assert db.session.get(Team, stranger.team_id).trial_used_at is None


def test_a_live_trial_fills_the_free_plan_without_a_warning(client, member):
    assert buy(client, member.team_id, "+14155550100").status_code == 200
    banner = soup(client.get(numbers_url(member.team_id))).select_one("#plan-banner")
    # Not the "full" warning look: nothing ran out; the meter counts numbers, and says so.
    assert "is-full" not in banner["class"]
    meter = banner.select_one("progress#plan-meter")
    assert (meter["value"], meter["max"]) == ("1", "1")
    assert text(banner.select_one(f"#{meter['aria-labelledby']}")) == "1 of 1 number in use"


def test_a_full_paid_plan_still_warns(app, client, factory, auth):
    starter = factory.member("starter")
    auth.sign_in(starter)
    for index in range(3):
        add_number(app, starter.team_id, f"+1415555010{index}")
    banner = soup(client.get(numbers_url(starter.team_id))).select_one("#plan-banner")
    assert "is-full" in banner["class"]
    assert text(banner.select_one("#plan-meter-label")) == "3 of 3 numbers in use"
