"""What one person may do across all their teams: create a few teams a day, and hold at most
so many numbers at once. Both are checked under a lock on the person, so a burst of requests
gets no more than the limit, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.teams import actor_for, found_team
from app.exceptions import Conflict, ValidationFailed
from app.extensions import db
from app.models import CartItem, Team, User, utcnow
from app.numbers.cart import MAX_HOLDS_PER_PERSON, hold_number
from tests.factories import add_team, found
from tests.helpers import assert_error, sandbox_number
from tests.pages.helpers import Auth, csrf_token, soup, text

HOLDS = "/api/phone-numbers/holds"


def founded(app, user_id) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(Team.founder_id == user_id))


def test_a_person_creates_three_teams_a_day_then_is_told_when_they_may_again(app, factory):
    person = factory.member("growth")
    start = utcnow()
    for hour in range(3):
        found(app, person, f"Team {hour}", start + timedelta(hours=hour))
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        found_team(db.session.get(User, person.user_id), "One more", start + timedelta(hours=5))
    message = refused.value.fields["team_name"]
    assert message.startswith("You have created 3 teams in the last 24 hours, the most one")
    first_again = (start + timedelta(days=1)).strftime("%d %b %Y, %H:%M UTC")
    assert message.endswith(f"you can create another after {first_again}.")
    # A day after the first, one more may be made.
    found(app, person, "Next day", start + timedelta(days=1, minutes=1))
    assert founded(app, person.user_id) == 4


def test_the_limit_is_a_setting(app, factory):
    app.config["TEAMS_PER_USER_PER_DAY"] = 1
    person = factory.member("growth")
    found(app, person, "Only one")
    with app.app_context(), pytest.raises(ValidationFailed):
        found_team(db.session.get(User, person.user_id), "Second")


def test_the_new_team_page_refuses_with_a_form_error(app, client, factory):
    person = factory.member("growth")
    for i in range(3):
        found(app, person, f"Team {i}")
    Auth(client).sign_in(person)
    answer = client.post(
        "/teams/new", data={"name": "Fourth", "csrf_token": csrf_token(client, "/teams/new")}
    )
    assert answer.status_code == 400
    error = soup(answer).select_one("#new-team-form .field-error")
    assert text(error).startswith("You have created 3 teams in the last 24 hours")
    assert founded(app, person.user_id) == 3


def test_a_burst_of_team_creations_gets_the_limit_and_no_more(app, factory):
    person = factory.member("growth")
    barrier = threading.Barrier(6)

    def create(index):
        with app.app_context():
            user = db.session.get(User, person.user_id)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                return found_team(user, f"Burst {index}").id
            except ValidationFailed:
                return "refused"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(create, range(6)))
    assert outcomes.count("refused") == 3
    assert founded(app, person.user_id) == 3


def held_already(app, member, count: int, area: str) -> None:
    """`count` live holds by the member's user in the member's team, written to the table."""
    now = utcnow()
    with app.app_context():
        db.session.add_all(
            CartItem(
                team_id=member.team_id,
                phone_number=sandbox_number(area, i),
                provider="sandbox",
                country_code="US",
                number_type="local",
                place="",
                features=[],
                held_by_id=member.user_id,
                created_at=now,
                expires_at=now + timedelta(minutes=30),
            )
            for i in range(count)
        )
        db.session.commit()


def test_a_person_holds_at_most_the_cap_across_their_teams(app, client, factory):
    person = factory.member("growth")
    other = add_team(app, person, "Other", "growth")
    held_already(app, person, 12, "212")
    held_already(app, other, MAX_HOLDS_PER_PERSON - 12, "213")
    body = {"teamId": other.team_id, "phoneNumber": sandbox_number("415", 0)}
    refused = client.post(HOLDS, json=body, headers=other.headers)
    error = assert_error(refused, 409, "conflict")["error"]
    assert error["message"] == (
        f"You hold {MAX_HOLDS_PER_PERSON} numbers across your teams, the most one person may "
        "hold at once: buy some, or remove some from a cart, first."
    )
    # Someone else in the same team is not held back by this person's holds.
    colleague = factory.member(team_id=other.team_id, role="member")
    body = {"teamId": other.team_id, "phoneNumber": sandbox_number("415", 1)}
    assert client.post(HOLDS, json=body, headers=colleague.headers).status_code == 201


def test_the_page_says_so_too(app, client, factory):
    person = factory.member("growth")
    held_already(app, add_team(app, person, "Other", "growth"), MAX_HOLDS_PER_PERSON, "213")
    Auth(client).sign_in(person)
    search = f"/teams/{person.team_id}/search?country=US&area_code=415"
    answer = client.post(
        f"/teams/{person.team_id}/cart",
        data={"phone_number": sandbox_number("415", 0), "csrf_token": csrf_token(client, search)},
    )
    assert answer.status_code == 303
    page = soup(client.get(answer.location))
    assert "the most one person may hold at once" in text(page.select_one(".flash-error"))


def test_a_burst_of_holds_across_teams_stops_at_the_cap(app, factory):
    person = factory.member("growth")
    teams = [person] + [add_team(app, person, f"Team {i}", "growth") for i in range(3)]
    held_already(app, teams[0], MAX_HOLDS_PER_PERSON - 1, "212")
    barrier = threading.Barrier(4)

    def attempt(index):
        member = teams[index]
        with app.app_context():
            actor = actor_for(db.session.get(User, member.user_id), member.team_id)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                return hold_number(actor, sandbox_number("512", index)).id
            except Conflict:
                return "refused"

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(attempt, range(4)))
    assert outcomes.count("refused") == 3
    with app.app_context():
        held = db.session.scalar(
            sa.select(sa.func.count()).where(CartItem.held_by_id == person.user_id)
        )
    assert held == MAX_HOLDS_PER_PERSON
