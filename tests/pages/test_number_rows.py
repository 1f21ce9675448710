"""The numbers table's rows: the assistant picker, the label, releasing with a confirmation."""

import pytest

from app.extensions import db
from app.models import PhoneNumber
from app.providers.base import ProviderError
from tests.pages.helpers import HTMX, add_number, make_assistant, numbers_url, post, soup, text


def row_url(team_id: str, number_id: str, action: str) -> str:
    return f"{numbers_url(team_id)}/{number_id}/{action}"


def stored(app, number_id) -> PhoneNumber:
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        db.session.expunge(number)
        return number


@pytest.fixture
def growth(factory, auth):
    """A signed-in owner of a Growth team (room for several numbers)."""
    owner = factory.member("growth")
    auth.sign_in(owner)
    return owner


def test_each_row_loads_its_picker_only_when_asked(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    other_id = add_number(app, growth.team_id, "+14155550102")
    sales = make_assistant(app, growth, "Sales Agent", [number_id])
    make_assistant(app, growth, "Billing")
    page = soup(client.get(numbers_url(growth.team_id)))
    # The option list is not repeated per row: the table holds no picker at all.
    assert page.select("#numbers-table select[data-role=assistant-picker]") == []
    row = page.select_one(f"tr#number-{number_id}")
    assert text(row.select_one("[data-role=assistant-name]")) == "Sales Agent"
    change = row.select_one("a[data-role=change-assistant]")
    assert text(change) == "Change the assistant answering on (415) 555-0101"
    edit_url = row_url(growth.team_id, number_id, "assistant/edit")
    assert change["href"] == change["hx-get"] == edit_url
    assert change["hx-target"] == f"#assistant-{number_id}"
    other = page.select_one(f"tr#number-{other_id} a[data-role=change-assistant]")
    assert text(other).startswith("Assign")

    form = soup(client.get(edit_url, headers=HTMX)).select_one(f"form#assistant-{number_id}")
    picker = form.select_one("select[data-role=assistant-picker]")
    options = [(o["value"], o.get_text(strip=True)) for o in picker.select("option")]
    assert options[0] == ("", "Unassigned")
    assert [name for _, name in options[1:]] == ["Billing", "Sales Agent"]
    assert picker.select_one("option[selected]")["value"] == sales
    assert picker.has_attr("autofocus")
    label = form.select_one(f"label[for={picker['id']}]")
    assert text(label) == "Assistant answering on (415) 555-0101"
    assert form["hx-post"] == form["action"] == row_url(growth.team_id, number_id, "assistant")
    # Saved on Save (or Enter) only: browsing the options with arrow keys saves nothing.
    assert "hx-trigger" not in form.attrs
    assert (form["hx-target"], form["hx-swap"]) == ("closest tr", "outerHTML")
    assert text(form.select_one("button[type=submit]")) == "Save"
    cancel = form.select_one("a[hx-get]")
    restored = soup(client.get(cancel["hx-get"], headers=HTMX))
    assert text(restored.select_one("[data-role=assistant-name]")) == "Sales Agent"

    # Without JavaScript the same picker is a page of its own.
    whole = soup(client.get(edit_url))
    assert whole.find("html") and whole.select_one("form select[data-role=assistant-picker]")


def test_picking_an_assistant_swaps_the_row_and_says_saved(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    sales = make_assistant(app, growth, "Sales Agent")
    response = post(
        client, row_url(growth.team_id, number_id, "assistant"), {"assistant_id": sales}
    )
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.find("html") is None
    row = fragment.select_one(f"tr#number-{number_id}")
    assert text(row.select_one("[data-role=assistant-name]")) == "Sales Agent"
    assert text(row.select_one("[data-role=saved]")) == "Saved"  # visible, not only announced
    assert row.select_one("[data-role=change-assistant]").has_attr("autofocus")  # focus stays
    # The release warning, loaded when its panel opens, names the assistant as it now is.
    release = soup(client.get(row_url(growth.team_id, number_id, "release"), headers=HTMX))
    assert text(release.select_one(".confirm-question")) == (
        "Release (415) 555-0101? Sales Agent will stop answering on it."
    )
    assert text(fragment.select_one("#live-status[hx-swap-oob]")) == (
        "Sales Agent now answers on (415) 555-0101."
    )
    assert stored(app, number_id).assistant_id == sales

    response = post(client, row_url(growth.team_id, number_id, "assistant"), {"assistant_id": ""})
    row = soup(response).select_one(f"tr#number-{number_id}")
    assert text(row.select_one("[data-role=assistant-name]")) == "Unassigned"
    release = soup(client.get(row_url(growth.team_id, number_id, "release"), headers=HTMX))
    assert text(release.select_one(".confirm-question")).endswith("No assistant answers on it.")
    assert stored(app, number_id).assistant_id is None


def test_the_picker_without_javascript_posts_and_redirects(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    sales = make_assistant(app, growth, "Sales Agent")
    url = row_url(growth.team_id, number_id, "assistant")
    response = post(client, url, {"assistant_id": sales}, htmx=False)
    assert response.status_code == 302
    assert response.location == f"{numbers_url(growth.team_id)}#number-{number_id}"
    page = soup(client.get(numbers_url(growth.team_id)))
    assert text(page.select_one("#flashes .flash-success")) == (
        "Sales Agent now answers on (415) 555-0101."
    )


def test_another_teams_assistant_or_number_is_not_found(app, client, factory, growth):
    stranger = factory.member("growth")
    theirs = make_assistant(app, stranger, "Their Agent")
    their_number = add_number(app, stranger.team_id, "+14155550109")
    mine = add_number(app, growth.team_id, "+14155550101")
    assign = row_url(growth.team_id, mine, "assistant")
    assert post(client, assign, {"assistant_id": theirs}).status_code == 404
    assert post(client, assign, {"assistant_id": "asst_nope"}).status_code == 404
    assert stored(app, mine).assistant_id is None
    for team_id in (growth.team_id, stranger.team_id):
        for action, data in [("assistant", {"assistant_id": ""}), ("label", {"label": "x"})]:
            assert post(client, row_url(team_id, their_number, action), data).status_code == 404
        assert post(client, row_url(team_id, their_number, "release")).status_code == 404
        assert client.get(row_url(team_id, their_number, "label/edit")).status_code == 404
    assert stored(app, their_number).status == "active"
    assert stored(app, their_number).label is None


def test_label_edits_in_place(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    slot = soup(client.get(numbers_url(growth.team_id))).select_one(f"#label-{number_id}")
    link = slot.select_one("a[hx-get]")
    assert text(link) == "Add label for (415) 555-0101"
    assert link["href"] == link["hx-get"] == row_url(growth.team_id, number_id, "label/edit")
    editing = soup(client.get(link["href"], headers=HTMX))
    assert editing.find("html") is None
    form = editing.select_one(f"form#label-{number_id}")
    field = form.select_one("input[name=label]")
    assert field.has_attr("autofocus")
    assert text(form.select_one(f"label[for={field['id']}]")) == "Label for (415) 555-0101"

    response = post(client, form["action"], {"label": "  Support   line "})
    assert response.status_code == 200
    slot = soup(response).select_one(f"#label-{number_id}")
    assert slot.select_one("[data-role=label]").get_text() == "Support line"
    assert text(slot.select_one("a")) == "Edit label for (415) 555-0101"
    assert slot.select_one("a").has_attr("autofocus")  # focus returns to the row, not <body>
    assert text(slot.select_one("[data-role=saved]")) == "Saved"
    assert stored(app, number_id).label == "Support line"
    cancel = soup(client.get(row_url(growth.team_id, number_id, "label"), headers=HTMX))
    assert cancel.select_one("[data-role=label]").get_text() == "Support line"

    cleared = soup(post(client, form["action"], {"label": ""}))
    assert cleared.select_one("[data-role=label]") is None
    assert stored(app, number_id).label is None


def test_a_too_long_label_is_refused_on_the_field(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    url = row_url(growth.team_id, number_id, "label")
    response = post(client, url, {"label": "x" * 81})
    assert response.status_code == 400
    form = soup(response).select_one(f"form#label-{number_id}")
    assert form.select_one("input[name=label]")["aria-invalid"] == "true"
    assert "at most 80 characters" in form.select_one(".field-error").get_text()
    assert stored(app, number_id).label is None


def test_label_without_javascript(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    page = soup(client.get(row_url(growth.team_id, number_id, "label/edit")))
    assert page.find("html") is not None
    assert page.select_one(f"form#label-{number_id} input[name=label]")
    response = post(
        client, row_url(growth.team_id, number_id, "label"), {"label": "Hotline"}, htmx=False
    )
    assert response.location == f"{numbers_url(growth.team_id)}#number-{number_id}"
    row = soup(client.get(numbers_url(growth.team_id))).select_one(f"tr#number-{number_id}")
    assert row.select_one("td[data-label=Number] [data-role=label]").get_text() == "Hotline"


def test_release_confirmation_names_the_number_and_its_assistant(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    make_assistant(app, growth, "Sales Agent", [number_id])
    other = add_number(app, growth.team_id, "+14155550102")
    page = soup(client.get(numbers_url(growth.team_id)))
    confirm = page.select_one(f"tr#number-{number_id} details[data-role=release]")
    summary = confirm.select_one("summary")
    assert text(summary) == "Release (415) 555-0101"
    # The row carries no confirmation: it loads when the panel opens, as it is then.
    assert confirm.select_one("form") is None
    url = row_url(growth.team_id, number_id, "release")
    assert summary["hx-get"] == url and summary["hx-trigger"] == "click once"
    assert summary["hx-target"] == f"#release-panel-{number_id}"
    assert confirm.select_one(f"#release-panel-{number_id} a.no-js-only")["href"] == url
    panel = soup(client.get(url, headers=HTMX))
    assert panel.find("html") is None
    assert text(panel.select_one(".confirm-question")) == (
        "Release (415) 555-0101? Sales Agent will stop answering on it."
    )
    form = panel.select_one("form")
    assert form["hx-post"] == form["action"] == url
    assert (form["hx-target"], form["hx-swap"]) == ("closest tr", "outerHTML")
    assert text(form.select_one("button[type=submit]")) == "Release number"
    other_panel = soup(client.get(row_url(growth.team_id, other, "release"), headers=HTMX))
    assert text(other_panel.select_one(".confirm-question")) == (
        "Release (415) 555-0102? No assistant answers on it."
    )
    # Without JavaScript the same confirmation is a page whose form posts without htmx.
    whole = soup(client.get(url))
    assert whole.find("html") and "hx-post" not in whole.select_one("main form").attrs
    assert whole.select_one("main form")["action"] == url


def test_rows_carry_no_forms(app, client, growth):
    """What loads when asked (the picker, the label editor, the release confirmation) is not
    repeated in every row."""
    for index in range(10):
        add_number(app, growth.team_id, f"+1415555010{index}")
    rows = soup(client.get(numbers_url(growth.team_id))).select("#numbers-table tbody tr")
    assert all(row.select_one("form") is None for row in rows)


def test_release_removes_the_row_and_updates_the_banner(app, client, growth):
    keep = add_number(app, growth.team_id, "+14155550101")
    gone = add_number(app, growth.team_id, "+14155550102")
    page = soup(client.get(numbers_url(growth.team_id)))
    assert text(page.select_one("#plan-headline")) == "2 of 10 numbers · Growth"
    panel = soup(client.get(row_url(growth.team_id, gone, "release"), headers=HTMX))
    response = post(client, panel.select_one("form")["action"])
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.select_one("tr") is None  # the row is swapped for nothing
    banner = fragment.select_one("#plan-banner[hx-swap-oob=true]")
    assert text(banner.select_one("#plan-headline")) == "1 of 10 numbers · Growth"
    # Said where it is seen, not only to screen readers: the row is gone, this stays.
    notice = fragment.select_one("#numbers-notice[hx-swap-oob=true]")
    assert "visually-hidden" not in notice.get("class", [])
    assert text(notice.select_one("[data-role=released]")) == "Released (415) 555-0102."
    assert soup(client.get(numbers_url(growth.team_id))).select_one("#numbers-notice")
    assert stored(app, gone).status == "released"
    rows = soup(client.get(numbers_url(growth.team_id))).select("#numbers-table tbody tr")
    assert [r["id"] for r in rows] == [f"number-{keep}"]


def test_releasing_the_last_number_shows_the_empty_state(app, client, growth):
    only = add_number(app, growth.team_id, "+14155550101")
    response = post(client, row_url(growth.team_id, only, "release"))
    assert response.headers["HX-Retarget"] == "#numbers-table"
    assert response.headers["HX-Reswap"] == "outerHTML"
    fragment = soup(response)
    assert fragment.select_one("section#numbers-table #numbers-empty")
    assert text(fragment.select_one("#plan-headline")) == "0 of 10 numbers · Growth"
    assert text(fragment.select_one("#numbers-notice [data-role=released]")) == (
        "Released (415) 555-0101."
    )


def test_a_provider_failure_keeps_the_number_and_says_so(app, client, growth, monkeypatch):
    number_id = add_number(app, growth.team_id, "+14155550101", provider_number_id="sbx-1")
    add_number(app, growth.team_id, "+14155550102")

    def broken(provider_number_id):
        raise ProviderError("Telnyx answered 503.")

    monkeypatch.setattr(app.extensions["phone_provider"], "release", broken)
    response = post(client, row_url(growth.team_id, number_id, "release"))
    assert response.status_code == 502
    row = soup(response).select_one(f"tr#number-{number_id}")
    alert = row.select_one("[data-role=release-error][role=alert]")
    assert text(alert).startswith("(415) 555-0101 was not released: the telephony provider failed")
    assert "It is still yours" in text(alert)
    assert row.select_one("details[data-role=release]")  # and it can be tried again
    assert stored(app, number_id).status == "active"

    response = post(client, row_url(growth.team_id, number_id, "release"), htmx=False)
    assert response.status_code == 302
    flash = soup(client.get(numbers_url(growth.team_id))).select_one("#flashes .flash-error")
    assert "was not released" in text(flash)


def test_release_without_javascript_redirects_with_a_flash(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    response = post(client, row_url(growth.team_id, number_id, "release"), htmx=False)
    assert response.status_code == 302 and response.location == numbers_url(growth.team_id)
    page = soup(client.get(response.location))
    assert text(page.select_one("#flashes .flash-success")) == "Released (415) 555-0101."
    assert page.select_one("#numbers-empty")
    # The form sent again (a reload, a double submit) is a quiet success, not an error.
    again = post(client, row_url(growth.team_id, number_id, "release"), htmx=False)
    assert again.status_code == 302


def test_expired_trials_offer_no_release(app, client, growth):
    from datetime import timedelta

    from app.models import utcnow

    number_id = add_number(
        app,
        growth.team_id,
        "+14155550101",
        is_trial=True,
        trial_expires_at=utcnow() - timedelta(days=1),
    )
    row = soup(client.get(numbers_url(growth.team_id))).select_one(f"tr#number-{number_id}")
    assert row.select_one("details[data-role=release]") is None


def test_every_row_post_needs_the_csrf_token(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    sales = make_assistant(app, growth, "Sales Agent")
    for action, data in [
        ("assistant", {"assistant_id": sales}),
        ("label", {"label": "Forged"}),
        ("release", {}),
    ]:
        url = row_url(growth.team_id, number_id, action)
        assert post(client, url, data, csrf=False).status_code == 400
        assert client.post(url, data=data).status_code == 400
    number = stored(app, number_id)
    assert (number.assistant_id, number.label, number.status) == (None, None, "active")


def test_the_vary_header_is_on_row_answers(app, client, growth):
    number_id = add_number(app, growth.team_id, "+14155550101")
    response = client.get(row_url(growth.team_id, number_id, "label/edit"), headers=HTMX)
    assert "HX-Request" in response.headers["Vary"]


def test_saving_a_label_reads_three_times(app, client, member):
    from tests.factories import counting, selects
    from tests.pages.helpers import csrf_token

    number_id = add_number(app, member.team_id, "+14155550101", user_id=member.user_id)
    url = f"{numbers_url(member.team_id)}/{number_id}/label"
    post(client, url, {"label": "Warm-up"})
    token = csrf_token(client, numbers_url(member.team_id))
    with counting(app) as statements:
        response = client.post(
            url,
            data={"label": "Front desk", "csrf_token": token},
            headers={**HTMX, "X-CSRFToken": token},
        )
    assert response.status_code == 200
    # The user, the team (with the role), the number; then the write and its history line.
    reads = selects(statements)
    assert len(reads) <= 3, reads
