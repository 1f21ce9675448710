"""The Campaigns pages: create, fill the pool from the Numbers table's bulk bar, coverage from
a CSV upload, Fill gaps into the cart, and a form error beside its field."""

from __future__ import annotations

import io

import sqlalchemy as sa

from app.extensions import db
from app.models import CampaignNumber, CartItem
from tests.campaigns.helpers import make_campaign
from tests.helpers import sandbox_number
from tests.pages.helpers import csrf_token, soup, text


def create(client, team_id: str, name: str = "Spring") -> str:
    token = csrf_token(client, f"/teams/{team_id}/campaigns")
    answer = client.post(f"/teams/{team_id}/campaigns", data={"name": name, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"].rsplit("/", 1)[1]


def test_create_then_add_numbers_from_the_bulk_bar(app, client, factory, growth):
    team = growth.team_id
    ids = [factory.number(growth, sandbox_number(a, 0)) for a in ("415", "212")]
    campaign = create(client, team)
    listed = soup(client.get(f"/teams/{team}/campaigns"))
    assert text(listed.select_one(f"#campaign-{campaign} [data-role=count]")) == "0"

    numbers = soup(client.get(f"/teams/{team}/numbers"))
    option = numbers.select_one("#bulk-action option[value='campaign']")
    assert text(option) == "Add to a campaign…"
    review = client.get(
        f"/teams/{team}/numbers/selection", query_string={"action": "campaign", "ids": ids}
    )
    page = soup(review)
    assert text(page.select_one("#selection-question")) == "Add 2 numbers to a campaign?"
    choices = [o["value"] for o in page.select("#selection-campaign option")]
    assert choices == [f"campaign:{campaign}"]
    token = csrf_token(client, f"/teams/{team}/numbers")
    done = client.post(
        f"/teams/{team}/numbers/selection",
        data={"action": f"campaign:{campaign}", "ids": ids, "csrf_token": token},
    )
    assert done.status_code == 302
    page = soup(client.get(f"/teams/{team}/campaigns/{campaign}"))
    rows = page.select("#pool-table tbody tr")
    assert [r["data-number"] for r in rows] == ["+12125550100", "+14155550100"]
    assert [text(r.select_one("[data-role=used]")) for r in rows] == ["0 / 100", "0 / 100"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignNumber)) == 2


def test_coverage_from_a_csv_and_fill_gaps_puts_numbers_in_the_cart(app, client, factory, growth):
    team = growth.team_id
    number = factory.number(growth, sandbox_number("415", 0))
    campaign = create(client, team)
    page = f"/teams/{team}/campaigns/{campaign}"
    token = csrf_token(client, page)
    client.post(f"{page}/numbers", data={"ids": number, "csrf_token": token})
    rows = ["phone"] + ["+14155550111"] * 6 + ["+13035550111"] * 3 + ["+12125550111"]
    upload = (io.BytesIO("\n".join(rows).encode()), "destinations.csv")
    answer = client.post(
        f"{page}/coverage",
        data={"file": upload, "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    shown = soup(client.get(page))
    assert shown.select_one("#coverage-share [data-share]")["data-share"] == "0.6000"
    missing = [li["data-area-code"] for li in shown.select("#coverage-missing li")]
    assert missing == ["303", "212"]

    filled = client.post(f"{page}/fill-gaps", data={"csrf_token": token})
    assert filled.status_code == 302
    with app.app_context():
        held = db.session.scalars(sa.select(CartItem.phone_number)).all()
    assert sorted(h[2:5] for h in held) == ["212", "303"]


def test_a_bad_destination_is_a_form_error(client, growth):
    team = growth.team_id
    campaign = create(client, team)
    page = f"/teams/{team}/campaigns/{campaign}"
    token = csrf_token(client, page)
    answer = client.post(
        f"{page}/coverage", data={"destinations": "415\nnot a number", "csrf_token": token}
    )
    assert answer.status_code == 400
    error = soup(answer).select_one("#coverage-error")
    assert "not a number is neither a North American area code" in text(error)


def test_a_name_clash_is_shown_beside_the_name(client, growth):
    create(client, growth.team_id, "Spring")
    token = csrf_token(client, f"/teams/{growth.team_id}/campaigns")
    answer = client.post(
        f"/teams/{growth.team_id}/campaigns", data={"name": "spring", "csrf_token": token}
    )
    assert answer.status_code == 400
    assert "already has a campaign called Spring" in text(
        soup(answer).select_one("#campaign-name-error")
    )


def test_another_teams_campaign_is_not_found(client, factory, growth):
    stranger = factory.member("growth")
    campaign, _ = make_campaign(client.application, factory, stranger, [])
    assert client.get(f"/teams/{growth.team_id}/campaigns/{campaign}").status_code == 404
    assert client.get(f"/teams/{stranger.team_id}/campaigns/{campaign}").status_code == 404


def test_history_says_what_happened_to_a_campaign(client, factory, growth):
    team = growth.team_id
    number = factory.number(growth, sandbox_number("415", 0))
    campaign = create(client, team, "Spring")
    page = f"/teams/{team}/campaigns/{campaign}"
    token = csrf_token(client, page)
    client.post(f"{page}/numbers", data={"ids": number, "csrf_token": token})
    client.post(
        page, data={"name": "Autumn", "dailyCap": "40", "cooldownSeconds": "0", "csrf_token": token}
    )
    client.post(f"{page}/pause", data={"paused": "1", "csrf_token": token})
    history = soup(client.get(f"/teams/{team}/history"))
    lines = [
        text(row.select_one("td[data-label=What]"))
        for row in history.select("tr[data-action^=campaign]")
    ]
    assert lines == [  # newest first
        "Changed campaign Autumn calling → to paused",
        "Changed campaign Autumn Spring, 100 calls a day → to Autumn, 40 calls a day",
        "Added (415) 555-0100 to campaign Spring",
        "Created campaign Spring",
    ]


def test_the_settings_form_chooses_the_assistants(app, client, factory, growth):
    team = growth.team_id
    ava = factory.assistant(growth, "Ava")
    factory.assistant(growth, "Bo")
    campaign = create(client, team)
    page = f"/teams/{team}/campaigns/{campaign}"
    token = csrf_token(client, page)
    form = {"name": "Spring", "dailyCap": "100", "cooldownSeconds": "0", "csrf_token": token}
    client.post(page, data={**form, "assistants_shown": "1", "assistant_ids": ava})
    shown = soup(client.get(page))
    ticked = [box["value"] for box in shown.select("#campaign-assistants input:checked")]
    assert ticked == [ava]
    assert "Used by Ava." in text(shown.select_one("#campaign-state"))
    client.post(page, data={**form, "assistants_shown": "1"})  # none ticked: none
    assert not soup(client.get(page)).select("#campaign-assistants input:checked")
