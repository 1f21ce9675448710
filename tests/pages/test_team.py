"""Team settings: the id to copy, the people and their roles, who may change what, History."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AuditEvent, Membership, Team
from tests.pages.helpers import HTMX, csrf_token, soup, text


def settings_url(team_id: str) -> str:
    return f"/teams/{team_id}/settings"


def act(client, team_id: str, path: str, data: dict | None = None, htmx: bool = False):
    token = csrf_token(client, settings_url(team_id))
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    return client.post(
        f"/teams/{team_id}{path}", data={**(data or {}), "csrf_token": token}, headers=headers
    )


def role_of(app, team_id: str, user_id: str) -> str | None:
    with app.app_context():
        membership = db.session.get(Membership, (user_id, team_id))
        return membership.role if membership else None


@pytest.fixture
def team(factory, auth):
    """An owner (signed in), an admin and a member of one Growth team."""
    owner = factory.member("growth")
    admin = factory.member(team_id=owner.team_id, role="admin")
    member = factory.member(team_id=owner.team_id, role="member")
    auth.sign_in(owner)
    return owner, admin, member


def test_settings_show_the_id_to_copy_and_everyone_with_their_role(client, team):
    owner, admin, member = team
    page = soup(client.get(settings_url(owner.team_id)))
    assert page.select_one("#team-id")["value"] == owner.team_id
    assert page.select_one("[data-copy='#team-id']")
    rows = page.select("#members-table tbody tr")
    assert [(r["data-email"], r["data-role"]) for r in rows] == [
        (owner.email, "owner"),
        (admin.email, "admin"),
        (member.email, "member"),
    ]
    # The only owner can neither leave nor be demoted: no control offers it.
    mine = page.select_one(f"#member-{owner.user_id}")
    assert mine.select_one("[data-role=sole-owner]") and not mine.select_one("select")
    assert not mine.select_one("[data-role=remove]")


def test_an_owner_changes_a_role_and_history_says_so(app, client, team):
    owner, admin, member = team
    response = act(
        client, owner.team_id, f"/members/{member.user_id}/role", {"role": "admin"}, htmx=True
    )
    assert response.status_code == 200
    assert "is an admin now" in soup(response).select_one("#team-notice").get_text()
    assert role_of(app, owner.team_id, member.user_id) == "admin"
    history = soup(client.get(f"/teams/{owner.team_id}/history"))
    first = text(history.select_one("#history-table tbody tr"))
    assert f"Changed the role of {member.email}" in first and "member" in first and "admin" in first


def test_the_last_owner_cannot_be_demoted_or_leave(app, client, team):
    owner, _admin, _member = team
    response = act(
        client, owner.team_id, f"/members/{owner.user_id}/role", {"role": "admin"}, htmx=True
    )
    assert response.status_code == 409
    assert "only owner" in soup(response).select_one("#team-problem").get_text()
    response = act(client, owner.team_id, "/leave")
    assert response.status_code == 303
    assert role_of(app, owner.team_id, owner.user_id) == "owner"


def test_ownership_is_handed_over_in_one_step(app, client, team):
    owner, admin, _member = team
    response = act(client, owner.team_id, f"/members/{admin.user_id}/transfer")
    assert response.status_code == 303
    assert role_of(app, owner.team_id, admin.user_id) == "owner"
    assert role_of(app, owner.team_id, owner.user_id) == "admin"
    # No longer an owner: role changes are refused now.
    refused = act(client, owner.team_id, f"/members/{admin.user_id}/role", {"role": "member"})
    assert refused.status_code == 403


def test_an_owner_who_is_not_the_last_may_leave(app, client, factory, auth, team):
    owner, admin, _member = team
    act(client, owner.team_id, f"/members/{admin.user_id}/role", {"role": "owner"})
    response = act(client, owner.team_id, "/leave", htmx=True)
    assert response.headers["HX-Redirect"] == "/"
    assert role_of(app, owner.team_id, owner.user_id) is None
    assert client.get(settings_url(owner.team_id)).status_code == 404


def test_admins_remove_members_but_not_admins_or_owners(app, client, factory, auth, team):
    owner, admin, member = team
    other_admin = factory.member(team_id=owner.team_id, role="admin")
    auth.sign_out()
    auth.sign_in(admin)
    page = soup(client.get(settings_url(owner.team_id)))
    assert page.select_one(f"#member-{member.user_id} [data-role=remove]")
    assert not page.select_one(f"#member-{other_admin.user_id} [data-role=remove]")
    assert not page.select("#members-table select")  # roles are the owner's to change

    assert act(client, owner.team_id, f"/members/{owner.user_id}/remove").status_code == 403
    assert act(client, owner.team_id, f"/members/{other_admin.user_id}/remove").status_code == 403
    assert (
        act(client, owner.team_id, f"/members/{member.user_id}/role", {"role": "admin"}).status_code
        == 403
    )
    assert act(client, owner.team_id, f"/members/{member.user_id}/remove").status_code == 303
    assert role_of(app, owner.team_id, member.user_id) is None
    assert role_of(app, owner.team_id, other_admin.user_id) == "admin"


def test_a_member_sees_no_controls_but_may_leave(app, client, auth, team):
    owner, admin, member = team
    auth.sign_out()
    auth.sign_in(member)
    page = soup(client.get(settings_url(owner.team_id)))
    assert not page.select_one("#invite-form")
    assert not page.select("[data-role=remove], [data-role=transfer], #members-table select")
    assert page.select_one(f"#member-{member.user_id} [data-role=leave]")
    assert act(client, owner.team_id, f"/members/{admin.user_id}/remove").status_code == 403
    assert act(client, owner.team_id, "/invitations", {"email": "x@example.com"}).status_code == 403
    assert act(client, owner.team_id, "/leave").status_code == 303
    assert role_of(app, owner.team_id, member.user_id) is None
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).order_by(AuditEvent.created_at.desc())
        ).first()
        assert (event.action, event.actor_id) == ("member_leave", member.user_id)


def test_someone_in_another_team_is_not_found_here(client, factory, team):
    owner, _admin, _member = team
    stranger = factory.member()
    response = act(client, owner.team_id, f"/members/{stranger.user_id}/remove")
    assert response.status_code == 404


def test_create_a_new_team_from_the_switcher(app, client, team):
    owner, _admin, _member = team
    page = soup(client.get(f"/teams/{owner.team_id}/numbers"))
    assert page.select_one("#new-team-link")["href"] == "/teams/new"
    token = csrf_token(client, "/teams/new")
    response = client.post("/teams/new", data={"name": "  Side  Project ", "csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        created = db.session.scalar(db.select(Team).where(Team.name == "Side Project"))
        assert created.plan == "free"
        assert role_of(app, created.id, owner.user_id) == "owner"
    assert response.location == f"/teams/{created.id}/numbers"
    switcher = soup(client.get(response.location)).select("#team-switcher [data-team-id]")
    assert {a["data-team-id"] for a in switcher} == {owner.team_id, created.id}
    history = soup(client.get(f"/teams/{created.id}/history"))
    assert "Created the team Side Project" in text(history.select_one("#history-table"))


def test_a_team_needs_a_name(client, member):
    token = csrf_token(client, "/teams/new")
    response = client.post("/teams/new", data={"name": "   ", "csrf_token": token})
    assert response.status_code == 400
    assert soup(response).select_one("#name-error").get_text(strip=True) == "A team needs a name."


def test_after_leaving_the_last_team_the_words_say_so(app, client, auth, factory):
    newcomer = factory.member("growth")
    with app.app_context():
        db.session.delete(db.session.get(Membership, (newcomer.user_id, newcomer.team_id)))
        db.session.commit()
    auth.sign_in(newcomer)
    assert text(soup(client.get("/")).select_one("#no-team h1")) == "You are not in a team yet"

    owner = factory.member("growth")
    leaver = factory.member(team_id=owner.team_id, role="member")
    auth.sign_out()
    auth.sign_in(leaver)
    assert act(client, owner.team_id, "/leave").status_code == 303
    page = soup(client.get("/"))
    assert text(page.select_one("#no-team h1")) == "You are no longer in a team"
    assert "invite user3@example.com again" in text(page.select_one("#no-team p"))
