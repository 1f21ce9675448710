"""Bulk actions beyond the page shown: "Select all N matching" (chosen again on the server from
the list's filters, up to a maximum), a label for a selection, and no bulk bar for one number."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import PhoneNumber
from tests.factories import seed
from tests.pages.helpers import numbers_url, soup, text


@pytest.fixture
def team(app, factory, auth):
    """A signed-in owner of a Scale team with 60 numbers, the odd ones answered by Ava."""
    owner = factory.member("scale")
    seed(app, owner, 60)
    auth.sign_in(owner)
    return owner


def selection_url(team) -> str:
    return f"{numbers_url(team.team_id)}/selection"


def fields(form, **extra) -> MultiDict:
    sent = MultiDict([(i["name"], i.get("value", "")) for i in form.select("input[name]")])
    for name, value in extra.items():
        sent[name] = value
    return sent


def assistants_of(app) -> dict[str | None, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(PhoneNumber.assistant_id, sa.func.count()).group_by(PhoneNumber.assistant_id)
        )
        return dict(rows.all())


def test_the_bar_offers_every_match_only_when_there_are_more_than_shown(client, team):
    page = soup(client.get(numbers_url(team.team_id)))
    assert text(page.select_one("label.bulk-all")) == "Select all 60 matching"
    assert page.select_one("#bulk-all").find_parent("form")["id"] == "bulk-form"
    narrowed = soup(client.get(numbers_url(team.team_id), query_string={"assistantId": "none"}))
    assert narrowed.select_one("#bulk-all") is None  # all 30 are on the page already


def test_all_matching_takes_every_number_the_filters_keep_not_only_the_page(
    app, client, team, factory
):
    nova = factory.assistant(team, "Nova")
    before = assistants_of(app)
    assert before[None] == 30
    review = client.get(
        selection_url(team),
        query_string={"action": f"assign:{nova}", "all": "matching", "q": "555"},
    )
    assert review.status_code == 200
    page = soup(review)
    assert text(page.select_one("h1")) == "Assign 60 numbers to Nova?"
    assert len(page.select("#selection-list tbody tr")) == 60
    # The buttons are at the top and again at the bottom of the long list.
    assert text(page.select_one("#selection-actions-top button")) == "Assign 60 numbers"
    assert text(page.select_one("#selection-actions-bottom button")) == "Assign 60 numbers"
    top = page.select_one("#selection-actions-top")
    assert top.find_next("table", id="selection-list") is not None
    form = page.select_one("#selection-confirm").find_parent("form")
    done = client.post(form["action"], data=fields(form))
    assert done.status_code == 302
    assert assistants_of(app) == {nova: 60}


def test_all_matching_is_bounded_by_the_maximum(client, team, monkeypatch):
    from app.numbers import bulk

    monkeypatch.setattr(bulk, "MAX_BULK", 20)
    response = client.get(
        selection_url(team), query_string={"action": "unassign", "all": "matching"}
    )
    assert response.status_code == 302
    after = soup(client.get(response.location))
    assert text(after.select_one("#flashes .flash-error")) == (
        "More than 20 numbers match: narrow the filters first."
    )


def test_all_matching_with_a_bad_filter_acts_on_nothing(app, client, team):
    response = client.get(
        selection_url(team),
        query_string={"action": "unassign", "all": "matching", "status": "gone"},
    )
    assert response.status_code == 302
    after = soup(client.get(response.location))
    assert text(after.select_one("#flashes .flash-error")).startswith("Fix the filters first:")
    assert assistants_of(app)[None] == 30


def test_a_selection_gets_one_label(app, client, team):
    page = soup(client.get(numbers_url(team.team_id), query_string={"sort": "number"}))
    ids = [row["id"].removeprefix("number-") for row in page.select("#numbers-table tbody tr")][:3]
    review = soup(
        client.get(
            selection_url(team), query_string=[("action", "label"), *[("ids", i) for i in ids]]
        )
    )
    assert text(review.select_one("h1")) == "Label 3 numbers"
    form = review.select_one("#selection-confirm").find_parent("form")
    done = client.post(form["action"], data=fields(form, label="  Front desk "))
    after = soup(client.get(done.location))
    assert text(after.select_one("#flashes .flash-success")) == (
        "Labelled the 3 selected “Front desk”."
    )
    with app.app_context():
        labels = db.session.scalars(sa.select(PhoneNumber.label).where(PhoneNumber.id.in_(ids)))
        assert list(labels) == ["Front desk"] * 3
    too_long = client.post(form["action"], data=fields(form, label="x" * 81))
    after = soup(client.get(too_long.location))
    assert text(after.select_one("#flashes .flash-error")) == "Label must be at most 80 characters."


def test_a_team_with_one_number_has_no_bulk_bar(app, client, factory, auth):
    owner = factory.member("scale")
    factory.number(owner, "+14155550100")
    auth.sign_in(owner)
    page = soup(client.get(numbers_url(owner.team_id)))
    assert page.select_one("#numbers-table tbody tr[data-number='+14155550100']")
    assert page.select_one("#bulk-form") is None
    assert "is-single" in page.select_one("#numbers-table")["class"]
