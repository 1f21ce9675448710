"""The search page: the form, the htmx fragment, validation in the API's words."""

import phonenumbers
import pytest

from app.providers.base import ProviderError
from tests.helpers import TRIAL_DAYS
from tests.helpers import search as api_search
from tests.pages.helpers import HTMX, search_url, soup

US_415 = {"country": "US", "area_code": "415", "number_type": "local", "limit": "5"}


def test_the_form_before_any_search(client, member):
    response = client.get(search_url(member.team_id))
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one("form#search-form")
    assert form["method"] == "get" and form["hx-get"] == search_url(member.team_id)
    # An htmx search swaps the results only; the form being typed in stays.
    assert form["hx-push-url"] == "true" and form["hx-target"] == "#search-results"
    assert page.select_one(form["hx-indicator"])
    options = [o["value"] for o in page.select("select#country option")]
    assert set(options) == set(phonenumbers.SUPPORTED_REGIONS)
    assert page.select_one("select#country option[selected]")["value"] == "US"
    for field in form.select("input:not([type=hidden]), select"):
        assert page.select_one(f"label[for={field['id']}]"), field["id"]
    assert page.select_one("input#area_code")  # US has area codes
    assert page.select_one("#search-start")
    assert not page.select("#offers")


# Names as people use them today (CLDR's), including the regions outside ISO 3166.
CURRENT_NAMES = {
    "SZ": "Eswatini",
    "IM": "Isle of Man",
    "TR": "Türkiye",
    "MK": "North Macedonia",
    "CD": "Congo - Kinshasa",
    "VG": "British Virgin Islands",
    "XK": "Kosovo",
    "AC": "Ascension Island",
    "TA": "Tristan da Cunha",
    "US": "United States",
}


def test_country_names_are_current_and_every_option_has_one(client, member):
    page = soup(client.get(search_url(member.team_id)))
    names = {o["value"]: o.get_text(strip=True) for o in page.select("select#country option")}
    assert {code: names[code] for code in CURRENT_NAMES} == CURRENT_NAMES
    assert [code for code, name in names.items() if name == code] == []  # none left as a code
    assert not {"Swaziland", "Isle Of Man", "Turkey"} & set(names.values())


def test_country_defaults_from_the_browser_language(client, member):
    page = soup(client.get(search_url(member.team_id), headers={"Accept-Language": "en-GB,en"}))
    assert page.select_one("select#country option[selected]")["value"] == "GB"
    assert page.select_one("#area-code-field input") is None  # no area codes in GB


@pytest.mark.parametrize(("country", "shown"), [("US", True), ("CA", True), ("GB", False)])
def test_area_code_field_only_for_us_and_ca(client, member, country, shown):
    response = client.get(
        f"{search_url(member.team_id)}/area-code", query_string={"country": country}, headers=HTMX
    )
    fragment = soup(response)
    assert fragment.find("html") is None
    assert fragment.select_one("#area-code-field")
    assert (fragment.select_one("input#area_code") is not None) is shown


def test_results_come_with_buy_buttons_and_prices(client, member):
    response = client.get(search_url(member.team_id), query_string=US_415)
    assert response.status_code == 200
    page = soup(response)
    rows = page.select("#offers tbody tr")
    assert len(rows) == 5
    first = rows[0]
    assert first["data-number"].startswith("+1415555")
    button = first.select_one("button[data-buy]")
    assert button["data-buy"] == first["data-number"] and not button.has_attr("disabled")
    # A Free team's Buy starts its trial: it says what that costs and for how long.
    assert button.select_one(".buy-label").get_text(strip=True) == "Start free trial"
    assert (
        button.select_one(".buy-price").get_text(strip=True)
        == f"free for {TRIAL_DAYS} days, then released"
    )
    form = button.find_parent("form")
    assert form["method"] == "post" and form["hx-post"] == form["action"]
    assert form.select_one("input[name=csrf_token]")["value"]
    assert form["hx-disabled-elt"] == "find button"  # a double click sends one request
    # The form keeps the query, so a reload or a shared link shows the same search.
    assert page.select_one("input#area_code")["value"] == "415"
    assert page.select_one("input#limit")["value"] == "5"


def test_htmx_search_returns_the_results_not_the_form(client, member):
    response = client.get(search_url(member.team_id), query_string=US_415, headers=HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    fragment = soup(response)
    assert fragment.find("html") is None and fragment.find("body") is None
    assert fragment.select_one("form#search-form") is None
    assert fragment.select_one("#search-panel") is None
    assert len(fragment.select("div#search-results #offers tbody tr")) == 5
    # The count is announced through the panel's live region, swapped out of band.
    status = fragment.select_one("#search-status")
    assert status["hx-swap-oob"] == "innerHTML"
    assert status.get_text(strip=True) == "5 shown of 100 available."
    page = soup(client.get(search_url(member.team_id)))
    live = page.select_one("#search-panel > #search-status")
    assert live["aria-live"] == "polite" and live["role"] == "status"
    assert live.find_parent(id="search-results") is None  # outside what is swapped


@pytest.mark.parametrize(
    ("query", "field", "api_field", "api_filters"),
    [
        ({"country": "ZZ"}, "country", "filters.countryCode", {"countryCode": "ZZ"}),
        ({"country": "US", "area_code": "41"}, "area_code", "filters.areaCode", {"areaCode": "41"}),
        ({"country": "US", "limit": "500"}, "limit", "filters.limit", {"limit": 500}),
        ({"country": "US", "limit": "ten"}, "limit", "filters.limit", {"limit": "ten"}),
        (
            {"country": "US", "number_type": "mobile"},
            "number_type",
            "filters.numberType",
            {"numberType": "mobile"},
        ),
    ],
)
def test_validation_errors_sit_next_to_the_field_in_the_apis_words(
    client, factory, member, query, field, api_field, api_filters
):
    caller = factory.member()
    api_body = api_search(client, caller, **api_filters).get_json()
    expected = api_body["error"]["fields"][api_field]
    for headers in ({}, HTMX):
        response = client.get(search_url(member.team_id), query_string=query, headers=headers)
        assert response.status_code == 400
        page = soup(response)
        error = page.select_one(f"#{field}-error")
        assert error.get_text(strip=True) == expected
        assert page.select_one(f"#{field}")["aria-describedby"].endswith(f"{field}-error")
        assert not page.select("#offers")


def test_area_code_outside_us_and_ca_is_refused(client, member):
    query = {"country": "GB", "area_code": "415"}
    page = soup(client.get(search_url(member.team_id), query_string=query))
    assert page.select_one("#area_code-error").get_text(strip=True) == (
        "Area codes can only be used for US and CA. "
        "For GB, leave it empty and search by city instead."
    )


def test_a_provider_failure_is_shown_and_nothing_else_happens(app, client, member, monkeypatch):
    provider = app.extensions["phone_provider"]

    def broken(filters):
        raise ProviderError("Telnyx answered 500.")

    monkeypatch.setattr(provider, "search_page", broken)
    response = client.get(search_url(member.team_id), query_string=US_415, headers=HTMX)
    assert response.status_code == 502
    error = soup(response).select_one("#search-error")
    assert "Telnyx answered 500." in error.get_text()
