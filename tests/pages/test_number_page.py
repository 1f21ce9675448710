"""A number's page: status and cost, routing saved with and without htmx (errors beside
their fields), the routing test's decision path, its calls and its History."""

import pytest

from app.extensions import db
from app.models import PhoneNumber
from tests.pages.helpers import HTMX, csrf_token, soup


@pytest.fixture
def page(app, client, factory, auth):
    owner = factory.member("growth")
    front = factory.assistant(owner, "Front desk")
    number = factory.number(owner, "+14155550100", assistant_id=front, monthly_price=1)
    auth.sign_in(owner)
    url = f"/teams/{owner.team_id}/numbers/{number}"
    return owner, front, number, url


FORM = {
    "assistant_0": "",
    "weight_0": "",
    "fallback": "+1 415 555 0199",
    "answer_timeout": "20",
    "blocklist": "+1900\n+14155550123",
    "countries": "us, ca",
    "time_zone": "America/New_York",
    "hours_tue_start": "09:00",
    "hours_tue_end": "17:00",
    "after_hours": "sip:voicemail@pbx.example.com",
    "outbound": "inbound",
}


def save(client, url, htmx=True, **fields):
    data = {**FORM, **fields, "csrf_token": csrf_token(client, url)}
    return client.post(f"{url}/routing", data=data, headers=HTMX if htmx else {})


def test_the_numbers_table_links_to_the_page(client, page):
    owner, _front, number, url = page
    table = soup(client.get(f"/teams/{owner.team_id}/numbers"))
    assert table.select_one(f"#number-{number} a[data-role=number-page]")["href"] == url


def test_the_page_shows_status_cost_and_an_assistant_without_a_destination(client, page):
    _owner, front, _number, url = page
    html = soup(client.get(url))
    assert html.select_one("#number-title").get_text() == "(415) 555-0100"
    assert html.select_one("#number-status [data-status]")["data-status"] == "active"
    assert html.select_one("#number-cost").get_text(strip=True) == "$1.00 a month"
    row = html.select_one(f"#routing-inbound [data-assistant='{front}']")
    assert row.select_one("[data-role=no-destination]").get_text() == (
        "Calls to its numbers go to the fallback"
    )
    assert html.select_one("#calls-empty") is not None


def test_routing_saves_with_htmx_and_shows_in_the_card(client, page):
    _owner, front, _number, url = page
    response = save(client, url, assistant_0=front)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    card = soup(response)
    assert card.select_one("#routing-notice").get_text() == "Routing saved for (415) 555-0100."
    assert card.select_one("#routing-fallback").get_text(strip=True) == (
        "(415) 555-0199 after 20 s without an answer"
    )
    assert card.select_one("#routing-blocklist").get_text() == "+1900, +14155550123"
    assert card.select_one("#routing-countries").get_text() == "US, CA"
    assert card.select_one("#routing-hours").get_text(strip=True) == (
        "Tue 09:00–17:00 (America/New_York); after hours: sip:voicemail@pbx.example.com"
    )
    history = soup(client.get(url)).select("#number-history li[data-action=routing_change]")
    assert len(history) == 1
    words = history[0].get_text(" ", strip=True)
    assert "Changed the routing of (415) 555-0100" in words
    assert "(no fallback → fallback +14155550199; 2 blocked; from US, CA; hours" in words


def test_routing_saves_without_javascript(client, page):
    _owner, front, number, url = page
    response = save(client, url, htmx=False, assistant_0=front)
    assert response.status_code == 302
    assert response.headers["Location"] == url
    shown = soup(client.get(url))
    assert shown.select_one("#routing-blocklist").get_text() == "+1900, +14155550123"


@pytest.mark.parametrize(
    "fields,name,message",
    [
        (
            {"fallback": "http://pbx.example.com"},
            "fallback",
            "Enter a phone number in E.164, like +14155550101.",
        ),
        (
            {"fallback": "sip:desk"},
            "fallback",
            "The SIP host must be a full domain name (sip.example.com) or an IP.",
        ),
        (
            {"blocklist": "+1900 1800"},
            "blocklist",
            "A number or prefix in E.164: + then digits, like +1900.",
        ),
        (
            {"countries": "US, XX"},
            "countries",
            "No country has the code 'XX': use two capitals, like US.",
        ),
        (
            {"hours_wed_start": "18:00", "hours_wed_end": "09:00"},
            "hours_wed",
            "A time after the start, up to 24:00 (split a night in two).",
        ),
        (
            {"weight_0": "80", "assistant_1": "FRONT", "weight_1": "30"},
            "split",
            "The weights must add up to 100 (they add up to 110).",
        ),
        (
            {"time_zone": "Moon/Base"},
            "time_zone",
            "Use a time zone name like America/New_York or UTC.",
        ),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_a_bad_field_is_shown_beside_it_and_nothing_is_saved(
    client, page, fields, name, message, htmx
):
    _owner, front, _number, url = page
    fields = {k: (front if v == "FRONT" else v) for k, v in fields.items()}
    if "assistant_1" in fields:
        fields["assistant_0"] = front
        fields["assistant_1"] = _second(client, page)
    response = save(client, url, htmx=htmx, **fields)
    assert response.status_code == 400
    html = soup(response)
    assert html.select_one(f"#{name}-error").get_text() == message
    assert html.select_one("#routing-errors") is not None
    assert html.select_one(".routing-edit").has_attr("open")
    assert soup(client.get(url)).select_one("#routing-blocklist").get_text() == "None"


def _second(client, page) -> str:
    owner, *_ = page
    from app.assistants import service
    from tests.factories import actor_of

    with client.application.app_context():
        return service.create_assistant(actor_of(owner), "New prompt").id


def test(client, url, caller, at, htmx=True):
    data = {"caller": caller, "at": at, "csrf_token": csrf_token(client, url)}
    return client.post(f"{url}/test-call", data=data, headers=HTMX if htmx else {})


test.__test__ = False


@pytest.mark.parametrize(
    "caller,at,outcome,rule,path",
    [
        (
            "+12125550100",
            "2026-12-01T10:00",
            "fallback",
            "assistant",
            [
                ("blocklist", "no"),
                ("country", "no"),
                ("hours", "no"),
                ("assistant", "yes"),
                ("destination", "yes"),
            ],
        ),
        ("+19005550100", "2026-12-01T10:00", "rejected", "blocklist", [("blocklist", "yes")]),
        (
            "+12125550100",
            "2026-12-01T20:00",
            "fallback",
            "hours",
            [("blocklist", "no"), ("country", "no"), ("hours", "yes"), ("destination", "yes")],
        ),
        (
            "+442079460000",
            "2026-12-01T10:00",
            "rejected",
            "country",
            [("blocklist", "no"), ("country", "yes")],
        ),
    ],
)
def test_test_routing_shows_the_decision_path(client, page, caller, at, outcome, rule, path):
    _owner, front, number, url = page
    save(client, url, assistant_0=front)
    result = soup(test(client, url, caller, at))
    shown = result.select_one("#test-result")
    assert (shown["data-outcome"], shown["data-rule"]) == (outcome, rule)
    steps = [(li["data-rule"], li["data-matched"]) for li in shown.select("#decision-path li")]
    assert steps == path
    calls = soup(client.get(url)).select("#calls-table tbody tr")
    assert [row["data-outcome"] for row in calls] == [outcome]


def test_test_routing_without_javascript_shows_the_whole_page(client, page):
    _owner, front, _number, url = page
    save(client, url, assistant_0=front)
    response = test(client, url, "+12125550100", "2026-12-01T10:00", htmx=False)
    html = soup(response)
    assert html.select_one("#number-title") is not None
    assert html.select_one("#test-result")["data-outcome"] == "fallback"
    text = html.select_one("#decision-path").get_text(" ", strip=True)
    assert "Front desk has no destination: the fallback, (415) 555-0199" in text


def test_a_bad_caller_is_named_on_the_form(client, page):
    _owner, _front, _number, url = page
    response = test(client, url, "555-0100", "")
    assert response.status_code == 400
    assert soup(response).select_one("#test-caller-error").get_text() == (
        "Enter the caller's number in E.164, like +14155550123, or anonymous."
    )


def test_the_calls_export_is_this_numbers(client, page, factory, app):
    owner, front, number, url = page
    other = factory.number(owner, "+14155550101")
    test(client, url, "+12125550100", "")
    test(client, f"/teams/{owner.team_id}/numbers/{other}", "+12125550111", "")
    exported = client.get(f"{url}/calls.csv").get_data(as_text=True).splitlines()
    assert len(exported) == 2 and ",+12125550100," in exported[1]
    with app.app_context():
        assert db.session.get(PhoneNumber, number).phone_number == "+14155550100"


def test_routing_the_form_cannot_hold_is_not_offered_for_editing(app, client, page):
    owner, front, number, url = page
    from app.routing.store import set_routing
    from tests.factories import actor_of

    split_day = [
        {"day": "mon", "start": "09:00", "end": "12:00"},
        {"day": "mon", "start": "13:00", "end": "17:00"},
    ]
    with app.app_context():
        set_routing(
            actor_of(owner), db.session.get(PhoneNumber, number), {"inbound": {"hours": split_day}}
        )
    html = soup(client.get(url))
    assert html.select_one("#routing-form") is None
    assert html.select_one("#routing-api-only") is not None
    assert (
        html.select_one("#routing-hours")
        .get_text(strip=True)
        .startswith("Mon 09:00–12:00, Mon 13:00–17:00")
    )
