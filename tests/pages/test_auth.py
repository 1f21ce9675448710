"""Sign up, sign in, sign out: the forms, the redirects, CSRF and remember-me."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.models import Membership, Team, User
from tests.helpers import TRIAL_DAYS
from tests.pages.helpers import (
    PASSWORD,
    csrf_token,
    form_post,
    link_in,
    mail_to,
    numbers_url,
    soup,
)
from tests.support import build_app, teardown_app


def sign_up(client, **fields):
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "password": "analytical engine",
        "team_name": "Engines",
        "csrf_token": csrf_token(client, "/signup"),
        **fields,
    }
    return client.post("/signup", data=data)


def test_every_auth_input_has_a_label(client):
    for path in ("/signup", "/signin", "/forgot-password"):
        page = soup(client.get(path))
        inputs = page.select("form input:not([type=hidden])")
        assert inputs
        for field in inputs:
            assert page.select_one(f"label[for={field['id']}]"), (path, field["id"])
        assert page.select_one("form button[type=submit]")


def test_sign_up_makes_a_free_team_owned_by_the_new_user_once_the_email_is_confirmed(app, client):
    response = sign_up(client)
    assert response.status_code == 200
    assert soup(response).select_one("#sent-to").get_text(strip=True) == "ada@example.com"
    [message] = mail_to(app, "ada@example.com")
    assert message.subject == "Confirm your email address"
    confirm = link_in(message)
    with app.app_context():  # nothing exists until the address is confirmed
        assert db.session.scalar(db.select(User).where(User.email == "ada@example.com")) is None

    response = form_post(client, confirm)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ada@example.com"))
        assert user.password_hash != "analytical engine"  # hashed, never stored plain
        membership = db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))
        team = db.session.get(Team, membership.team_id)
        assert (team.name, team.plan, membership.role) == ("Engines", "free", "owner")
    page = soup(client.get(response.location, follow_redirects=True))
    assert (
        page.select_one("#plan-headline").get_text(strip=True)
        == f"Trial: 1 number for {TRIAL_DAYS} days"
    )
    assert page.select_one("#numbers-empty a")["href"] == f"/teams/{team.id}/search"


def test_sign_up_errors_show_next_to_their_field(client):
    response = sign_up(client, email="new@example.com", password="short")
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#password-error").get_text(strip=True) == (
        "A password needs at least 8 characters."
    )
    assert page.select_one("#password")["aria-invalid"] == "true"
    assert soup(sign_up(client, email="not-an-address")).select_one("#email-error")


def test_sign_up_shows_every_error_at_once_in_product_words_focused_on_the_first(client):
    response = sign_up(client, name="", email="not-an-address", password="short")
    assert response.status_code == 400
    page = soup(response)
    errors = {e["id"]: e.get_text(strip=True) for e in page.select(".field-error")}
    assert errors == {
        "name-error": "Tell us your name.",
        "email-error": "Enter an email address like name@example.com.",
        "password-error": "A password needs at least 8 characters.",
    }
    assert page.select_one("#signup-errors").get_text(strip=True) == (
        "Check the 3 fields marked below."
    )
    assert [f["id"] for f in page.select("[autofocus]")] == ["name"]
    # Only the email wrong: the focus starts there.
    page = soup(sign_up(client, email="not-an-address"))
    assert [f["id"] for f in page.select("[autofocus]")] == ["email"]


def test_sign_in_with_a_wrong_password_says_so_without_saying_which(client, auth, factory):
    someone = factory.member()
    response = auth.sign_in(someone, password="wrong password")
    assert response.status_code == 400
    assert soup(response).select_one("#signin-error").get_text(strip=True) == (
        "That email and password do not match an account."
    )
    assert client.get(numbers_url(someone.team_id)).status_code == 302  # still signed out


def test_pages_need_a_session_and_come_back_after_sign_in(client, factory):
    someone = factory.member()
    response = client.get(numbers_url(someone.team_id))
    assert response.status_code == 302
    assert response.location.startswith("/signin?next=")
    token = csrf_token(client, response.location)
    signed_in = client.post(
        response.location, data={"email": someone.email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.location == numbers_url(someone.team_id)


@pytest.mark.parametrize(
    "evil",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil", "javascript:x"],
)
def test_next_only_redirects_to_this_site(client, factory, evil):
    someone = factory.member()
    token = csrf_token(client)
    response = client.post(
        "/signin",
        query_string={"next": evil},
        data={"email": someone.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_remember_me_sets_a_lasting_cookie(client, auth, factory):
    someone = factory.member()
    auth.sign_in(someone)
    assert client.get_cookie("remember_token") is None
    auth.sign_out()
    auth.sign_in(someone, remember="y")
    assert client.get_cookie("remember_token") is not None


def test_sign_out_is_a_post_with_csrf(client, auth, member):
    assert client.get("/signout").status_code == 405
    assert client.post("/signout").status_code == 400  # no token: refused
    assert client.get(numbers_url(member.team_id)).status_code == 200
    assert auth.sign_out().status_code == 302
    assert client.get(numbers_url(member.team_id)).status_code == 302


def test_sign_in_without_the_csrf_token_fails(client, factory):
    someone = factory.member()
    response = client.post("/signin", data={"email": someone.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get(numbers_url(someone.team_id)).status_code == 302


def test_htmx_request_after_the_session_ends_redirects_the_whole_page(client, factory):
    someone = factory.member()
    response = client.get(numbers_url(someone.team_id), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/signin?next=")


def test_sign_in_attempts_are_limited_per_address(tmp_path):
    app = build_app(tmp_path, RATELIMIT_SIGNIN="2 per minute")
    try:
        client = app.test_client()
        token = csrf_token(client)
        data = {"email": "nobody@example.com", "password": "wrong password", "csrf_token": token}
        assert [client.post("/signin", data=data).status_code for _ in range(2)] == [400, 400]
        response = client.post("/signin", data=data)
        assert response.status_code == 429
        assert soup(response).select_one("#error")["data-status"] == "429"
    finally:
        teardown_app(app)


def test_htmx_after_the_session_ends_returns_to_the_page_it_came_from(client, factory, auth):
    someone = factory.member()
    number = factory.number(someone, "+14155550100")
    page = f"{numbers_url(someone.team_id)}?q=555"
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://localhost{page}"}
    # A click after the session ended: its form token died with the session (400), and a
    # GET has no token to check (401); either way the whole page goes to sign in.
    response = client.post(f"{numbers_url(someone.team_id)}/{number}/release", headers=headers)
    assert response.status_code == 400
    edit = client.get(f"{numbers_url(someone.team_id)}/{number}/label/edit", headers=headers)
    assert (
        edit.status_code == 401 and edit.headers["HX-Redirect"] == response.headers["HX-Redirect"]
    )
    target = response.headers["HX-Redirect"]
    assert parse_qs(urlsplit(target).query)["next"] == [page]  # the page, not the POST
    token = csrf_token(client)
    signed_in = client.post(
        target, data={"email": someone.email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302 and signed_in.location == page


def test_htmx_with_a_stale_form_token_keeps_the_form_and_renews_the_token(client, factory, member):
    number = factory.number(member, "+14155550100")
    page = numbers_url(member.team_id)
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://localhost{page}"}
    response = client.post(
        f"{page}/{number}/label", data={"label": "x"}, headers={**headers, "X-CSRFToken": "stale"}
    )
    # Still signed in: nothing is swapped (the typed label stays), and a fresh token comes.
    assert response.status_code == 400 and response.get_data() == b""
    assert response.headers["HX-Reswap"] == "none"
    renewed = json.loads(response.headers["HX-Trigger"])["form-token-renewed"]
    assert renewed["token"] == csrf_token(client, page)


def test_a_current_url_on_another_host_is_not_followed(client, factory):
    someone = factory.member()
    headers = {"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"}
    response = client.get(numbers_url(someone.team_id), headers=headers)
    target = parse_qs(urlsplit(response.headers["HX-Redirect"]).query)["next"]
    assert target == [numbers_url(someone.team_id)]
