"""The numbers table's rows: the assistant picker, the label, releasing with a confirmation."""

from tests.pages.helpers import (
    HTMX,
    add_number,
    make_assistant,
    numbers_url,
    post,
    row_url,
    soup,
    stored,
    text,
)


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
        "Release (415) 555-0101? Sales Agent will stop answering on it when it goes."
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
