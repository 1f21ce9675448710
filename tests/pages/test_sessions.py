"""Sessions end for good: cookies captured before sign-out, a password change, a reset or
"sign out everywhere" no longer sign anyone in, the remember-me cookie included."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.accounts import sessions
from app.extensions import db
from app.models import LoginSession, User
from tests.factories import PASSWORD
from tests.pages.helpers import csrf_token, form_post, link_in, mail_to, numbers_url, soup


def captured(client) -> dict[str, str]:
    """The browser's cookies as an attacker who copied them would hold them."""
    names = ("session", "remember_token")
    return {name: c.value for name in names if (c := client.get_cookie(name)) is not None}


def replay(app, cookies: dict[str, str], only: tuple[str, ...] = ("session", "remember_token")):
    """A fresh browser with copied cookies; True if it is signed in."""
    thief = app.test_client()
    for name, value in cookies.items():
        if name in only:
            thief.set_cookie(name, value)
    return thief


def signed_in(client, team_id: str) -> bool:
    response = client.get(numbers_url(team_id))
    if response.status_code == 302:  # signed out: the one other right answer is "sign in"
        assert urlsplit(response.headers["Location"]).path == "/signin"
        return False
    assert response.status_code == 200
    return True


@pytest.fixture
def remembered(factory, auth, client):
    someone = factory.member()
    assert auth.sign_in(someone, remember="y").status_code == 302
    cookies = captured(client)
    assert set(cookies) == {"session", "remember_token"}
    return someone, cookies


def test_the_cookies_carry_a_session_token_not_the_user_id(app, client, remembered):
    someone, cookies = remembered
    with client.session_transaction() as session:
        assert session["_user_id"] != someone.user_id
    assert someone.user_id not in cookies["remember_token"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LoginSession)) == 1


def test_before_sign_out_copies_work_so_the_check_below_means_something(app, remembered):
    someone, cookies = remembered
    assert signed_in(replay(app, cookies), someone.team_id)
    assert signed_in(replay(app, cookies, only=("remember_token",)), someone.team_id)


def test_cookies_captured_before_sign_out_stop_working(app, auth, remembered):
    someone, cookies = remembered
    auth.sign_out()
    assert not signed_in(replay(app, cookies), someone.team_id)
    # The remember cookie alone (the session cookie dropped, as after closing the browser).
    assert not signed_in(replay(app, cookies, only=("remember_token",)), someone.team_id)


def test_signing_out_one_browser_leaves_the_others_signed_in(app, auth, factory, remembered):
    someone, cookies = remembered
    other = app.test_client()
    token = csrf_token(other)
    other.post("/signin", data={"email": someone.email, "password": PASSWORD, "csrf_token": token})
    auth.sign_out()
    assert signed_in(other, someone.team_id)


def test_sign_out_everywhere_ends_every_session_and_this_one(app, client, factory, remembered):
    someone, cookies = remembered
    other = app.test_client()
    token = csrf_token(other)
    other.post("/signin", data={"email": someone.email, "password": PASSWORD, "csrf_token": token})

    response = form_post(client, "/account/sign-out-everywhere", page="/account")
    assert response.status_code == 302 and response.location == "/signin"
    for browser in (client, other, replay(app, cookies)):
        assert not signed_in(browser, someone.team_id)
    assert not signed_in(replay(app, cookies, only=("remember_token",)), someone.team_id)
    with app.app_context():
        # The others stay, ended, so each browser is told why on its next request.
        live = db.select(db.func.count()).where(LoginSession.ended_at.is_(None))
        assert db.session.scalar(live) == 0
        reasons = db.session.scalars(db.select(LoginSession.end_reason))
        assert set(reasons) == {sessions.EVERYWHERE}


def test_a_password_change_ends_the_old_cookies_but_keeps_this_browser(app, client, remembered):
    someone, cookies = remembered
    response = form_post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "a new long password"},
        page="/account",
    )
    assert response.status_code == 302
    assert signed_in(client, someone.team_id)  # on a fresh session
    assert captured(client)["session"] != cookies["session"]
    assert not signed_in(replay(app, cookies), someone.team_id)
    assert not signed_in(replay(app, cookies, only=("remember_token",)), someone.team_id)


def test_a_reset_ends_every_session(app, client, remembered):
    someone, cookies = remembered
    stranger = app.test_client()  # the person who lost the password, on another machine
    form_post(stranger, "/forgot-password", {"email": someone.email})
    link = link_in(mail_to(app, someone.email)[-1])
    assert form_post(stranger, link, {"password": "a new long password"}).status_code == 302

    assert not signed_in(client, someone.team_id)
    assert not signed_in(replay(app, cookies), someone.team_id)
    assert not signed_in(replay(app, cookies, only=("remember_token",)), someone.team_id)


def test_a_session_older_than_its_lifetime_is_refused(app, client, remembered):
    someone, cookies = remembered
    with app.app_context():
        row = db.session.scalar(db.select(LoginSession))
        row.created_at = row.created_at - app.config["REMEMBER_COOKIE_DURATION"]
        db.session.commit()
    assert not signed_in(replay(app, cookies, only=("remember_token",)), someone.team_id)


@pytest.mark.parametrize("forged", ["", "x" * 500, "usr_00000000000000000000000000", "\x00"])
def test_a_made_up_session_token_is_no_one(app, factory, forged):
    factory.member()
    with app.app_context():
        assert sessions.user_for_session(forged) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_the_account_page_counts_the_devices(app, client, remembered):
    someone, _cookies = remembered
    other = app.test_client()
    token = csrf_token(other)
    other.post("/signin", data={"email": someone.email, "password": PASSWORD, "csrf_token": token})
    page = soup(client.get("/account"))
    assert page.select_one("#session-count").get_text(strip=True) == "2"
    assert page.select_one("#account-email").get_text(strip=True) == someone.email


def test_a_second_page_view_sends_no_new_session_cookie(client, factory, auth):
    member = factory.member("growth")
    auth.sign_in(member)
    first = client.get(numbers_url(member.team_id))
    assert first.status_code == 200
    again = client.get(numbers_url(member.team_id))
    assert again.status_code == 200
    assert "Set-Cookie" not in again.headers, again.headers.get("Set-Cookie")
