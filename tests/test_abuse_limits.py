"""Limits a person cannot walk around: invitations per person and per team (and how many may
wait at once), one search budget for the API and the search page, and current-password
checks on the Account page. A limit hit on a page is a form error or a page that says so."""

from __future__ import annotations

import pytest

from app.accounts import invitations
from app.extensions import db
from app.models import Invitation
from tests.factories import PASSWORD, Factory
from tests.helpers import SEARCH
from tests.pages.helpers import HTMX, Auth, csrf_token, form_post, mail_to, soup, text
from tests.support import build_app, teardown_app

BODY = {"filters": {"countryCode": "US", "limit": 1}}


@pytest.fixture
def limited(tmp_path):
    app = build_app(
        tmp_path,
        RATELIMIT_INVITE="3 per hour",
        RATELIMIT_INVITE_TEAM="5 per hour",
        RATELIMIT_API_SEARCH="3 per minute",
        RATELIMIT_PASSWORD_CHANGE="3 per 15 minutes",
    )
    yield app
    teardown_app(app)


def invite(client, team_id: str, email: str):
    token = csrf_token(client, f"/teams/{team_id}/settings")
    return client.post(
        f"/teams/{team_id}/invitations",
        data={"email": email, "role": "member", "csrf_token": token},
        headers={**HTMX, "X-CSRFToken": token},
    )


def open_invitations(app, team_id: str) -> int:
    with app.app_context():
        query = db.select(db.func.count()).where(Invitation.team_id == team_id)
        return db.session.scalar(query)


def test_invitations_are_limited_per_person_then_per_team(limited):
    factory = Factory(limited)
    owner = factory.member("growth")
    admin = factory.member(team_id=owner.team_id, role="admin")
    first, second = limited.test_client(), limited.test_client()
    Auth(first).sign_in(owner)
    Auth(second).sign_in(admin)

    sent = [invite(first, owner.team_id, f"guest{i}@example.com") for i in range(4)]

    assert [r.status_code for r in sent] == [200, 200, 200, 400]
    error = text(soup(sent[-1]).select_one("#email-error"))
    assert error.startswith("You have sent as many invitations as allowed for now: try again in")
    assert mail_to(limited, "guest3@example.com") == []
    # Another admin of the team still may, until the team's own limit (5) is spent.
    more = [invite(second, owner.team_id, f"other{i}@example.com") for i in range(3)]
    assert [r.status_code for r in more] == [200, 200, 400]
    assert text(soup(more[-1]).select_one("#email-error")).startswith(
        f"{owner_team_name(limited, owner.team_id)} has sent as many invitations as allowed"
    )
    assert open_invitations(limited, owner.team_id) == 5


def owner_team_name(app, team_id: str) -> str:
    from app.models import Team

    with app.app_context():
        return db.session.get(Team, team_id).name


def test_a_team_has_at_most_so_many_invitations_waiting(app, client, factory, monkeypatch):
    monkeypatch.setattr(invitations, "OPEN_INVITATIONS", 3)
    owner = factory.member("growth")
    Auth(client).sign_in(owner)

    answers = [invite(client, owner.team_id, f"guest{i}@example.com") for i in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 400]
    assert "has 3 invitations waiting: withdraw some" in text(
        soup(answers[-1]).select_one("#email-error")
    )
    # Inviting an address again replaces its invitation: that is no new one waiting.
    assert invite(client, owner.team_id, "guest0@example.com").status_code == 200
    assert open_invitations(app, owner.team_id) == 4  # three open, one withdrawn


def test_the_search_page_and_the_api_share_one_budget(limited):
    factory = Factory(limited)
    member = factory.member("growth")
    api, page = limited.test_client(), limited.test_client()
    Auth(page).sign_in(member)
    search = f"/teams/{member.team_id}/search"

    assert page.get(search).status_code == 200  # the empty form searches nothing
    for _ in range(2):
        assert api.post(SEARCH, json=BODY, headers=member.headers).status_code == 200
    assert page.get(f"{search}?country=US&number_type=local").status_code == 200

    refused = page.get(f"{search}?country=US&number_type=local&area_code=212")
    assert refused.status_code == 429
    assert "Too many attempts" in text(soup(refused))
    answer = api.post(SEARCH, json=BODY, headers=member.headers)
    assert answer.status_code == 429 and answer.json["error"]["code"] == "rate_limited"


def test_guessing_the_current_password_is_stopped_even_with_the_right_one(limited):
    factory = Factory(limited)
    member = factory.member()
    client = limited.test_client()
    Auth(client).sign_in(member)

    def change(current: str):
        data = {"current_password": current, "password": "a brand new password"}
        return form_post(client, "/account/password", data, page="/account")

    for guess in ("guess one", "guess two", "guess three"):
        wrong = change(guess)
        assert wrong.status_code == 400
        assert text(soup(wrong).select_one("#current_password-error")) == (
            "That is not your current password."
        )
    right = change(PASSWORD)

    assert right.status_code == 400
    assert text(soup(right).select_one("#current_password-error")).startswith(
        "Too many tries at your current password: try again in"
    )
    # The password did not change: the old one still signs in.
    other = limited.test_client()
    assert Auth(other).sign_in(member).status_code == 302
