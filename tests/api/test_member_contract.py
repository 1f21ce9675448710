"""The contract's flows for an ordinary member, set up exactly as its CLI documents.

`flask teams create`, then `flask users create ... --team T` without `--role` (the team's
first person becomes its owner, the next a member), then `flask tokens create` for the
member: that token searches, buys within the plan, is refused past it, meets a held number
with 409, races fairly, and spends a Free team's one trial.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import PURCHASE, SEARCH, assert_error, sandbox_number


class Caller:
    """A token holder as a client sees them: a team id and a bearer header."""

    def __init__(self, team_id: str, token: str):
        self.team_id = team_id
        self.headers = {"Authorization": f"Bearer {token}"}


def last_line(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def member_of_new_team(runner, plan: str, name: str = "Acme") -> Caller:
    team_id = last_line(runner.invoke(args=["teams", "create", name, "--plan", plan]))
    for person in ("owner", "member"):
        made = runner.invoke(
            args=["users", "create", f"{person}-{team_id}@example.com", "--name", person,
                  "--password", "long-enough-pw", "--team", team_id]
        )  # fmt: skip
        assert made.stdout.splitlines()[0] == f"Role: {person} in {name}"
    token = last_line(runner.invoke(args=["tokens", "create", f"member-{team_id}@example.com"]))
    return Caller(team_id, token)


def purchase(client, caller: Caller, number: str):
    body = {"phoneNumber": number, "teamId": caller.team_id}
    return client.post(PURCHASE, json=body, headers=caller.headers)


def test_a_members_token_follows_the_contract_to_the_plan_limit(client, runner):
    member = member_of_new_team(runner, "starter")
    filters = {"countryCode": "US", "areaCode": "415", "numberType": "local", "limit": 10}
    found = client.post(SEARCH, json={"filters": filters}, headers=member.headers)
    assert found.status_code == 200 and found.get_json()["count"] == 10

    first = purchase(client, member, "+14155550101")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["phoneNumber"]["status"] == "active" and body["phoneNumber"]["is_trial"] is False
    assert body["eligibility"] == {
        "currentCount": 1,
        "maxAllowed": 3,
        "hasSubscription": True,
        "planName": "Starter",
    }
    assert_error(purchase(client, member, "+14155550101"), 409, "number_unavailable")
    for index in (2, 3):
        assert purchase(client, member, sandbox_number("415", index)).status_code == 200
    refused = assert_error(purchase(client, member, "+14155550104"), 403, "plan_limit_reached")
    assert refused["eligibility"] == {
        "currentCount": 3,
        "maxAllowed": 3,
        "hasSubscription": True,
        "planName": "Starter",
    }
    listed = client.get(PURCHASE, query_string={"teamId": member.team_id}, headers=member.headers)
    rows = listed.get_json()["numbers"]
    assert len(rows) == 3
    assert {r["created_by_email"] for r in rows} == {f"member-{member.team_id}@example.com"}


def test_a_members_token_spends_a_free_teams_one_trial(client, runner):
    member = member_of_new_team(runner, "free")
    bought = purchase(client, member, "+14155550101")
    assert bought.status_code == 200, bought.get_json()
    number = bought.get_json()["phoneNumber"]
    assert number["is_trial"] is True and number["trial_expires_at"].endswith("Z")
    assert bought.get_json()["eligibility"]["planName"] == "Free"
    assert_error(purchase(client, member, "+14155550102"), 403, "plan_limit_reached")


@pytest.mark.parametrize(("plan", "winners"), [("starter", 3), ("growth", 10)])
def test_members_racing_over_http_get_exactly_the_plans_numbers(app, runner, plan, winners):
    member = member_of_new_team(runner, plan)
    attempts = 12
    barrier = threading.Barrier(attempts)

    def attempt(index: int) -> int:
        client = app.test_client()  # one client per thread, as separate API clients are
        barrier.wait(timeout=30)
        return purchase(client, member, sandbox_number("617", index)).status_code

    with ThreadPoolExecutor(attempts) as pool:
        statuses = list(pool.map(attempt, range(attempts)))
    assert statuses.count(200) == winners
    assert statuses.count(403) == attempts - winners
    listed = app.test_client().get(
        PURCHASE, query_string={"teamId": member.team_id}, headers=member.headers
    )
    assert listed.get_json()["count"] == winners
