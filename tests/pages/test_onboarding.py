"""The getting-started checklist on a new team's Numbers page: each step ticked from what the
team has (a number, an assistant, a number routed to it, a call), dismissible for the whole
team (kept), and gone once every step is done."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import PhoneNumber
from tests.pages.helpers import HTMX, csrf_token, numbers_url, soup, text


def ticks(client, team_id):
    """{step: done} as the page shows them, or None when there is no checklist."""
    found = soup(client.get(numbers_url(team_id))).select_one("#onboarding")
    if found is None:
        return None
    return {li["id"].removeprefix("onboarding-"): li["data-done"] for li in found.select("li")}


@pytest.fixture
def owner(factory, auth):
    someone = factory.member("starter")
    auth.sign_in(someone)
    return someone


def test_each_step_is_ticked_from_the_teams_real_state(app, client, factory, owner):
    steps = ["number", "assistant", "route", "call"]
    assert ticks(client, owner.team_id) == dict.fromkeys(steps, "false")

    number_id = factory.number(owner, "+14155550100")
    assert ticks(client, owner.team_id) == {
        "number": "true",
        "assistant": "false",
        "route": "false",
        "call": "false",
    }
    factory.assistant(owner, "Ava", numbers=[number_id])
    assert ticks(client, owner.team_id) == {
        "number": "true",
        "assistant": "true",
        "route": "true",
        "call": "false",
    }

    page = soup(client.get(numbers_url(owner.team_id)))
    link = page.select_one("#onboarding-call a")
    assert link["href"] == f"/teams/{owner.team_id}/numbers/{number_id}#routing-test"
    # The routing test the step links to is what ticks it; with every step done it is gone.
    path = link["href"].split("#")[0]
    token = csrf_token(client, path)
    tested = client.post(path + "/test-call", data={"caller": "+12125550123", "csrf_token": token})
    assert tested.status_code == 200
    assert ticks(client, owner.team_id) is None
    # Done is done: a settled team that later holds no number is not new again.
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        number.status, number.assistant_id = "released", None
        db.session.commit()
    assert ticks(client, owner.team_id) is None


def test_an_unassigned_number_is_not_routed(client, factory, owner):
    factory.number(owner, "+14155550100")
    factory.assistant(owner, "Ava")  # made, but answering on nothing
    assert ticks(client, owner.team_id)["route"] == "false"


def test_a_released_number_does_not_count(client, factory, owner):
    factory.number(owner, "+14155550100", status="released")
    assert ticks(client, owner.team_id)["number"] == "false"


def test_dismissing_hides_it_for_the_whole_team_and_stays_hidden(client, factory, auth, owner):
    page = soup(client.get(numbers_url(owner.team_id)))
    form = page.select_one("#onboarding form")
    token = form.select_one("input[name=csrf_token]")["value"]
    response = client.post(form["action"], data={"csrf_token": token})
    assert response.status_code == 303
    assert ticks(client, owner.team_id) is None

    member = factory.member(team_id=owner.team_id, role="member")
    auth.sign_out()
    auth.sign_in(member)
    assert ticks(client, owner.team_id) is None


def test_dismissing_with_htmx_answers_an_empty_fragment(client, owner):
    token = csrf_token(client, numbers_url(owner.team_id))
    response = client.post(
        f"/teams/{owner.team_id}/onboarding/dismiss",
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert ticks(client, owner.team_id) is None


def test_without_the_csrf_token_nothing_is_dismissed(client, owner):
    response = client.post(f"/teams/{owner.team_id}/onboarding/dismiss")
    assert response.status_code == 400
    assert ticks(client, owner.team_id) is not None


def test_another_teams_checklist_is_not_found(client, factory, owner):
    other = factory.member("starter")
    token = csrf_token(client, numbers_url(owner.team_id))
    response = client.post(f"/teams/{other.team_id}/onboarding/dismiss", data={"csrf_token": token})
    assert response.status_code == 404
    assert "Get started" in text(soup(client.get(numbers_url(owner.team_id))).select_one("main"))
