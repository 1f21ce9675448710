"""The API tokens page and scopes: the checkboxes a person's roles allow, reading ticked by
default, each token's scopes in the list (legacy tokens: all), and the role cap on a
hand-made POST."""

from __future__ import annotations

import pytest

from app.accounts import users
from app.extensions import db
from app.models import ApiToken
from tests.factories import PASSWORD
from tests.pages.helpers import post, soup, text

TOKENS = "/settings/tokens"
EVERY = [
    "numbers:read",
    "numbers:buy",
    "numbers:manage",
    "assistants:manage",
    "team:manage",
    "webhooks:manage",
]
# What the form offers each role (a person in one team), and what it says they cannot have.
OFFERED = {
    "owner": (EVERY, []),
    "admin": (
        ["numbers:read", "numbers:buy", "numbers:manage", "assistants:manage", "webhooks:manage"],
        ["team:manage"],
    ),
    "member": (
        ["numbers:read", "numbers:buy", "numbers:manage"],
        ["assistants:manage", "team:manage", "webhooks:manage"],
    ),
}


def boxes(page) -> dict[str, bool]:
    """Each scope checkbox on the create form: ticked or not."""
    found = page.select("#token-create #scopes-field input[type=checkbox][name=scopes]")
    return {box["value"]: box.has_attr("checked") for box in found}


def signed_in(factory, auth, role: str):
    owner = factory.member("growth")
    person = owner if role == "owner" else factory.member(team_id=owner.team_id, role=role)
    auth.sign_in(person)
    return person


@pytest.mark.parametrize("role", OFFERED)
def test_the_form_offers_the_scopes_the_role_allows_with_reading_ticked(
    client, factory, auth, role
):
    signed_in(factory, auth, role)
    page = soup(client.get(TOKENS))
    offered, withheld = OFFERED[role]
    assert boxes(page) == {name: name == "numbers:read" for name in offered}
    for name in offered:
        box = page.select_one(f"#scopes-field input[value='{name}']")
        label = page.select_one(f"label[for={box['id']}]")
        assert text(label.select_one("code")) == name
    assert [n["data-scope"] for n in page.select("#scopes-hint [data-role=withheld]")] == withheld
    fieldset = page.select_one("fieldset#scopes-field")
    assert text(fieldset.select_one("legend")) == "Scopes"
    assert fieldset["aria-describedby"] == "scopes-hint"


def test_a_token_is_made_with_the_ticked_scopes_and_lists_them(app, client, growth):
    form = {"name": "Voice bot", "scopes": ["numbers:buy", "numbers:read"]}
    response = post(client, TOKENS, form, htmx=False)
    assert response.status_code == 200
    page = soup(response)
    created = page.select("#token-created-scopes code")
    assert [code.get_text() for code in created] == ["numbers:read", "numbers:buy"]
    plain = page.select_one("#new-token")["value"]
    with app.app_context():
        stored = db.session.scalar(db.select(ApiToken.scopes).where(ApiToken.name == "Voice bot"))
    assert stored == ["numbers:read", "numbers:buy"]
    rows = soup(client.get(TOKENS)).select("#tokens-table tbody tr")
    listed = {
        text(row.select_one(".token-name")): row.select_one("td[data-role=scopes]") for row in rows
    }
    new = [code["data-scope"] for code in listed["Voice bot"].select("code[data-scope]")]
    assert new == ["numbers:read", "numbers:buy"]
    # The factory's token was made as tokens were before scopes: it has every scope.
    legacy = listed["test"].select_one("[data-scopes=all]")
    assert text(legacy) == "Legacy: all scopes"
    assert "including scopes added later" in legacy["title"]
    assert listed["test"].select("code[data-scope]") == []
    assert plain.startswith("tt_")


@pytest.mark.parametrize(
    "role,asked,error",
    [
        ("member", "assistants:manage", "only an owner or admin of a team can."),
        ("member", "team:manage", "only an owner of a team can."),
        ("admin", "team:manage", "only an owner of a team can."),
        ("owner", "numbers:everything", "No scope is called 'numbers:everything'"),
    ],
)
def test_a_hand_made_post_beyond_the_roles_is_refused(
    app, client, factory, auth, role, asked, error
):
    person = signed_in(factory, auth, role)
    response = post(client, TOKENS, {"name": "Sneaky", "scopes": ["numbers:read", asked]})
    assert response.status_code == 400
    page = soup(response)
    assert error in text(page.select_one("#scopes-error"))
    assert (
        page.select_one("fieldset#scopes-field")["aria-describedby"] == "scopes-hint scopes-error"
    )
    assert page.select_one("#token-created") is None
    with app.app_context():
        count = db.select(db.func.count()).where(ApiToken.user_id == person.user_id)
        assert db.session.scalar(count) == 1  # the factory's only


def test_no_scope_ticked_is_refused_with_the_name_kept(client, growth):
    response = post(client, TOKENS, {"name": "Nothing"}, htmx=False)
    assert response.status_code == 400
    page = soup(response)
    assert text(page.select_one("#scopes-error")) == (
        "Choose at least one scope: a token without any could call nothing."
    )
    assert page.select_one("#name")["value"] == "Nothing"
    assert boxes(page) == dict.fromkeys(EVERY, False)  # as sent: nothing ticked


def test_a_missing_name_and_no_scope_are_both_named(client, growth):
    page = soup(post(client, TOKENS, {"name": " "}))
    assert "Give the token a name" in text(page.select_one("#name-error"))
    assert "Choose at least one scope" in text(page.select_one("#scopes-error"))


def test_the_ticks_sent_are_kept_when_the_name_is_refused(client, growth):
    page = soup(post(client, TOKENS, {"name": "", "scopes": ["numbers:buy", "team:manage"]}))
    assert page.select_one("#scopes-error") is None
    ticked = [name for name, on in boxes(page).items() if on]
    assert ticked == ["numbers:buy", "team:manage"]


def test_someone_in_no_team_is_offered_reading_only(app, client, auth):
    with app.app_context():
        users.create_user("alone@example.com", "Alone", PASSWORD)
    auth.sign_in("alone@example.com")
    page = soup(client.get(TOKENS))
    assert boxes(page) == {"numbers:read": True}
    hint = page.select_one("#scopes-hint [data-scope='numbers:buy']")
    assert hint.get_text() == "numbers:buy: only someone in a team can give it."
    made = post(client, TOKENS, {"name": "Search only", "scopes": "numbers:read"})
    assert made.status_code == 200
