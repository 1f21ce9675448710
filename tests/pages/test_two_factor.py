"""Two-factor sign-in: set up from the account page with a real TOTP app (pyotp makes the
codes), the second sign-in step, no replay, recovery codes used once, turning it off, and
a team that requires it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import sqlalchemy as sa

from app.accounts import two_factor
from app.extensions import db
from app.models import RecoveryCode, Team, User
from tests.factories import PASSWORD
from tests.pages.helpers import HTMX, csrf_token, form_post, numbers_url, soup, text

START = 1_800_000_000  # a step boundary (divisible by 30): codes of a step are exact


class Clock:
    """The service's clock, moved by the test: a code's 30-second step is the test's choice."""

    def __init__(self):
        self.now = START

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(two_factor, "time", fake)
    return fake


def secret_of(app, user_id: str) -> str:
    with app.app_context():
        return db.session.get(User, user_id).totp_secret


def code(secret: str, at: float) -> str:
    return pyotp.TOTP(secret).at(at)


def enrol(app, client, member, clock) -> tuple[str, list[str]]:
    """Set up two-factor through the pages; returns the secret and the recovery codes."""
    assert form_post(client, "/account/two-factor/setup", page="/account").status_code == 302
    secret = secret_of(app, member.user_id)
    response = form_post(client, "/account/two-factor/confirm", {"code": code(secret, clock.now)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = [text(li) for li in soup(response).select("#recovery-code-list li")]
    clock.now += 30  # the next code is a new step's
    return secret, codes


def password_step(client, member, **extra):
    token = csrf_token(client)
    data = {"email": member.email, "password": PASSWORD, "csrf_token": token, **extra}
    return client.post("/signin", data=data)


def code_step(client, typed: str):
    return form_post(client, "/signin/code", {"code": typed})


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_setup_shows_a_qr_code_as_inline_svg_and_the_key(app, client, member, clock):
    page = soup(client.get("/account/two-factor"))
    assert page.select_one("#start-form") is not None
    assert form_post(client, "/account/two-factor/setup", page="/account").status_code == 302
    page = soup(client.get("/account/two-factor"))
    secret = secret_of(app, member.user_id)
    assert page.select_one("#qr-code svg title").get_text() == "QR code for your authenticator app"
    assert page.select_one("#qr-code svg path") is not None
    assert page.select_one("#totp-secret")["value"] == secret
    assert not page.select("img[src^='http'], script[src^='http']")  # nothing from a CDN


def test_a_right_code_turns_it_on_with_ten_recovery_codes_kept_hashed(app, client, member, clock):
    secret, codes = enrol(app, client, member, clock)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        user = db.session.get(User, member.user_id)
        assert user.totp_enabled_at is not None and user.totp_secret == secret
        hashes = set(db.session.scalars(sa.select(RecoveryCode.code_hash)))
    assert len(hashes) == 10
    assert not {c.replace("-", "") for c in codes} & hashes  # never the codes themselves
    page = soup(client.get("/account"))
    assert page.select_one("#two-factor-state")["data-state"] == "on"
    assert text(page.select_one("#recovery-left")) == "10"


def test_a_wrong_code_leaves_it_off(app, client, member, clock):
    form_post(client, "/account/two-factor/setup", page="/account")
    secret = secret_of(app, member.user_id)
    wrong = code(secret, clock.now + 300)
    response = form_post(client, "/account/two-factor/confirm", {"code": wrong})
    assert response.status_code == 400
    assert text(soup(response).select_one("#code-error")) == two_factor.WRONG_CODE
    with app.app_context():
        assert db.session.get(User, member.user_id).totp_enabled_at is None


def test_sign_in_asks_for_the_code_and_is_not_signed_in_before_it(app, client, member, clock):
    secret, _codes = enrol(app, client, member, clock)
    browser = app.test_client()
    response = password_step(browser, member)
    assert response.status_code == 302 and response.location == "/signin/code"
    assert not signed_in(browser)  # the password alone signs nobody in
    assert client.get("/signin/code").status_code == 302  # nothing pending in another browser
    response = code_step(browser, code(secret, clock.now))
    assert response.status_code == 302
    assert signed_in(browser)


def test_a_code_is_refused_the_second_time_within_its_window(app, client, member, clock):
    secret, _codes = enrol(app, client, member, clock)
    first, second = app.test_client(), app.test_client()
    password_step(first, member)
    password_step(second, member)
    same = code(secret, clock.now)
    assert code_step(first, same).status_code == 302
    refused = code_step(second, same)
    assert refused.status_code == 400
    assert text(soup(refused).select_one("#code-error")) == two_factor.WRONG_CODE
    assert not signed_in(second)
    # An older step's code, still inside the drift window, is refused too.
    assert code_step(second, code(secret, clock.now - 30)).status_code == 400
    clock.now += 30
    assert code_step(second, code(secret, clock.now)).status_code == 302


def test_a_recovery_code_works_once(app, client, member, clock):
    _secret, codes = enrol(app, client, member, clock)
    first, second = app.test_client(), app.test_client()
    password_step(first, member)
    assert code_step(first, codes[0].upper()).status_code == 302  # as typed, any case
    assert signed_in(first)
    password_step(second, member)
    assert code_step(second, codes[0]).status_code == 400
    assert not signed_in(second)
    assert text(soup(client.get("/account")).select_one("#recovery-left")) == "9"


def test_new_recovery_codes_replace_the_old_ones(app, client, member, clock):
    _secret, old = enrol(app, client, member, clock)
    response = form_post(
        client,
        "/account/two-factor/recovery-codes",
        {"password": PASSWORD},
        page="/account/two-factor",
    )
    assert response.status_code == 200
    new = [text(li) for li in soup(response).select("#recovery-code-list li")]
    assert len(new) == 10 and not set(new) & set(old)
    browser = app.test_client()
    password_step(browser, member)
    assert code_step(browser, old[1]).status_code == 400
    assert code_step(browser, new[1]).status_code == 302


def test_turning_it_off_needs_a_code_or_the_password(app, client, member, clock):
    enrol(app, client, member, clock)
    wrong = form_post(
        client, "/account/two-factor/disable", {"password": "not it"}, page="/account/two-factor"
    )
    assert wrong.status_code == 400
    with app.app_context():
        assert db.session.get(User, member.user_id).totp_enabled_at is not None
    right = form_post(
        client, "/account/two-factor/disable", {"password": PASSWORD}, page="/account/two-factor"
    )
    assert right.status_code == 302
    with app.app_context():
        user = db.session.get(User, member.user_id)
        assert (user.totp_enabled_at, user.totp_secret) == (None, None)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    browser = app.test_client()
    assert password_step(browser, member).location != "/signin/code"  # no code asked
    assert signed_in(browser)


def test_turning_it_off_with_a_code(app, client, member, clock):
    secret, _codes = enrol(app, client, member, clock)
    response = form_post(
        client,
        "/account/two-factor/disable",
        {"code": code(secret, clock.now)},
        page="/account/two-factor",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, member.user_id).totp_enabled_at is None


def test_codes_tried_are_rate_limited_per_person(app, client, member, clock):
    secret, _codes = enrol(app, client, member, clock)
    app.config["RATELIMIT_TWO_FACTOR"] = "2 per 5 minutes"
    browser = app.test_client()
    password_step(browser, member)
    assert code_step(browser, "000000").status_code == 400
    assert code_step(browser, "111111").status_code == 400
    limited = code_step(browser, code(secret, clock.now))  # right, but one too many
    assert limited.status_code == 400
    assert text(soup(limited).select_one("#code-error")).startswith("Too many codes tried")
    assert not signed_in(browser)


def test_the_code_step_keeps_where_sign_in_was_going(app, client, member, clock):
    secret, _codes = enrol(app, client, member, clock)
    browser = app.test_client()
    token = csrf_token(browser)
    data = {"email": member.email, "password": PASSWORD, "csrf_token": token}
    target = numbers_url(member.team_id)
    browser.post(f"/signin?next={target}", data=data)
    assert code_step(browser, code(secret, clock.now)).location == target


# A team that requires it.


def test_an_owner_must_have_it_before_requiring_it(app, client, member, clock):
    settings = f"/teams/{member.team_id}/settings"
    response = form_post(
        client, f"/teams/{member.team_id}/two-factor", {"require_two_factor": "on"}, page=settings
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Team, member.team_id).require_two_factor is False
    enrol(app, client, member, clock)
    form_post(
        client, f"/teams/{member.team_id}/two-factor", {"require_two_factor": "on"}, page=settings
    )
    with app.app_context():
        assert db.session.get(Team, member.team_id).require_two_factor is True
    page = soup(client.get(settings))
    assert page.select_one("#require_two_factor").has_attr("checked")


def test_members_without_it_are_led_to_set_it_up_first(app, client, factory, member, clock):
    with app.app_context():
        db.session.get(Team, member.team_id).require_two_factor = True
        db.session.commit()
    colleague = factory.member(team_id=member.team_id, role="member")
    browser = app.test_client()
    assert password_step(browser, colleague).status_code == 302
    target = numbers_url(member.team_id)
    response = browser.get(target)
    assert response.status_code == 302
    where = urlsplit(response.location)
    assert where.path == "/account/two-factor" and parse_qs(where.query) == {"next": [target]}
    htmx = browser.get(target, headers=HTMX)
    assert urlsplit(htmx.headers["HX-Redirect"]).path == "/account/two-factor"
    assert browser.get("/account").status_code == 200  # the account's own pages stay open

    # Setting it up from there leads back to the page asked for.
    setup = form_post(browser, f"/account/two-factor/setup?next={target}", page="/account")
    assert setup.status_code == 302
    secret = secret_of(app, colleague.user_id)
    confirm_url = soup(browser.get(setup.location)).select_one("#confirm-code-form")["action"]
    shown = form_post(browser, confirm_url, {"code": code(secret, clock.now)}, page="/account")
    assert soup(shown).select_one("#codes-saved")["href"] == target
    assert browser.get(target).status_code == 200


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/two-factor/setup", {}),
        ("/account/two-factor/confirm", {"code": "123456"}),
        ("/account/two-factor/recovery-codes", {"password": PASSWORD}),
        ("/account/two-factor/disable", {"password": PASSWORD}),
        ("/account/name", {"name": "Forged"}),
        ("/account/email", {"email": "forged@example.com", "password": PASSWORD}),
        ("/account/sessions/revoke-others", {}),
    ],
)
def test_every_new_account_form_needs_the_csrf_token(app, client, member, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400
    with app.app_context():
        user = db.session.get(User, member.user_id)
        assert (user.totp_secret, user.name, user.email) == (None, "User 1", member.email)


def test_the_team_requirement_and_the_code_step_need_the_csrf_token(app, client, member, clock):
    enrol(app, client, member, clock)
    url = f"/teams/{member.team_id}/two-factor"
    assert client.post(url, data={"require_two_factor": "on"}).status_code == 400
    with app.app_context():
        assert db.session.get(Team, member.team_id).require_two_factor is False
    browser = app.test_client()
    password_step(browser, member)
    secret = secret_of(app, member.user_id)
    assert browser.post("/signin/code", data={"code": code(secret, clock.now)}).status_code == 400
    assert not signed_in(browser)


def test_the_code_step_waits_five_minutes_at_most(app, client, member, clock):
    secret, _codes = enrol(app, client, member, clock)
    browser = app.test_client()
    password_step(browser, member)
    with browser.session_transaction() as session:
        note = dict(session["two_factor_pending"])
        session["two_factor_pending"] = {**note, "t": note["t"] - 301}
    response = code_step(browser, code(secret, clock.now))
    assert response.status_code == 302 and response.location == "/signin"
    assert not signed_in(browser)
    page = soup(browser.get("/signin"))
    assert "waits five minutes at most" in text(page.select_one("main"))


def test_a_password_changed_meanwhile_ends_the_code_step(app, client, member, clock):
    secret, _codes = enrol(app, client, member, clock)
    browser = app.test_client()
    password_step(browser, member)
    changed = form_post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "a new long password"},
        page="/account",
    )
    assert changed.status_code == 302
    assert code_step(browser, code(secret, clock.now)).location == "/signin"
    assert not signed_in(browser)
