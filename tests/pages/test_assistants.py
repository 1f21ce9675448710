"""The Assistants page: list with counts, create, rename in place, delete after confirming."""

import pytest

from app.extensions import db
from app.models import Assistant, PhoneNumber, User
from tests.pages.helpers import HTMX, add_number, make_assistant, post, soup


def page_url(team_id: str) -> str:
    return f"/teams/{team_id}/assistants"


def names(app, team_id) -> list[str]:
    with app.app_context():
        query = db.select(Assistant.name).where(Assistant.team_id == team_id)
        return sorted(db.session.scalars(query))


def test_empty_state_and_a_labelled_create_form(client, member):
    response = client.get(page_url(member.team_id))
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#assistants-empty h2").get_text(strip=True) == "No assistants yet"
    form = page.select_one("form#assistant-create")
    assert form["method"] == "post" and form["hx-post"] == form["action"]
    name = form.select_one("input[name=name]")
    assert page.select_one(f"label[for={name['id']}]").get_text(strip=True) == "Name"
    nav = page.select_one("nav.main-nav a[aria-current=page]")
    assert nav["href"] == page_url(member.team_id)


def test_the_list_counts_the_numbers_each_assistant_answers_on(app, client, member):
    first = add_number(app, member.team_id, "+14155550101")
    second = add_number(app, member.team_id, "+14155550102")
    make_assistant(app, member, "Sales Agent", [first, second])
    make_assistant(app, member, "Billing", [])
    page = soup(client.get(page_url(member.team_id)))
    rows = {r["data-assistant"]: r for r in page.select("#assistants-table tbody tr")}
    assert list(rows) == ["Billing", "Sales Agent"]
    assert rows["Sales Agent"].select_one("[data-role=number-count]")["data-count"] == "2"
    assert rows["Sales Agent"].select_one("[data-role=number-count]").get_text() == "2 numbers"
    assert rows["Billing"].select_one("[data-role=number-count]").get_text() == "0 numbers"


def test_htmx_create_returns_the_panel_with_the_new_row(app, client, member):
    response = post(client, page_url(member.team_id), {"name": "  Sales   Agent "})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    panel = soup(response)
    assert panel.find("html") is None
    assert panel.select_one("section#assistants-panel")
    (row,) = panel.select("#assistants-table tbody tr")
    assert row["data-assistant"] == "Sales Agent"
    assert panel.select_one("#assistants-notice").get_text().startswith("Created Sales Agent.")
    assert panel.select_one("input[name=name]").get("value", "") == ""  # ready for the next
    assert names(app, member.team_id) == ["Sales Agent"]


def test_create_without_javascript_redirects_with_a_flash(app, client, member):
    response = post(client, page_url(member.team_id), {"name": "Support"}, htmx=False)
    assert response.status_code == 302
    assert response.location == page_url(member.team_id)
    page = soup(client.get(response.location))
    assert page.select_one("#flashes .flash-success").get_text().startswith("Created Support.")


@pytest.mark.parametrize("htmx", [True, False])
def test_an_empty_name_is_refused_on_the_field(app, client, member, htmx):
    response = post(client, page_url(member.team_id), {"name": "   "}, htmx=htmx)
    assert response.status_code == 400
    page = soup(response)
    assert (page.find("html") is None) is htmx
    assert page.select_one("#name-error").get_text(strip=True) == "Name is required."
    assert page.select_one("input[name=name]")["aria-invalid"] == "true"
    assert names(app, member.team_id) == []


def test_rename_in_place_with_htmx(app, client, member):
    assistant_id = make_assistant(app, member)
    edit_url = f"{page_url(member.team_id)}/{assistant_id}/edit"
    row = soup(client.get(page_url(member.team_id))).select_one(f"#assistant-{assistant_id}")
    rename = row.select_one("a[hx-get]")
    assert rename["href"] == rename["hx-get"] == edit_url
    editing = soup(client.get(edit_url, headers=HTMX))
    assert editing.find("html") is None
    form = editing.select_one(f"tr#assistant-{assistant_id}.is-editing form")
    assert form.select_one("input[name=name]")["value"] == "Sales Agent"
    assert editing.select_one(f"label[for=name-{assistant_id}]")
    cancel = soup(client.get(f"{page_url(member.team_id)}/{assistant_id}", headers=HTMX))
    assert cancel.select_one(f"tr#assistant-{assistant_id}")["data-assistant"] == "Sales Agent"

    response = post(client, form["action"], {"name": "Front Desk"})
    assert response.status_code == 200
    renamed = soup(response).select_one(f"tr#assistant-{assistant_id}")
    assert renamed["data-assistant"] == "Front Desk"
    assert "is-editing" not in renamed.get("class", [])
    assert names(app, member.team_id) == ["Front Desk"]


def test_rename_without_javascript_uses_the_edit_page(app, client, member):
    assistant_id = make_assistant(app, member)
    edit_url = f"{page_url(member.team_id)}/{assistant_id}/edit"
    page = soup(client.get(edit_url))
    assert page.find("html") is not None
    form = page.select_one(f"tr#assistant-{assistant_id} form")
    refused = post(client, form["action"], {"name": ""}, htmx=False)
    assert refused.status_code == 400
    assert soup(refused).select_one(f"#name-{assistant_id}-error").get_text(strip=True) == (
        "Name is required."
    )
    response = post(client, form["action"], {"name": "Front Desk"}, htmx=False)
    assert response.status_code == 302 and response.location == page_url(member.team_id)
    assert names(app, member.team_id) == ["Front Desk"]
    assert client.get(f"{page_url(member.team_id)}/{assistant_id}").status_code == 302


def test_delete_says_how_many_numbers_become_unassigned(app, client, member):
    numbers = [add_number(app, member.team_id, f"+1415555010{i}") for i in range(2)]
    assistant_id = make_assistant(app, member, "Sales Agent", numbers)
    page = soup(client.get(page_url(member.team_id)))
    confirm = page.select_one(f"#assistant-{assistant_id} details[data-role=delete]")
    assert confirm.select_one(".confirm-question").get_text(" ", strip=True) == (
        "Delete Sales Agent? 2 numbers become unassigned."
    )
    form = confirm.select_one("form")
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Delete assistant"

    response = post(client, form["action"])
    assert response.status_code == 200
    panel = soup(response)
    assert panel.select_one("#assistants-empty")
    assert panel.select_one("#assistants-notice").get_text(strip=True) == (
        "Deleted Sales Agent. 2 numbers are now unassigned."
    )
    with app.app_context():
        assert db.session.get(Assistant, assistant_id) is None
        held = db.session.scalars(db.select(PhoneNumber)).all()
        assert [n.assistant_id for n in held] == [None, None]


def test_delete_without_javascript_redirects(app, client, member):
    assistant_id = make_assistant(app, member)
    url = f"{page_url(member.team_id)}/{assistant_id}/delete"
    response = post(client, url, htmx=False)
    assert response.status_code == 302
    flash = soup(client.get(response.location)).select_one("#flashes .flash-success")
    assert flash.get_text(strip=True) == "Deleted Sales Agent."
    assert names(app, member.team_id) == []


def test_every_post_needs_the_csrf_token(app, client, member):
    assistant_id = make_assistant(app, member)
    base = page_url(member.team_id)
    for url, data in [
        (base, {"name": "Forged"}),
        (f"{base}/{assistant_id}", {"name": "Forged"}),
        (f"{base}/{assistant_id}/delete", {}),
    ]:
        assert post(client, url, data, csrf=False).status_code == 400
        assert client.post(url, data=data).status_code == 400
    assert names(app, member.team_id) == ["Sales Agent"]


def test_another_teams_assistants_are_not_found(app, client, factory, member):
    stranger = factory.member("growth")
    theirs = make_assistant(app, stranger, "Their Agent")
    mine = page_url(member.team_id)
    assert client.get(page_url(stranger.team_id)).status_code == 404
    for url in (f"{mine}/{theirs}", f"{mine}/{theirs}/edit", f"{page_url(stranger.team_id)}"):
        assert client.get(url, headers=HTMX).status_code == 404
    assert post(client, f"{mine}/{theirs}", {"name": "Mine now"}).status_code == 404
    assert post(client, f"{mine}/{theirs}/delete").status_code == 404
    assert post(client, page_url(stranger.team_id), {"name": "Planted"}).status_code == 404
    assert names(app, stranger.team_id) == ["Their Agent"]


def test_an_assistant_of_my_other_team_is_not_found_under_this_one(app, client, factory, member):
    """Team B's assistant through team A's URL is a 404 even for a member of both."""
    other = factory.member("growth")
    with app.app_context():
        from app.accounts import teams as accounts
        from app.models import Team

        accounts.add_member(
            db.session.get(User, member.user_id), db.session.get(Team, other.team_id)
        )
    theirs = make_assistant(app, other, "Team B Agent")
    url = f"{page_url(member.team_id)}/{theirs}"
    assert client.get(f"{url}/edit").status_code == 404
    assert post(client, f"{url}/delete").status_code == 404
    assert names(app, other.team_id) == ["Team B Agent"]
