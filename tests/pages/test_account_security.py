"""The account page's sessions list (revoke one, or all others, and the signed-out browser
told why), and changing name and email (the email only once the emailed link is followed)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts import sessions
from app.accounts.devices import describe_device
from app.extensions import db
from app.models import LoginSession, User
from tests.factories import PASSWORD
from tests.pages.helpers import (
    HTMX,
    csrf_token,
    form_post,
    link_in,
    mail_to,
    numbers_url,
    soup,
    text,
)

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser_of(app, member, user_agent: str, address: str = "127.0.0.1"):
    """Another browser signed in as the member, from its own device and address."""
    browser = app.test_client()
    browser.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    token = csrf_token(browser)
    data = {"email": member.email, "password": PASSWORD, "csrf_token": token}
    assert browser.post("/signin", data=data).status_code == 302
    return browser


def rows(client):
    return soup(client.get("/account")).select("#sessions-table tbody tr")


def test_the_list_names_each_device_its_address_and_this_browser(app, client, member):
    browser_of(app, member, IPHONE, "203.0.113.9")
    listed = rows(client)
    assert len(listed) == 2
    by_device = {text(row.select_one("[data-role=device]")): row for row in listed}
    assert set(by_device) == {"Unknown device This browser", "Safari on iPhone"}
    phone = by_device["Safari on iPhone"]
    assert text(phone.select_one("[data-role=ip]")) == "203.0.113.9"
    assert phone["data-current"] == "false" and phone.select_one("[data-role=revoke-session]")
    mine = by_device["Unknown device This browser"]
    assert mine["data-current"] == "true" and not mine.select("[data-role=revoke-session]")


def test_revoking_a_session_signs_that_browser_out_with_the_reason(app, client, member):
    phone = browser_of(app, member, IPHONE)
    laptop = browser_of(app, member, FIREFOX)
    row = next(r for r in rows(client) if "iPhone" in text(r))
    response = form_post(client, row.select_one("form")["action"], page="/account")
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200  # the others stay signed in
    assert client.get("/account").status_code == 200

    signed_out = phone.get(numbers_url(member.team_id))
    assert signed_out.status_code == 302 and signed_out.location.startswith("/signin")
    page = soup(phone.get(signed_out.location))
    assert f"You were signed out because {sessions.REVOKED}." in text(page.select_one("main"))


def test_an_htmx_request_of_a_revoked_session_goes_to_sign_in_with_the_reason(app, client, member):
    phone = browser_of(app, member, IPHONE)
    row = next(r for r in rows(client) if "iPhone" in text(r))
    form_post(client, row.select_one("form")["action"], page="/account")
    answer = phone.get(numbers_url(member.team_id), headers=HTMX)
    assert answer.status_code == 401 and answer.headers["HX-Redirect"].startswith("/signin")
    assert sessions.REVOKED in text(soup(phone.get("/signin")).select_one("main"))


def test_sign_out_all_others_keeps_this_browser(app, client, member):
    others = [browser_of(app, member, IPHONE), browser_of(app, member, FIREFOX)]
    response = form_post(client, "/account/sessions/revoke-others", page="/account")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    for other in others:
        assert other.get("/account").status_code == 302
    assert len(rows(client)) == 1


def test_another_users_session_is_not_found(app, client, factory, member):
    stranger = factory.member()
    browser_of(app, stranger, IPHONE)
    with app.app_context():
        theirs = db.session.scalar(
            sa.select(LoginSession.id).where(LoginSession.user_id == stranger.user_id)
        )
    response = form_post(client, f"/account/sessions/{theirs}/revoke", page="/account")
    assert response.status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(sa.select(LoginSession.ended_at).where(LoginSession.id == theirs))
            is None
        )


def test_last_seen_is_written_at_most_once_a_minute(app, client, member):
    def last_seen():
        with app.app_context():
            return db.session.scalar(
                sa.select(LoginSession.last_seen_at).where(LoginSession.user_id == member.user_id)
            )

    with app.app_context():
        row = db.session.scalar(sa.select(LoginSession))
        row.last_seen_at = row.last_seen_at - timedelta(seconds=30)
        db.session.commit()
    before = last_seen()
    client.get("/account")
    assert last_seen() == before  # 30 seconds ago: not written again
    with app.app_context():
        row = db.session.scalar(sa.select(LoginSession))
        row.last_seen_at = row.last_seen_at - timedelta(seconds=40)
        db.session.commit()
    stale = last_seen()
    client.get("/account")
    assert last_seen() > stale + timedelta(seconds=60)


def test_devices_are_named_from_the_user_agent():
    assert describe_device(FIREFOX) == "Firefox on Linux"
    assert describe_device(IPHONE) == "Safari on iPhone"
    chrome_windows = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    assert describe_device(chrome_windows) == "Chrome on Windows"
    assert describe_device(chrome_windows + " Edg/131.0.0.0") == "Edge on Windows"
    assert describe_device("") == "Unknown device"


# Name and email.


def test_a_new_name_is_saved(app, client, member):
    response = form_post(client, "/account/name", {"name": "  Ada  Lovelace "}, page="/account")
    assert response.status_code == 302
    assert text(soup(client.get("/account")).select_one("#account-name")) == "Ada Lovelace"
    blank = form_post(client, "/account/name", {"name": "   "}, page="/account")
    assert blank.status_code == 400
    assert soup(blank).select_one("#name-error") is not None


def test_a_new_email_takes_effect_only_when_its_link_is_followed(app, client, member):
    new = "ada@new.example.com"
    response = form_post(
        client, "/account/email", {"email": new, "password": PASSWORD}, page="/account"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, member.user_id).email == member.email  # not yet
    notice = mail_to(app, member.email)[-1]
    assert new in notice.body and notice.subject == "Your account's email is being changed"
    link = link_in(mail_to(app, new)[-1])  # built on BASE_URL (the helper checks)

    stranger = app.test_client()  # the link works from any browser, and GET changes nothing
    assert text(soup(stranger.get(link)).select_one("#new-email")) == new
    with app.app_context():
        assert db.session.get(User, member.user_id).email == member.email
    assert form_post(stranger, link).status_code == 302
    with app.app_context():
        assert db.session.get(User, member.user_id).email == new
    used = stranger.post(link, data={"csrf_token": csrf_token(stranger)})
    assert used.status_code == 400  # the old address it was stamped with changed
    assert stranger.get(link).status_code == 400

    fresh = app.test_client()
    token = csrf_token(fresh)
    old = {"email": member.email, "password": PASSWORD, "csrf_token": token}
    assert fresh.post("/signin", data=old).status_code == 400
    assert fresh.post("/signin", data={**old, "email": new}).status_code == 302


def test_an_email_change_needs_the_password_and_a_free_address(app, client, factory, member):
    taken = factory.member()
    wrong = form_post(
        client, "/account/email", {"email": "x@example.com", "password": "nope"}, page="/account"
    )
    assert wrong.status_code == 400
    assert text(soup(wrong).select_one("#password-error")) == "That is not your current password."
    clash = form_post(
        client, "/account/email", {"email": taken.email, "password": PASSWORD}, page="/account"
    )
    assert clash.status_code == 400
    assert text(soup(clash).select_one("#email-error")) == "Another account uses that email."
    junk = form_post(
        client, "/account/email", {"email": "not an email", "password": PASSWORD}, page="/account"
    )
    assert junk.status_code == 400
    assert mail_to(app, "x@example.com") == [] and mail_to(app, taken.email) == []


def test_a_forged_email_change_link_changes_nothing(app, client, member):
    response = client.get("/account/email/forged-token")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, member.user_id).email == member.email


def test_an_address_taken_between_the_check_and_the_commit_is_a_clear_refusal(
    app, client, factory, member, monkeypatch
):
    new = "ada@new.example.com"
    form_post(client, "/account/email", {"email": new, "password": PASSWORD}, page="/account")
    link = link_in(mail_to(app, new)[-1])
    other = factory.member()  # another account moves to that address meanwhile
    with app.app_context():
        db.session.get(User, other.user_id).email = new
        db.session.commit()
    # The race: the check ran before that account's row committed (the unique index decides).
    monkeypatch.setattr("app.accounts.email_change._taken", lambda email, user_id: False)
    stranger = app.test_client()
    refused = form_post(stranger, link)
    assert refused.status_code == 400
    assert "Another account took that email meanwhile" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, member.user_id).email == member.email
