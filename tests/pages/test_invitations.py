"""Invitations: sent by owners and admins, the emailed link joins once, until it expires."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Invitation, Membership, User
from tests.factories import PASSWORD
from tests.pages.helpers import (
    HTMX,
    csrf_token,
    form_post,
    later,
    link_in,
    mail_to,
    soup,
    text,
)

NEW = "grace@example.com"


def invite(client, team_id: str, email: str = NEW, role: str = "member", htmx: bool = True):
    token = csrf_token(client, f"/teams/{team_id}/settings")
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    return client.post(
        f"/teams/{team_id}/invitations",
        data={"email": email, "role": role, "csrf_token": token},
        headers=headers,
    )


def role_of(app, team_id: str, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(
            db.select(Membership.role)
            .join(User, User.id == Membership.user_id)
            .where(Membership.team_id == team_id, User.email == email)
        )


@pytest.fixture
def owner(factory, auth):
    someone = factory.member("growth")
    auth.sign_in(someone)
    return someone


def test_an_invitation_is_emailed_and_listed(app, client, owner):
    response = invite(client, owner.team_id, "  Grace@Example.com ", "admin")
    assert response.status_code == 200
    assert "Invited grace@example.com as admin" in soup(response).select_one("#team-notice").text
    row = soup(response).select_one("#invitations-table tr[data-email='grace@example.com']")
    assert "Admin" in text(row)
    [message] = mail_to(app, NEW)
    assert message.subject == "User 1 invited you to Team 1"
    assert "as an admin" in message.body
    assert link_in(message).startswith("/invitations/")


def test_an_invited_person_without_an_account_signs_up_through_the_link_and_joins(
    app, client, owner, factory
):
    factory.number(owner, "+14155550123")
    invite(client, owner.team_id)
    link = link_in(mail_to(app, NEW)[-1])
    visitor = app.test_client()
    page = soup(visitor.get(link))
    assert page.select_one("#invitation-signup")
    assert "invited grace@example.com as member" in text(page.select_one("#invitation"))

    response = form_post(
        visitor, f"{link}/signup", {"name": "Grace", "password": "cobol rules!"}, page=link
    )
    assert response.status_code == 302
    assert response.location == f"/teams/{owner.team_id}/numbers"
    numbers = soup(visitor.get(response.location))
    assert numbers.select_one("#numbers-table tr[data-number='+14155550123']")
    assert role_of(app, owner.team_id, NEW) == "member"
    with app.app_context():  # joined the team; no team of their own was made
        user = db.session.scalar(db.select(User).where(User.email == NEW))
        assert len(user.memberships) == 1
    history = soup(client.get(f"/teams/{owner.team_id}/history"))
    lines = [text(row) for row in history.select("#history-table tbody tr")]
    assert any("Grace" in line and "Joined the team as member" in line for line in lines)
    assert any(f"Invited {NEW} as member" in line for line in lines)


def test_someone_with_an_account_joins_on_sign_in(app, client, owner, factory):
    existing = factory.member("free")
    invite(client, owner.team_id, existing.email)
    link = link_in(mail_to(app, existing.email)[-1])
    visitor = app.test_client()
    assert soup(visitor.get(link)).select_one("#invitation-signin")

    wrong = form_post(visitor, f"{link}/signin", {"password": "not it"}, page=link)
    assert wrong.status_code == 400
    assert role_of(app, owner.team_id, existing.email) is None
    response = form_post(visitor, f"{link}/signin", {"password": PASSWORD}, page=link)
    assert response.location == f"/teams/{owner.team_id}/numbers"
    assert role_of(app, owner.team_id, existing.email) == "member"


def test_a_signed_in_invitee_joins_with_one_click(app, client, owner, factory, auth):
    existing = factory.member("free")
    invite(client, owner.team_id, existing.email)
    link = link_in(mail_to(app, existing.email)[-1])
    visitor = app.test_client()
    token = csrf_token(visitor)
    visitor.post(
        "/signin", data={"email": existing.email, "password": PASSWORD, "csrf_token": token}
    )
    assert soup(visitor.get(link)).select_one("#accept-form")
    assert form_post(visitor, f"{link}/accept", page=link).status_code == 302
    assert role_of(app, owner.team_id, existing.email) == "member"


def test_the_link_works_once(app, client, owner):
    invite(client, owner.team_id)
    link = link_in(mail_to(app, NEW)[-1])
    visitor = app.test_client()
    form_post(visitor, f"{link}/signup", {"name": "Grace", "password": "cobol rules!"}, page=link)
    again = app.test_client().get(link)
    assert again.status_code == 400
    assert "already used" in soup(again).select_one("#link-problem").get_text()


def test_the_invitation_is_for_its_address_only(app, client, owner, factory):
    invite(client, owner.team_id)
    link = link_in(mail_to(app, NEW)[-1])
    intruder = factory.member("free")
    visitor = app.test_client()
    token = csrf_token(visitor)
    visitor.post(
        "/signin", data={"email": intruder.email, "password": PASSWORD, "csrf_token": token}
    )
    assert soup(visitor.get(link)).select_one("#wrong-account")
    refused = form_post(visitor, f"{link}/accept", page=link)
    assert refused.status_code == 400
    assert role_of(app, owner.team_id, intruder.email) is None


def test_an_expired_or_withdrawn_invitation_does_not_work(app, client, owner, monkeypatch):
    invite(client, owner.team_id)
    link = link_in(mail_to(app, NEW)[-1])
    with app.app_context():  # the row's expiry is what the service checks first
        invitation = db.session.scalar(db.select(Invitation))
        invitation.expires_at -= timedelta(days=8)
        db.session.commit()
    assert "expired" in soup(app.test_client().get(link)).select_one("#link-problem").text

    invite(client, owner.team_id, "ada@example.com")
    second = link_in(mail_to(app, "ada@example.com")[-1])
    with app.app_context():
        pending = db.session.scalar(
            db.select(Invitation).where(Invitation.email == "ada@example.com")
        )
    token = csrf_token(client, f"/teams/{owner.team_id}/settings")
    client.post(
        f"/teams/{owner.team_id}/invitations/{pending.id}/revoke", data={"csrf_token": token}
    )
    gone = app.test_client().get(second)
    assert gone.status_code == 400 and "withdrawn" in soup(gone).select_one("#link-problem").text
    later(monkeypatch, seconds=8 * 24 * 3600)  # and the signature itself expires too
    assert app.test_client().get(second).status_code == 400


def test_a_newer_invitation_replaces_the_older_link(app, client, owner):
    invite(client, owner.team_id)
    first = link_in(mail_to(app, NEW)[-1])
    invite(client, owner.team_id)
    second = link_in(mail_to(app, NEW)[-1])
    assert app.test_client().get(first).status_code == 400
    assert app.test_client().get(second).status_code == 200


def test_inviting_someone_already_in_the_team_says_so(client, owner, factory):
    colleague = factory.member(team_id=owner.team_id, role="member")
    response = invite(client, owner.team_id, colleague.email)
    assert response.status_code == 400
    assert "already in" in soup(response).select_one("#email-error").get_text()


def test_an_admin_invites_members_but_not_admins(app, client, factory, auth, owner):
    admin = factory.member(team_id=owner.team_id, role="admin")
    auth.sign_out()
    auth.sign_in(admin)
    page = soup(client.get(f"/teams/{owner.team_id}/settings"))
    assert page.select_one("#invite-form input[name=role]")["value"] == "member"
    assert invite(client, owner.team_id, "ada@example.com", "admin").status_code == 403
    assert invite(client, owner.team_id, "ada@example.com", "member").status_code == 200


def test_a_bad_address_is_a_form_error(client, owner):
    response = invite(client, owner.team_id, "not-an-address")
    assert response.status_code == 400
    assert soup(response).select_one("#email-error")


def test_an_invitation_is_kept_while_the_mail_server_is_down_and_emailed_when_it_is_back(
    tmp_path,
):
    from app.mail.outgoing import redeliver
    from app.models import OutgoingEmail, utcnow
    from tests.factories import Factory
    from tests.fakes.smtp import SmtpServer
    from tests.pages.helpers import Auth
    from tests.support import build_app, free_port, teardown_app

    port = free_port()
    app = build_app(
        tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_RETRY_DELAY=0.1
    )
    try:
        owner = Factory(app).member("growth")
        client = app.test_client()
        Auth(client).sign_in(owner)
        response = invite(client, owner.team_id)
        assert response.status_code == 200  # invited: its email waits for the server
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(Invitation)) == 1
            [queued] = db.session.scalars(db.select(OutgoingEmail)).all()
            assert (queued.status, queued.to) == ("queued", "grace@example.com")
            assert "could not be reached" in queued.last_error
        time.sleep(0.2)  # past its next try
        with SmtpServer(port=port) as smtp, app.app_context():
            # The sweep finds it (as if its delayed retry had been lost) and it goes out.
            assert redeliver(utcnow() + timedelta(minutes=1)) == 1
            [message] = smtp.messages
            assert message["To"] == "grace@example.com"
            assert "invited you to" in message["Subject"]
            assert db.session.get(OutgoingEmail, queued.id).status == "sent"
    finally:
        teardown_app(app)


def _row(client, team_id, email=NEW):
    page = soup(client.get(f"/teams/{team_id}/settings"))
    return page.select_one(f"#invitations-table tr[data-email='{email}']")


def test_resend_emails_the_invitation_again_with_a_fresh_week(app, client, owner):
    invite(client, owner.team_id)
    with app.app_context():
        invitation = db.session.scalars(db.select(Invitation)).one()
        invitation.expires_at = invitation.expires_at - timedelta(days=6)  # a day left
        db.session.commit()
    form = _row(client, owner.team_id).select_one("button[data-role=resend]").find_parent("form")
    token = form.select_one("input[name=csrf_token]")["value"]
    response = client.post(form["action"], data={"csrf_token": token})
    assert response.status_code == 303  # no JavaScript: back to the page, with a flash
    flashed = soup(client.get(response.headers["Location"]))
    assert "Sent the invitation to grace@example.com again" in text(flashed.select_one("main"))
    first, second = mail_to(app, NEW)
    assert first.subject == second.subject == "User 1 invited you to Team 1"
    with app.app_context():
        invitation = db.session.scalars(db.select(Invitation)).one()
        left = invitation.expires_at - invitation.created_at
    assert left > timedelta(days=6, hours=23)


def test_resending_is_rate_limited_per_invitation(app, client, owner):
    invite(client, owner.team_id)
    url = (
        _row(client, owner.team_id)
        .select_one("button[data-role=resend]")
        .find_parent("form")["action"]
    )
    token = csrf_token(client, f"/teams/{owner.team_id}/settings")
    headers = {**HTMX, "X-CSRFToken": token}
    statuses = [client.post(url, headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = soup(client.post(url, headers=headers))
    assert text(refused.select_one("#team-problem")).startswith(
        "The invitation to grace@example.com was sent again a short while ago: resend it in"
    )
    assert len(mail_to(app, NEW)) == 4  # the first, and three resends


def test_a_withdrawn_invitation_cannot_be_resent(app, client, owner):
    invite(client, owner.team_id)
    url = (
        _row(client, owner.team_id)
        .select_one("button[data-role=resend]")
        .find_parent("form")["action"]
    )
    with app.app_context():
        invitation = db.session.scalars(db.select(Invitation)).one()
        invitation.revoked_at = invitation.created_at
        db.session.commit()
    token = csrf_token(client, f"/teams/{owner.team_id}/settings")
    response = client.post(url, headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 409
    assert "was used, withdrawn or has expired" in text(soup(response).select_one("#team-problem"))
    assert len(mail_to(app, NEW)) == 1


def test_a_member_cannot_resend_nor_see_the_link(app, client, factory, auth, owner):
    invite(client, owner.team_id)
    member = factory.member(team_id=owner.team_id, role="member")
    auth.sign_out()
    auth.sign_in(member)
    row = _row(client, owner.team_id)
    assert row.select_one("[data-role=resend]") is None
    assert row.select_one("[data-role=invite-link]") is None
    with app.app_context():
        invitation_id = db.session.scalar(db.select(Invitation.id))
    token = csrf_token(client, f"/teams/{owner.team_id}/settings")
    url = f"/teams/{owner.team_id}/invitations/{invitation_id}/resend"
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert len(mail_to(app, NEW)) == 1


def test_the_link_is_shown_to_copy_and_joins_like_the_emailed_one(app, client, factory, owner):
    invite(client, owner.team_id)
    row = _row(client, owner.team_id)
    field = row.select_one("input[data-role=invite-link]")
    assert field.has_attr("readonly")
    button = row.select_one("button[data-role=copy-link]")
    assert button["data-copy"] == "#" + field["id"] and "js-only" in button["class"]
    path = field["value"].removeprefix("http://127.0.0.1:5000")
    assert path.startswith("/invitations/")
    client.post("/signout", data={"csrf_token": csrf_token(client, "/")})
    page = soup(client.get(path))
    assert page.select_one("form") is not None  # the invitation's own page: sign up to join


def test_each_role_is_described_beside_the_role_select(client, owner):
    page = soup(client.get(f"/teams/{owner.team_id}/settings"))
    described = {
        div["data-role-description"]: text(div.select_one("dd"))
        for div in page.select("#role-descriptions [data-role-description]")
    }
    assert described == {
        "owner": "Everything an admin does, and changes the plan, roles and spending guardrails.",
        "admin": "Buys and releases numbers, manages assistants and webhooks, invites and "
        "removes members, and approves members' purchases.",
        "member": "Searches, buys (within the team's guardrails), assigns and labels numbers.",
    }
    assert page.select_one("#invite-form select[name=role]")["aria-describedby"] == (
        "role-descriptions"
    )
