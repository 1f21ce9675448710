"""Releasing from a row with a grace window: the row says "Releasing at 14:05" with Undo, the
notice says "… releases at 14:05 — Undo", and Undo brings the number back (or says why not),
with htmx in place and without JavaScript."""

from datetime import timedelta

import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.extensions import db
from app.models import PhoneNumber, utcnow
from app.numbers.sweeps import release_due
from tests.pages.helpers import (
    HTMX,
    add_number,
    csrf_token,
    make_assistant,
    numbers_url,
    post,
    row_url,
    soup,
    stored,
    text,
)

NUMBER, SHOWN = "+14155550101", "(415) 555-0101"


def clock(moment) -> str:
    """The time as the page writes it before the browser makes it local (today, in UTC)."""
    return moment.strftime("%H:%M UTC")


def prose(element) -> str:
    """Text as read, where punctuation follows an inline element (a <time>) directly."""
    return " ".join(element.get_text().split())


def post_as(client, path: str, headers: dict):
    """An htmx POST from a page at another address (htmx sends it as HX-Current-URL)."""
    token = csrf_token(client, "/settings/tokens")
    return client.post(path, data={"csrf_token": token}, headers={**HTMX, **headers})


def scheduled_number(app, growth, **fields) -> str:
    number_id = add_number(app, growth.team_id, NUMBER, label="Front desk", **fields)
    make_assistant(app, growth, "Sales Agent", [number_id])
    return number_id


def test_the_confirmation_says_when_and_that_undo_brings_it_back(app, client, growth):
    number_id = scheduled_number(app, growth)
    panel = soup(client.get(row_url(growth.team_id, number_id, "release"), headers=HTMX))
    hint = panel.select_one(f"#release-hint-{number_id}")
    due = hint.select_one("time[data-local=time]")
    assert text(hint) == (
        f"It stops counting toward the plan now, keeps answering until {text(due)} and then "
        "goes back to the provider; until then, Undo brings it back as it is."
    )
    assert due["datetime"].endswith("Z") and text(due).endswith(" UTC")


def test_release_keeps_the_row_with_when_and_undo_and_frees_the_plan(app, client, growth):
    number_id = scheduled_number(app, growth)
    add_number(app, growth.team_id, "+14155550102")
    response = post(client, row_url(growth.team_id, number_id, "release"))
    assert response.status_code == 200
    fragment = soup(response)
    due = stored(app, number_id).release_after
    row = fragment.select_one(f"tr#number-{number_id}")
    assert row.select_one("[data-status]")["data-status"] == "releasing"
    note = row.select_one("[data-role=release-at]")
    assert prose(note) == f"Releasing at {clock(due)}; it answers calls until then."
    assert note.select_one("time[data-local=time]")["datetime"] == due.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    # It still answers and keeps its label; nothing about it can change but Undo.
    assert text(row.select_one("[data-role=assistant-name]")) == "Sales Agent"
    assert text(row.select_one("[data-role=label]")) == "Front desk"
    assert row.select_one("a[data-role=change-assistant], a[data-role=edit-label]") is None
    assert row.select_one("details[data-role=release]") is None
    undo_form = row.select_one("form[data-role=undo]")
    undo_url = row_url(growth.team_id, number_id, "undo-release")
    assert undo_form["action"] == undo_form["hx-post"] == undo_url
    assert text(undo_form.select_one("button")) == f"Undo the release of {SHOWN}"
    banner = fragment.select_one("#plan-banner[hx-swap-oob=true]")
    assert text(banner.select_one("#plan-headline")) == "1 of 10 numbers · Growth"
    notice = fragment.select_one("#numbers-notice[hx-swap-oob=true] [data-role=scheduled]")
    assert text(notice) == f"{SHOWN} releases at {clock(due)} — Undo the release of {SHOWN}"
    # Out of band inside a <template>: beside a <tr> the HTML parser would empty a bare <form>.
    raw = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert raw.find("template").find(id="numbers-notice").find("form")
    undo_form = notice.select_one("form")
    assert undo_form["hx-post"] == undo_url and undo_form["hx-target"] == f"#number-{number_id}"
    # The list's count and costs follow at once, for the list as the browser shows it.
    count = fragment.select_one("#numbers-count[hx-swap-oob=true]")
    assert text(count) == "1 number held, 1 being released"
    costs = fragment.select_one("#numbers-costs[hx-swap-oob=true]")
    assert "a month for 1 number;" in text(costs.select_one(".costs-total"))
    page = soup(client.get(numbers_url(growth.team_id)))
    assert text(page.select_one("#numbers-count")) == "1 number held, 1 being released"
    shown = {"HX-Current-URL": f"http://localhost{numbers_url(growth.team_id)}?q=front"}
    undone = soup(post_as(client, row_url(growth.team_id, number_id, "undo-release"), shown))
    assert text(undone.select_one("#numbers-count")) == "1 number matches the filters"


def test_undo_brings_it_back_as_it_was(app, client, growth):
    number_id = scheduled_number(app, growth)
    post(client, row_url(growth.team_id, number_id, "release"))
    response = post(client, row_url(growth.team_id, number_id, "undo-release"))
    assert response.status_code == 200
    fragment = soup(response)
    row = fragment.select_one(f"tr#number-{number_id}")
    assert row.select_one("[data-status]")["data-status"] == "active"
    assert text(row.select_one("[data-role=assistant-name]")) == "Sales Agent"
    assert text(row.select_one("[data-role=label]")) == "Front desk"
    assert row.select_one("details[data-role=release]") and not row.select("form")
    assert text(fragment.select_one("#numbers-notice [data-role=undone]")) == (
        f"{SHOWN} is back, answered by Sales Agent, as before its release."
    )
    assert text(fragment.select_one("#plan-headline")) == "1 of 10 numbers · Growth"
    assert stored(app, number_id).status == "active"


def test_without_javascript_release_and_undo_redirect_with_the_notice(app, client, growth):
    number_id = scheduled_number(app, growth)
    response = post(client, row_url(growth.team_id, number_id, "release"), htmx=False)
    assert response.status_code == 302
    assert response.location == f"{numbers_url(growth.team_id)}#number-{number_id}"
    page = soup(client.get(numbers_url(growth.team_id)))
    notice = page.select_one("#flashes [data-role=scheduled]")
    due = stored(app, number_id).release_after
    assert text(notice) == f"{SHOWN} releases at {clock(due)} — Undo the release of {SHOWN}"
    form = notice.select_one("form")
    assert form["method"] == "post" and form.select_one("input[name=csrf_token]")["value"]
    assert page.select_one(f"tr#number-{number_id} form[data-role=undo]")
    back = post(client, form["action"], htmx=False)
    assert back.status_code == 302
    page = soup(client.get(numbers_url(growth.team_id)))
    assert text(page.select_one("#flashes .flash-success")) == (
        f"{SHOWN} is back, answered by Sales Agent, as before its release."
    )


def test_an_undo_that_no_longer_fits_says_why_and_what_to_do(app, client, factory, auth):
    owner = factory.member("starter")
    auth.sign_in(owner)
    number_id = add_number(app, owner.team_id, NUMBER)
    add_number(app, owner.team_id, "+14155550102")
    add_number(app, owner.team_id, "+14155550103")
    post(client, row_url(owner.team_id, number_id, "release"))
    add_number(app, owner.team_id, "+14155550104")  # the freed slot, taken meanwhile
    response = post(client, row_url(owner.team_id, number_id, "undo-release"))
    assert response.status_code == 403
    fragment = soup(response)
    error = fragment.select_one(f"tr#number-{number_id}.has-error [data-role=undo-error]")
    assert text(error) == (
        f"{NUMBER} cannot come back: the Starter plan allows 3 numbers and this team holds 3 "
        "now. Release another number first, or choose a larger plan, then undo again before "
        "the release is done. Compare plans"
    )
    assert error["role"] == "alert"
    assert error.select_one("a[data-role=plans-link]")["href"] == f"/teams/{owner.team_id}/plans"
    assert fragment.select_one(f"tr#number-{number_id} form[data-role=undo]")  # try again later
    assert not fragment.select_one("#numbers-notice").get_text(strip=True)  # no stale Undo
    assert stored(app, number_id).release_scheduled
    post(client, row_url(owner.team_id, number_id, "undo-release"), htmx=False)
    flash = soup(client.get(numbers_url(owner.team_id))).select_one("#flashes [role=alert]")
    assert text(flash).startswith(f"{NUMBER} cannot come back")
    assert flash.select_one("a[data-role=plans-link]")


def test_too_late_the_row_goes_and_the_notice_says_so(app, client, growth):
    number_id = scheduled_number(app, growth)
    post(client, row_url(growth.team_id, number_id, "release"))
    with app.app_context():
        assert release_due(utcnow() + timedelta(minutes=61)) == 1
    response = post(client, row_url(growth.team_id, number_id, "undo-release"))
    assert response.status_code == 409
    fragment = soup(response)
    assert fragment.select_one("tr") is None
    failed = fragment.select_one("#numbers-notice[hx-swap-oob=true] [data-role=undo-failed]")
    assert text(failed).startswith(f"Too late to undo: {NUMBER} was released at ")


def test_a_release_past_due_says_it_goes_with_the_next_run(app, client, growth):
    number_id = scheduled_number(app, growth)
    post(client, row_url(growth.team_id, number_id, "release"))
    with app.app_context():
        db.session.execute(
            sa.update(PhoneNumber).values(release_after=utcnow() - timedelta(minutes=2))
        )
        db.session.commit()
    row = soup(client.get(numbers_url(growth.team_id))).select_one(f"tr#number-{number_id}")
    assert text(row.select_one("[data-role=release-at]")).endswith(
        "it goes back to the provider with the next release run."
    )
    assert row.select_one("form[data-role=undo]")  # still undoable until the sweep takes it


def test_bulk_release_says_when_and_the_rows_offer_undo(app, client, growth):
    ids = [add_number(app, growth.team_id, f"+1415555010{i}") for i in range(2)]
    review = soup(
        client.get(
            f"{numbers_url(growth.team_id)}/selection",
            query_string={"action": "release", "ids": ids},
        )
    )
    hint = review.select_one("#selection-hint")
    due = text(hint.select_one("time[data-local=time]"))
    assert prose(hint) == (
        f"They stop counting toward the plan now and release at {due}: until then they keep "
        "answering, and Undo in each one's row brings it back as it is."
    )
    form = review.select_one("main form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    post(client, form["action"], {**data, "ids": ids}, htmx=False)
    page = soup(client.get(numbers_url(growth.team_id)))
    notice = page.select_one("#flashes [data-role=scheduled]")
    assert prose(notice) == (
        f"2 numbers release at {due}: (415) 555-0100, (415) 555-0101. "
        "Undo any of them in its row until then."
    )
    assert len(page.select("form[data-role=undo]")) == 2
    assert text(page.select_one("#plan-headline")) == "0 of 10 numbers · Growth"


def test_history_tells_the_release_its_undo_and_the_release_done(app, client, growth):
    number_id = scheduled_number(app, growth)
    post(client, row_url(growth.team_id, number_id, "release"))
    post(client, row_url(growth.team_id, number_id, "undo-release"))
    post(client, row_url(growth.team_id, number_id, "release"))
    due = stored(app, number_id).release_after
    with app.app_context():
        release_due(utcnow() + timedelta(minutes=61))
    page = soup(client.get(f"/teams/{growth.team_id}/history"))
    rows = page.select("#history-table tbody tr")[:4]
    lines = [(r["data-action"], text(r.select_one("[data-role=what]"))) for r in rows]
    assert lines == [
        ("release", f"Released {SHOWN}, as scheduled"),
        ("release_schedule", f"Scheduled the release of {SHOWN}"),
        ("release_undo", f"Undid the release of {SHOWN}"),
        ("release_schedule", f"Scheduled the release of {SHOWN}"),
    ]
    when = rows[1].select_one("[data-role=due]")
    assert prose(when) == f"due {due.strftime('%d %b %Y, %H:%M UTC')}, undoable until then"
    assert text(rows[0].select_one("[data-role=actor]")) == "System"


def test_focus_follows_the_row_from_release_to_undo_and_back(app, client, growth):
    """The button clicked is swapped away with its row: htmx focuses what the new row marks
    autofocus, so a keyboard stays on the row (Undo after a release, Release after an undo)."""
    number_id = scheduled_number(app, growth)
    released = soup(post(client, row_url(growth.team_id, number_id, "release")))
    row = released.select_one(f"tr#number-{number_id}")
    assert row.select("[autofocus]") == [row.select_one("button[data-role=undo-release]")]
    undone = soup(post(client, row_url(growth.team_id, number_id, "undo-release")))
    row = undone.select_one(f"tr#number-{number_id}")
    assert row.select("[autofocus]") == [row.select_one("details[data-role=release] summary")]
    # A plain page shows the rows with nothing marked.
    assert soup(client.get(numbers_url(growth.team_id))).select("tbody [autofocus]") == []
