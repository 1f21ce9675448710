"""History filtered by number, person, kind of action and UTC days (a GET form that works
without JavaScript; htmx gets the list only), and the CSV of exactly the filtered rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from app import audit
from app.extensions import db
from app.models import AuditEvent, User
from tests.pages.helpers import HTMX, soup, text


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def team(app, factory, auth, client):
    """Owner Olga (signed in) and Max; six events over four days, one by the system."""
    olga = factory.member("growth")
    max_ = factory.member(team_id=olga.team_id, role="admin")
    with app.app_context():
        events = [
            (olga.user_id, "purchase", "+14155550101", {}, {}, at(1)),
            (max_.user_id, "assign", "+14155550101", {}, {"assistant_name": "Ava"}, at(2, 9)),
            (olga.user_id, "label", "+12125550199", {}, {"label": "Desk"}, at(2, 23)),
            (None, "expire", "+12125550199", {}, {}, at(3)),
            (max_.user_id, "assistant_create", "Ava", {}, {}, at(4)),
            (olga.user_id, "release", "+14155550101", {}, {}, at(4, 18)),
        ]
        for actor_id, action, subject, before, after, when in events:
            event = audit.record(
                olga.team_id, actor_id, action, subject=subject, before=before, after=after
            )
            event.created_at = when
        # Another team's event never shows, whatever the filters.
        other = factory.member("growth")
        stranger = audit.record(other.team_id, None, "purchase", subject="+14155550101")
        stranger.created_at = at(2)
        db.session.commit()
    auth.sign_in(olga)
    return olga, max_


def shown(client, team_id, **query):
    """(status, [(action, subject digits or name)]) as the page lists them, newest first."""
    response = client.get(f"/teams/{team_id}/history", query_string=query)
    rows = soup(response).select("#history-table tbody tr")
    return response.status_code, [r["data-action"] for r in rows]


CASES = [
    ({}, ["release", "assistant_create", "expire", "label", "assign", "purchase"]),
    ({"number": "4155550101"}, ["release", "assign", "purchase"]),
    ({"number": "(212) 555-0199"}, ["expire", "label"]),
    ({"number": "555"}, ["release", "expire", "label", "assign", "purchase"]),
    ({"person": "olga"}, ["release", "label", "purchase"]),
    ({"person": "max"}, ["assistant_create", "assign"]),
    ({"person": "system"}, ["expire"]),
    ({"action": "releases"}, ["release", "expire"]),
    ({"action": "assistants"}, ["assistant_create"]),
    ({"action": "assignments", "person": "max"}, ["assign"]),
    ({"since": "2026-11-02", "until": "2026-11-02"}, ["label", "assign"]),
    ({"since": "2026-11-04"}, ["release", "assistant_create"]),
    ({"until": "2026-11-01"}, ["purchase"]),
    ({"number": "4155550101", "since": "2026-11-02", "until": "2026-11-03"}, ["assign"]),
    ({"action": "campaigns"}, []),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_filters_keep_exactly_these_rows(client, team, query, expected):
    olga, max_ = team
    people = {"olga": olga.user_id, "max": max_.user_id, "system": "system"}
    if "person" in query:
        query = {**query, "person": people[query["person"]]}
    assert shown(client, olga.team_id, **query) == (200, expected)


BAD = [
    ({"number": "abc"}, "number", "Type digits of the number, such as 415 or 5550101."),
    ({"person": "usr_nobody"}, "person", "Choose someone from the list."),
    ({"action": "everything"}, "action", "Choose a kind of action from the list."),
    ({"since": "yesterday"}, "since", "Write the date as YYYY-MM-DD."),
    (
        {"since": "2026-11-04", "until": "2026-11-01"},
        "until",
        "The end date is before the start date.",
    ),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD)
def test_a_bad_filter_is_named_beside_its_field_and_left_out(client, team, query, field, message):
    olga, _max = team
    response = client.get(f"/teams/{olga.team_id}/history", query_string=query)
    assert response.status_code == 400
    page = soup(response)
    assert text(page.select_one(f"#history-{field}-error")) == message
    assert page.select_one(f"#history-{field}")["aria-invalid"] == "true"
    assert len(page.select("#history-table tbody tr")) >= 1  # listed without that filter


def test_htmx_gets_the_list_only_and_the_pager_keeps_the_filters(app, client, team):
    olga, _max = team
    with app.app_context():
        for i in range(55):
            event = audit.record(olga.team_id, None, "expire", subject=f"+1303555{i:04d}")
            event.created_at = at(5)
        db.session.commit()
    response = client.get(
        f"/teams/{olga.team_id}/history", query_string={"action": "releases"}, headers=HTMX
    )
    page = soup(response)
    assert response.headers["HX-Push-Url"] == f"/teams/{olga.team_id}/history?action=releases"
    assert page.select_one("#history-filters") is None and page.select_one("section#history")
    assert text(page.select_one("#history-count")) == "57 events match the filters"
    older = page.select_one("a[rel=next]")["href"]
    assert "action=releases" in older and "page=2" in older
    status, actions = shown(client, olga.team_id, action="releases", page="2")
    assert (status, actions) == (200, ["expire"] * 5 + ["release", "expire"])


def test_the_csv_holds_exactly_the_filtered_rows(client, team):
    olga, _max = team
    link = soup(
        client.get(f"/teams/{olga.team_id}/history", query_string={"number": "4155550101"})
    ).select_one("#history-csv")["href"]
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["time_utc", "time", "who", "action", "what", "before", "after"],
        ["2026-11-04T18:00:00Z", "04 Nov 2026, 18:00 UTC", "User 1", "release",
         "Released (415) 555-0101", "", ""],
        ["2026-11-02T09:00:00Z", "02 Nov 2026, 09:00 UTC", "User 2", "assign",
         "Assigned (415) 555-0101 to Ava", "", ""],
        ["2026-11-01T12:00:00Z", "01 Nov 2026, 12:00 UTC", "User 1", "purchase",
         "Bought (415) 555-0101", "", ""],
    ]  # fmt: skip


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(app, client, team):
    olga, max_ = team
    with app.app_context():
        db.session.get(User, max_.user_id).name = "=HYPERLINK(1)"
        db.session.commit()
    body = client.get(f"/teams/{olga.team_id}/history.csv?action=assistants").get_data(True)
    assert list(csv.reader(io.StringIO(body)))[1][2] == "'=HYPERLINK(1)"


def test_another_teams_history_csv_is_not_found(client, factory, team):
    stranger = factory.member("growth")
    assert client.get(f"/teams/{stranger.team_id}/history.csv").status_code == 404
    with client.application.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) > 0
