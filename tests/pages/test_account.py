"""The account page: change the password (the current one first)."""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.pages.helpers import csrf_token, form_post, soup


def change(client, current: str, new: str):
    return form_post(
        client, "/account/password", {"current_password": current, "password": new}, page="/account"
    )


def test_the_account_page_shows_who_you_are_and_its_forms(client, member):
    page = soup(client.get("/account"))
    assert page.select_one("#account-email").get_text(strip=True) == member.email
    assert page.select_one("#password-form input[name=current_password]")
    assert page.select_one("#signout-everywhere-form button")
    menu = page.select_one("#account-menu")
    assert menu.select_one("a[href='/account']")["aria-current"] == "page"
    assert menu.select_one("a[href='/settings/tokens']")
    assert menu.select_one("form[action='/signout'] button")


def test_a_wrong_current_password_changes_nothing(app, client, member):
    response = change(client, "not my password", "a new long password")
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#current_password-error").get_text(strip=True) == (
        "That is not your current password."
    )
    other = app.test_client()
    token = csrf_token(other)
    signin = {"email": member.email, "password": PASSWORD, "csrf_token": token}
    assert other.post("/signin", data=signin).status_code == 302


def test_a_short_new_password_is_refused_next_to_its_field(client, member):
    response = change(client, PASSWORD, "short")
    assert response.status_code == 400
    assert soup(response).select_one("#password-error")


def test_a_changed_password_is_the_one_that_signs_in(app, client, member):
    assert change(client, PASSWORD, "a new long password").status_code == 302
    flash = soup(client.get("/account")).select_one(".flash-success")
    assert "Every other device is signed out" in flash.get_text()
    other = app.test_client()
    data = {"email": member.email, "password": "a new long password"}
    assert other.post("/signin", data={**data, "csrf_token": csrf_token(other)}).status_code == 302
