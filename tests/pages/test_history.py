"""The History page: the team's events newest first, as sentences, 50 a page."""

from datetime import timedelta

from app import audit
from app.assistants import service as assistants
from app.extensions import db
from app.models import AuditEvent, utcnow
from app.numbers import managing, releasing
from app.numbers.queries import team_number
from tests.factories import actor_of
from tests.pages.helpers import HTMX, buy, soup, text


def history_url(team_id: str, page: int | None = None) -> str:
    return f"/teams/{team_id}/history" + (f"?page={page}" if page else "")


def test_empty_history(client, member):
    response = client.get(history_url(member.team_id))
    assert response.status_code == 200
    page = soup(response)
    assert text(page.select_one("#history-empty h2")) == "Nothing has happened yet"
    assert page.select_one("nav.pager") is None


def test_what_happened_reads_as_sentences_newest_first(app, client, factory, auth, release_at_once):
    owner = factory.member("growth")
    auth.sign_in(owner)
    assert buy(client, owner.team_id, "+14155550101").status_code == 200
    with app.app_context():
        actor = actor_of(owner)
        number_id = db.session.scalar(db.select(AuditEvent.subject_id))
        sales = assistants.create_assistant(actor, "Sales Agent")
        support = assistants.create_assistant(actor, "Support")
        assistants.assign_numbers(actor, sales, [number_id])
        assistants.assign_numbers(actor, support, [number_id])
        number = team_number(owner.team_id, number_id)
        managing.set_label(actor, number, "Hotline")
        managing.set_label(actor, number, "Front desk")
        assistants.rename_assistant(actor, support, "Help Desk")
        assistants.delete_assistant(actor, support)  # unassigns the number first
        releasing.release_number(actor, number_id)  # at once (test_release_undo.py: later)
        audit.record(owner.team_id, None, "expire", subject_id=number_id, subject="+14155550101")
        db.session.commit()

    page = soup(client.get(history_url(owner.team_id)))
    rows = page.select("#history-table tbody tr")
    lines = [(r["data-action"], text(r.select_one("td[data-label=What]"))) for r in rows]
    assert lines == [
        ("expire", "Trial number (415) 555-0101 expired and went back to the provider"),
        ("release", "Released (415) 555-0101"),
        ("assistant_delete", "Deleted assistant Help Desk; 1 number became unassigned"),
        ("unassign", "Unassigned (415) 555-0101 from Help Desk"),
        ("assistant_rename", "Renamed an assistant Support → to Help Desk"),
        ("label", "Changed the label of (415) 555-0101 “Hotline” → to “Front desk”"),
        ("label", "Labelled (415) 555-0101 “Hotline”"),
        ("assign", "Moved (415) 555-0101 from Sales Agent to Support"),
        ("assign", "Assigned (415) 555-0101 to Sales Agent"),
        ("assistant_create", "Created assistant Support"),
        ("assistant_create", "Created assistant Sales Agent"),
        ("purchase", "Bought (415) 555-0101"),
    ]
    who = [text(r.select_one("[data-role=actor]")) for r in rows]
    assert who[0] == "System" and set(who[1:]) == {"User 1"}
    moment = rows[-1].select_one("time[data-local]")
    assert moment["datetime"] == moment["title"] and moment["datetime"].endswith("Z")
    assert page.select_one("nav.main-nav a[aria-current=page]")["href"] == history_url(
        owner.team_id
    )


def test_history_pages_fifty_at_a_time(app, client, member):
    start = utcnow() - timedelta(hours=1)
    with app.app_context():
        for index in range(120):
            event = audit.record(
                member.team_id, None, "assistant_create", subject=f"Agent {index:03d}"
            )
            event.created_at = start + timedelta(seconds=index)
        db.session.commit()

    first = soup(client.get(history_url(member.team_id)))
    rows = first.select("#history-table tbody tr")
    assert len(rows) == 50
    assert text(rows[0].select_one("[data-role=what]")) == "Created assistant Agent 119"
    pager = first.select_one("nav.pager")
    assert pager.select_one("a[rel=prev]") is None
    assert pager.select_one("a[rel=next]")["href"] == history_url(member.team_id, 2)
    assert text(pager.select_one(".pager-status")) == "Page 1 of 3"

    response = client.get(history_url(member.team_id, 3), headers=HTMX)
    assert "HX-Request" in response.headers["Vary"]
    last = soup(response)
    assert last.find("html") is None
    rows = last.select("#history-table tbody tr")
    assert len(rows) == 20
    assert text(rows[-1].select_one("[data-role=what]")) == "Created assistant Agent 000"
    assert last.select_one("a[rel=prev]")["href"] == history_url(member.team_id, 2)
    assert last.select_one("a[rel=next]") is None

    beyond = soup(client.get(history_url(member.team_id, 9)))
    assert text(beyond.select_one("#history-empty h2")) == "Nothing on this page"
    junk = soup(client.get(f"/teams/{member.team_id}/history?page=-4"))
    assert text(junk.select_one(".pager-status")) == "Page 1 of 3"


def test_another_teams_history_is_not_found(app, client, factory, member):
    stranger = factory.member("growth")
    with app.app_context():
        audit.record(stranger.team_id, None, "assistant_create", subject="Secret")
        db.session.commit()
    assert client.get(history_url(stranger.team_id)).status_code == 404
    assert client.get(history_url(stranger.team_id), headers=HTMX).status_code == 404
    assert soup(client.get(history_url(member.team_id))).select_one("#history-empty")
