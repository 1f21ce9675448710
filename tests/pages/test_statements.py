"""The sandbox's monthly statements: the numbers bought and the plan held in a month (UTC),
listed on the Plans page, each as a page and as CSV; another team's or a month outside the
team's life is not found."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app import audit
from app.extensions import db
from app.models import Team
from tests.pages.helpers import soup, text


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def owner(app, factory, auth, monkeypatch):
    """A Starter team since 15 Oct that moved to Growth on 10 Nov, with numbers bought; it
    is 7 Dec 2026 for the statements."""
    monkeypatch.setattr("app.dashboard.statements.utcnow", lambda: at(12, 7))
    someone = factory.member("starter")
    price = {"setup_price": Decimal("1.00"), "monthly_price": Decimal("1.00")}
    factory.number(someone, "+14155550109", created_at=at(10, 20), **price)  # October
    factory.number(someone, "+14155550100", created_at=at(11, 3), **price)
    factory.number(someone, "+14155550101", created_at=at(11, 20), is_trial=True, status="expired")
    factory.number(someone, "+14155550102", created_at=at(11, 25))  # no quoted price
    with app.app_context():
        team = db.session.get(Team, someone.team_id)
        team.created_at = at(10, 15)
        team.plan = "growth"
        change = audit.record(
            team.id,
            someone.user_id,
            audit.Action.PLAN_CHANGE,
            subject="Growth",
            before={"plan": "starter"},
            after={"plan": "growth"},
        )
        change.created_at = at(11, 10)
        db.session.commit()
    auth.sign_in(someone)
    return someone


def test_the_plans_page_lists_a_statement_per_month_since_the_team_began(client, owner):
    page = soup(client.get(f"/teams/{owner.team_id}/plans"))
    months = [li["id"] for li in page.select("#statements li")]
    assert months == ["statement-2026-12", "statement-2026-11", "statement-2026-10"]
    links = [a["href"] for a in page.select("#statement-2026-11 a")]
    assert links == [
        f"/teams/{owner.team_id}/statements/2026-11",
        f"/teams/{owner.team_id}/statements/2026-11.csv",
    ]


def test_a_months_statement_lists_its_orders_and_plan_charges(client, owner):
    response = client.get(f"/teams/{owner.team_id}/statements/2026-11")
    assert response.status_code == 200
    page = soup(response)
    assert text(page.select_one("#statement-title")) == "Statement for November 2026"
    rows = [
        [text(td) for td in row.select("td")] for row in page.select("#statement-lines tbody tr")
    ]
    assert rows == [
        ["01 Nov 2026, 00:00 UTC", "Starter plan, the month", "—", "$9.00"],
        ["03 Nov 2026, 12:00 UTC", "(415) 555-0100: setup and first month", "User 1", "$2.00"],
        ["10 Nov 2026, 12:00 UTC", "Changed to the Growth plan", "User 1", "$29.00"],
        ["20 Nov 2026, 12:00 UTC", "(415) 555-0101: free trial", "User 1", "$0.00"],
        ["25 Nov 2026, 12:00 UTC", "(415) 555-0102: setup and first month", "User 1",
         "No quoted price"],
    ]  # fmt: skip
    assert text(page.select_one("#statement-total")) == "$40.00"
    assert text(page.select_one("#statement-unpriced")).startswith("1 number bought without")


def test_the_first_month_starts_with_the_team(client, owner):
    page = soup(client.get(f"/teams/{owner.team_id}/statements/2026-10"))
    rows = [[text(td) for td in r.select("td")] for r in page.select("#statement-lines tbody tr")]
    assert rows == [
        ["15 Oct 2026, 12:00 UTC", "Starter plan, from the team's start", "—", "$9.00"],
        ["20 Oct 2026, 12:00 UTC", "(415) 555-0109: setup and first month", "User 1", "$2.00"],
    ]


def test_the_statement_as_csv(client, owner):
    response = client.get(f"/teams/{owner.team_id}/statements/2026-11.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="statement-2026-11.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["time_utc", "time", "kind", "what", "who", "amount_usd"],
        ["2026-11-01T00:00:00Z", "01 Nov 2026, 00:00 UTC", "plan", "Starter plan, the month",
         "", "9.00"],
        ["2026-11-03T12:00:00Z", "03 Nov 2026, 12:00 UTC", "number",
         "(415) 555-0100: setup and first month", "User 1", "2.00"],
        ["2026-11-10T12:00:00Z", "10 Nov 2026, 12:00 UTC", "plan", "Changed to the Growth plan",
         "User 1", "29.00"],
        ["2026-11-20T12:00:00Z", "20 Nov 2026, 12:00 UTC", "number",
         "(415) 555-0101: free trial", "User 1", "0.00"],
        ["2026-11-25T12:00:00Z", "25 Nov 2026, 12:00 UTC", "number",
         "(415) 555-0102: setup and first month", "User 1", ""],
        ["", "", "total", "Total for November 2026", "", "40.00"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    "month", ["2026-09", "2027-01", "2026-13", "2026-1", "nov", "0000-01", "2026-11x"]
)
def test_a_month_without_a_statement_is_not_found(client, owner, month):
    assert client.get(f"/teams/{owner.team_id}/statements/{month}").status_code == 404
    assert client.get(f"/teams/{owner.team_id}/statements/{month}.csv").status_code == 404


def test_another_teams_statement_is_not_found(client, factory, owner):
    stranger = factory.member("growth")
    assert client.get(f"/teams/{stranger.team_id}/statements/2026-12").status_code == 404
