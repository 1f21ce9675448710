"""Sign-up by email: the page answers the same for every address, the link works once."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import PendingSignup, Team, User, utcnow
from tests.factories import PASSWORD
from tests.pages.helpers import csrf_token, form_post, later, link_in, mail_to, soup, text


def sign_up(client, email="ada@example.com", **fields):
    data = {
        "name": "Ada Lovelace",
        "email": email,
        "password": "analytical engine",
        "team_name": "Engines",
        "csrf_token": csrf_token(client, "/signup"),
        **fields,
    }
    return client.post("/signup", data=data)


def visible(response) -> str:
    """What a person reads in the page's main part, addresses blanked out."""
    main = soup(response).select_one("main")
    return text(main).replace("ada@example.com", "EMAIL").replace("user1@example.com", "EMAIL")


def test_a_new_and_a_taken_address_get_the_same_page(app, client, factory):
    taken = factory.member()
    new = sign_up(client, "ada@example.com")
    existing = sign_up(client, taken.email)

    assert new.status_code == existing.status_code == 200
    assert visible(new) == visible(existing)
    assert soup(existing).select_one("#sent-to").get_text(strip=True) == taken.email


def test_a_taken_address_gets_a_note_with_sign_in_and_reset_links_and_nothing_changes(
    app, client, factory
):
    taken = factory.member()
    sign_up(client, taken.email, password="a brand new password")

    [note] = mail_to(app, taken.email)
    assert note.subject == "Someone tried to sign up with your email"
    assert "http://127.0.0.1:5000/signin" in note.body
    assert "http://127.0.0.1:5000/forgot-password" in note.body
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PendingSignup)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Team)) == 1
    # The old password still signs in; the one typed on the sign-up form does not.
    response = client.post(
        "/signin",
        data={"email": taken.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302


def test_the_confirmation_link_works_once(app, client):
    sign_up(client)
    link = link_in(mail_to(app, "ada@example.com")[-1])
    assert soup(client.get(link)).select_one("#confirm-form")  # GET only shows a button
    assert form_post(client, link).status_code == 302
    client.post("/signout", data={"csrf_token": csrf_token(client, "/account")})

    again = form_post(client, link, page="/signup")
    assert again.status_code == 400
    assert "already used" in soup(again).select_one("#link-problem").get_text()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_signing_up_again_replaces_the_first_link(app, client):
    sign_up(client, password="first password")
    first = link_in(mail_to(app, "ada@example.com")[-1])
    sign_up(client, password="second password", team_name="Second")
    second = link_in(mail_to(app, "ada@example.com")[-1])

    assert client.get(first).status_code == 400  # replaced: the page says so
    assert form_post(client, first, page="/signup").status_code == 400
    assert form_post(client, second).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Team.name)) == "Second"


def test_a_link_older_than_two_days_has_expired(app, client, monkeypatch):
    sign_up(client)
    link = link_in(mail_to(app, "ada@example.com")[-1])
    later(monkeypatch, seconds=2 * 24 * 3600 + 5)
    response = form_post(client, link, page="/signup")
    assert response.status_code == 400
    assert "expired" in soup(response).select_one("#link-problem").get_text()


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "garbage", lambda t: t[5:]])
def test_a_forged_or_cut_link_is_refused(app, client, mangle):
    sign_up(client)
    link = link_in(mail_to(app, "ada@example.com")[-1])
    head, _, token = link.rpartition("/")
    response = form_post(client, f"{head}/{mangle(token)}", page="/signup")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_with_the_mail_server_down_the_email_is_kept_for_a_later_try(tmp_path):
    from app.models import OutgoingEmail
    from tests.support import build_app, teardown_app

    app = build_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    try:
        client = app.test_client()
        response = sign_up(client)
        assert response.status_code == 200
        assert soup(response).select_one("#sent-to").get_text(strip=True) == "ada@example.com"
        with app.app_context():
            [email] = db.session.scalars(db.select(OutgoingEmail)).all()
            assert (email.to, email.status, email.attempts) == ("ada@example.com", "queued", 1)
            assert email.next_attempt_at > email.created_at  # its retry is scheduled
    finally:
        teardown_app(app)


def test_a_sign_up_sent_twice_and_confirmed_gets_no_note_about_itself(app, client):
    from app.accounts.signups import SIGN_UP_EMAIL, sign_up_email
    from app.models import OutgoingEmail

    sign_up(client, "ada@example.com")
    sign_up(client, "ada@example.com")  # a second click on the form
    link = link_in(mail_to(app, "ada@example.com")[-1])
    assert form_post(client, link).status_code == 302  # the account is made
    with app.app_context():
        first = db.session.scalars(
            db.select(OutgoingEmail)
            .where(OutgoingEmail.kind == SIGN_UP_EMAIL)
            .order_by(OutgoingEmail.created_at)
        ).first()
        # Had the first sign-up's email been late, it would find the account and stay quiet
        # (not tell Ada that "someone" tried to sign up with her address).
        assert sign_up_email("ada@example.com", **first.args) is None
        # A sign-up after the account exists is someone else's: that owner is told.
        assert (
            sign_up_email("ada@example.com", first.args["pending_id"], utcnow().isoformat()).subject
            == "Someone tried to sign up with your email"
        )


def test_the_welcome_does_not_repeat_the_trial_banner(app, client):
    sign_up(client)
    link = link_in(mail_to(app, "ada@example.com")[-1])
    response = form_post(client, link)
    page = soup(client.get(response.headers["Location"], follow_redirects=True))
    welcome = text(page.select_one(".flash-success"))
    assert welcome == "Welcome, Ada Lovelace! Start with the checklist: first, find a number."
    assert text(page.select_one("#plan-headline")) == "Trial: 1 number for 5 days"
    assert "trial" not in welcome.lower()
    assert page.select_one("#onboarding-number a")  # the checklist it points to
