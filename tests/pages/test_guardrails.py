"""The Team page's spending guardrails: this month's spend for everyone, the form for owners
(htmx in place, or POST/redirect), field errors beside their fields, and History's wording."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Team
from tests.factories import guard
from tests.helpers import bought_id, sandbox_number
from tests.pages.helpers import HTMX, csrf_token, soup, text


def settings_url(team_id: str) -> str:
    return f"/teams/{team_id}/settings"


def save(client, team_id: str, htmx: bool = True, **fields):
    token = csrf_token(client, settings_url(team_id))
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    return client.post(
        f"/teams/{team_id}/guardrails", data={**fields, "csrf_token": token}, headers=headers
    )


def limits(app, team_id: str):
    with app.app_context():
        return db.session.execute(
            sa.select(Team.spend_cap, Team.approval_required, Team.approval_above).where(
                Team.id == team_id
            )
        ).one()


@pytest.fixture
def owner(factory, auth):
    someone = factory.member("growth")
    auth.sign_in(someone)
    return someone


def test_the_team_page_shows_the_months_spend_and_the_form(client, owner):
    bought_id(client, owner, sandbox_number("415", 0))
    page = soup(client.get(settings_url(owner.team_id)))
    section = page.select_one("#guardrails")
    assert text(section.select_one("#spending-headline")).startswith("$2.00 spent in ")
    assert text(section.select_one("#spending-detail")).startswith("No monthly spend cap.")
    form = section.select_one("form#guardrails-form")
    assert form.select_one("input[name=spend_cap]")["value"] == ""
    assert form.select_one("input[name=approval_required]").get("checked") is None
    assert section.select_one("#guardrails-requests-link")["href"].endswith("/requests")


def test_saving_with_htmx_answers_the_section_with_the_new_figures(app, client, owner):
    response = save(
        client, owner.team_id, spend_cap="$1,500", approval_required="y", approval_above="20"
    )
    assert response.status_code == 200
    section = soup(response).select_one("#guardrails")
    assert soup(response).find("html") is None
    assert text(section.select_one("#guardrails-notice")) == (
        "Saved. Monthly cap: $1,500.00. Members' purchases past $20.00 this month need approval."
    )
    assert text(section.select_one("#spending-headline")).startswith("$0.00 of $1,500.00 spent")
    assert section.select_one("#spending-meter")["max"] == "1500.00"
    assert section.select_one("input[name=spend_cap]")["value"] == "1500.00"
    assert section.select_one("input[name=approval_required]").has_attr("checked")
    assert limits(app, owner.team_id) == (1500, True, 20)


def test_without_javascript_saving_redirects_to_the_section(app, client, owner):
    response = save(client, owner.team_id, htmx=False, spend_cap="50")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{settings_url(owner.team_id)}#guardrails")
    page = soup(client.get(response.headers["Location"]))
    assert "Monthly cap: $50.00" in text(page.select_one("#flashes"))
    assert limits(app, owner.team_id) == (50, False, None)


def test_a_bad_amount_is_named_beside_its_field_and_nothing_changes(app, client, owner):
    guard(app, owner, spend_cap="50.00")
    response = save(client, owner.team_id, spend_cap="lots", approval_above="0")
    assert response.status_code == 400
    section = soup(response).select_one("#guardrails")
    assert "such as" in text(section.select_one("#spend_cap-error"))
    assert "more than $0.00" in text(section.select_one("#approval_above-error"))
    assert section.select_one("input[name=spend_cap]")["value"] == "lots"  # as typed
    assert limits(app, owner.team_id) == (50, False, None)


def test_a_bad_amount_without_javascript_is_the_whole_page_with_the_message(client, owner):
    response = save(client, owner.team_id, htmx=False, spend_cap="-3")
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#members-table")  # the whole Team page
    assert page.select_one("#spend_cap-error")


def test_emptying_the_cap_removes_it(app, client, owner):
    guard(app, owner, spend_cap="50.00")
    save(client, owner.team_id, spend_cap="")
    assert limits(app, owner.team_id) == (None, False, None)


@pytest.mark.parametrize("role", ["admin", "member"])
def test_others_see_the_spend_and_no_form(client, factory, auth, role):
    owner = factory.member("growth")
    other = factory.member(team_id=owner.team_id, role=role)
    auth.sign_in(other)
    section = soup(client.get(settings_url(owner.team_id))).select_one("#guardrails")
    assert section.select_one("#spending") and section.select_one("form") is None
    assert text(section.select_one("#guardrails-owners")).startswith("Only an owner")


def test_history_says_what_changed(client, owner):
    save(client, owner.team_id, spend_cap="50", approval_required="y")
    page = soup(client.get(f"/teams/{owner.team_id}/history"))
    row = page.select_one("tr[data-action=guardrails_change]")
    assert text(row.select_one("[data-role=what]")) == "Changed the spending guardrails"
    assert text(row.select_one(".change-before")) == (
        "No monthly spend cap. Members buy without approval."
    )
    assert text(row.select_one(".change-after")) == (
        "Monthly cap: $50.00. Every purchase by a member needs approval."
    )


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ("1,50", "spend_cap"),  # a decimal comma: not $150
        ("12,5", "spend_cap"),
        ("1,0000", "spend_cap"),
        (",500", "spend_cap"),
        ("$", "spend_cap"),  # a stray dollar sign: not "no cap"
        ("$ ", "approval_above"),
    ],
)
def test_an_amount_that_only_looks_like_one_is_refused_and_nothing_changes(
    app, client, owner, typed, field
):
    guard(app, owner, spend_cap="50.00", approval_required=True, approval_above="20.00")
    response = save(
        client,
        owner.team_id,
        spend_cap=typed if field == "spend_cap" else "50.00",
        approval_required="y",
        approval_above=typed if field == "approval_above" else "20.00",
    )
    assert response.status_code == 400
    assert "such as" in text(soup(response).select_one(f"#{field}-error"))
    assert limits(app, owner.team_id) == (50, True, 20)


@pytest.mark.parametrize(
    ("typed", "stored"), [("$1,500", 1500), ("1,000,000", 1000000), ("$ 2,500.50 ", 2500.5)]
)
def test_thousands_commas_and_a_dollar_sign_still_read_as_written(
    app, client, owner, typed, stored
):
    assert save(client, owner.team_id, spend_cap=typed).status_code == 200
    assert limits(app, owner.team_id) == (stored, False, None)


def test_saving_moves_the_focus_to_what_it_did(client, owner):
    """The form is swapped with its section: htmx focuses what is marked autofocus there."""
    notice = soup(save(client, owner.team_id, spend_cap="50")).select_one("#guardrails-notice")
    assert notice.has_attr("autofocus") and notice["tabindex"] == "-1"


def test_a_refusal_moves_the_focus_to_the_first_field_it_names(client, owner):
    section = soup(save(client, owner.team_id, spend_cap="10", approval_above="x"))
    assert section.select("[autofocus]") == [section.select_one("#approval_above")]
    section = soup(save(client, owner.team_id, spend_cap="x", approval_above="x"))
    assert section.select_one("[autofocus]") == section.select_one("#spend_cap")
