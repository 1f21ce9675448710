"""Releasing a number from its row: one confirmation, then gone (or kept, and why).

The release here is done at once (RELEASE_GRACE_MINUTES=0) where a test is about the row going;
tests/pages/test_release_undo.py follows a release through its grace window and Undo."""

from app.providers.base import ProviderError
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
        "Release (415) 555-0101? Sales Agent will stop answering on it when it goes."
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


def test_release_removes_the_row_and_updates_the_banner(app, client, growth, release_at_once):
    keep = add_number(app, growth.team_id, "+14155550101")
    gone = add_number(app, growth.team_id, "+14155550102")
    page = soup(client.get(numbers_url(growth.team_id)))
    assert text(page.select_one("#plan-headline")) == "2 of 10 numbers · Growth"
    panel = soup(client.get(row_url(growth.team_id, gone, "release"), headers=HTMX))
    response = post(client, panel.select_one("form")["action"])
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.select_one("tr[id^=number-]") is None  # the row is swapped for nothing
    banner = fragment.select_one("#plan-banner[hx-swap-oob=true]")
    assert text(banner.select_one("#plan-headline")) == "1 of 10 numbers · Growth"
    assert text(fragment.select_one("#numbers-count[hx-swap-oob=true]")) == "1 number held"
    costs = fragment.select_one("#numbers-costs[hx-swap-oob=true]")
    assert "a month for 1 number;" in text(costs.select_one(".costs-total"))
    # Said where it is seen, not only to screen readers: the row is gone, this stays.
    notice = fragment.select_one("#numbers-notice[hx-swap-oob=true]")
    assert "visually-hidden" not in notice.get("class", [])
    assert text(notice.select_one("[data-role=released]")) == "Released (415) 555-0102."
    assert soup(client.get(numbers_url(growth.team_id))).select_one("#numbers-notice")
    assert stored(app, gone).status == "released"
    rows = soup(client.get(numbers_url(growth.team_id))).select("#numbers-table tbody tr")
    assert [r["id"] for r in rows] == [f"number-{keep}"]


def test_releasing_the_last_number_shows_the_empty_state(app, client, growth, release_at_once):
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


def test_a_provider_failure_keeps_the_number_and_says_so(
    app, client, growth, monkeypatch, release_at_once
):
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


def test_release_without_javascript_redirects_with_a_flash(app, client, growth, release_at_once):
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
