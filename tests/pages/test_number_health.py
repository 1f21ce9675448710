"""The health card on a number's page (read with bs4), its Rest and Wake forms with and
without htmx, and the Numbers list's badges."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.health.checks import check_number
from app.models import PhoneNumber, utcnow
from tests.pages.helpers import HTMX, csrf_token, soup


@pytest.fixture
def page(app, client, factory, auth):
    owner = factory.member("growth")
    number = factory.number(owner, "+14155550108", activated_at=utcnow() - timedelta(days=9))
    auth.sign_in(owner)
    return owner, number, f"/teams/{owner.team_id}/numbers/{number}"


def text(html, selector: str) -> str:
    return " ".join(html.select_one(selector).get_text(" ", strip=True).split())


def test_the_card_before_any_check(client, page):
    _owner, _number, url = page
    html = soup(client.get(url))
    assert text(html, "#health-age") == "Day 10"
    assert text(html, "#health-calls") == "0 of 50 a day (warm-up ramp, days 8–14)"
    assert html.select_one("#health-attestation")["data-attestation"] == "A"
    assert text(html, "#health-caller-name") == "Not set"
    assert html.select_one("#health-risk [data-risk]")["data-risk"] == "unknown"
    assert "not checked yet" in text(html, "#health-risk")
    assert html.select_one("#health-alert") is None
    assert html.select_one("#rest-form input[name=csrf_token]") is not None
    assert html.select_one("#health-history") is None


def test_a_high_reading_shows_its_alert_on_the_page_and_a_badge_in_the_list(app, client, page):
    owner, number_id, url = page
    with app.app_context():  # the sandbox reads a number ending in 8 as high
        check_number(db.session.get(PhoneNumber, number_id), utcnow())
    html = soup(client.get(url))
    assert html.select_one("#health-risk [data-risk]")["data-risk"] == "high"
    assert text(html, "#health-alert") == "Health alert: Spam risk rose to high (telemarketing)."
    history = html.select("#health-history li")
    assert [(li["data-outcome"], li["data-risk"]) for li in history] == [("ok", "high")]
    listed = soup(client.get(f"/teams/{owner.team_id}/numbers"))
    badge = listed.select_one(f"#number-{number_id} [data-role=health-alert]")
    assert badge["data-alert"] == "risk"
    assert badge["href"] == f"{url}#number-health"
    lines = soup(client.get(f"/teams/{owner.team_id}/history")).get_text(" ", strip=True)
    assert "Health alert for (415) 555-0108: Spam risk rose to high (telemarketing)." in lines


def test_rest_and_wake_with_htmx(client, page):
    owner, number_id, url = page
    token = csrf_token(client, url)
    rested = client.post(f"{url}/rest", data={"days": "3", "csrf_token": token}, headers=HTMX)
    assert rested.status_code == 200
    card = soup(rested)
    assert card.select_one("#number-health #health-rest")["data-resting"] == "true"
    assert "rests until" in text(card, "#health-notice")
    assert card.select_one("#wake-form") is not None and card.select_one("#rest-form") is None
    listed = soup(client.get(f"/teams/{owner.team_id}/numbers"))
    assert listed.select_one(f"#number-{number_id} [data-role=health-resting]") is not None

    woke = soup(client.post(f"{url}/wake", data={"csrf_token": token}, headers=HTMX))
    assert woke.select_one("#health-rest")["data-resting"] == "false"
    assert text(woke, "#health-notice") == "(415) 555-0108 is awake."


def test_rest_without_javascript_redirects_and_errors_come_back_beside_the_field(client, page):
    _owner, _number_id, url = page
    token = csrf_token(client, url)
    bad = client.post(f"{url}/rest", data={"days": "45", "csrf_token": token})
    assert bad.status_code == 400
    html = soup(bad)
    assert text(html, "#rest-days-error") == "Rest for a whole number of days, 1–30."
    assert html.select_one("#rest-days")["value"] == "45"
    assert html.select_one("#number-title") is not None  # the whole page
    htmx_bad = client.post(f"{url}/rest", data={"days": "soon", "csrf_token": token}, headers=HTMX)
    assert htmx_bad.status_code == 400
    assert soup(htmx_bad).select_one("#number-title") is None  # the card only

    done = client.post(f"{url}/rest", data={"days": "", "csrf_token": token})
    assert done.status_code == 302
    html = soup(client.get(url))
    assert html.select_one("#health-rest")["data-resting"] == "true"
    assert html.select_one("#wake-form button").get_text(strip=True) == "Wake early"


def test_without_a_csrf_token_nothing_rests(client, page):
    _owner, _number_id, url = page
    refused = client.post(f"{url}/rest", data={"days": "3"})
    assert refused.status_code == 400
    assert soup(client.get(url)).select_one("#health-rest")["data-resting"] == "false"


def test_a_member_sees_the_card_but_no_rest_and_may_not_post_it(client, factory, auth, page):
    owner, _number_id, url = page
    member = factory.member(team_id=owner.team_id, role="member")
    auth.sign_out()
    auth.sign_in(member)
    html = soup(client.get(url))
    assert html.select_one("#number-health") is not None
    assert html.select_one("#rest-form") is None
    refused = client.post(f"{url}/rest", data={"days": "3", "csrf_token": csrf_token(client, url)})
    assert refused.status_code == 403


def test_another_teams_number_is_not_found(client, factory, auth, page):
    _owner, number_id, _url = page
    stranger = factory.member("growth")
    auth.sign_out()
    auth.sign_in(stranger)
    mine = f"/teams/{stranger.team_id}/numbers/{number_id}"
    assert client.get(mine).status_code == 404
    token = csrf_token(client, f"/teams/{stranger.team_id}/numbers")
    assert client.post(f"{mine}/rest", data={"days": "3", "csrf_token": token}).status_code == 404
