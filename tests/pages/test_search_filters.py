"""The search page's newer filters: place, capabilities, vanity patterns, counts, "show more",
messages beside each field, and what a Buy click does with focus."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.pages.helpers import HTMX, buy, search_url, soup, text


def rows(page) -> list[str]:
    return [row["data-number"] for row in page.select("#offers tbody tr")]


def test_a_city_search_shows_where_each_number_is(client, member):
    query = {"country": "US", "locality": "Chicago", "limit": "3"}
    page = soup(client.get(search_url(member.team_id), query_string=query))
    assert rows(page) == ["+13125550100", "+13125550101", "+13125550102"]
    assert [text(td) for td in page.select("td.offer-place")] == ["Chicago, IL"] * 3
    assert text(page.select_one("#results-title")) == "3 shown of 100 available"
    assert page.select_one("details#more-filters").has_attr("open")  # a narrowed search


def test_a_vanity_word_is_found_and_highlighted(client, member):
    query = {"country": "US", "area_code": "415", "pattern": "ai", "match": "ends"}
    page = soup(client.get(search_url(member.team_id), query_string=query))
    assert rows(page) == ["+14155550124"]
    mark = page.select_one("#offer-14155550124 .number-national mark")
    assert mark.get_text() == "24"  # A=2, I=4 on the keypad
    assert page.select_one("#offer-14155550124 .number-national").get_text() == "(415) 555-0124"


def test_capabilities_are_checkboxes_that_filter(client, member):
    query = [("country", "US"), ("area_code", "415"), ("features", "fax")]
    page = soup(client.get(search_url(member.team_id), query_string=query))
    assert page.select_one("input#features-3[type=checkbox][value=fax]").has_attr("checked")
    assert page.select_one("label[for=features-3]").get_text(strip=True) == "Fax"
    assert not page.select("#offers")
    assert text(page.select_one("#search-none h2")) == "No numbers match"
    assert text(page.select_one("#search-relax")) == (
        "Relax the capabilities (fax), or the area code 415."
    )


def test_a_toll_free_search_with_a_local_area_code_says_why_beside_the_field(client, member):
    query = {"country": "US", "number_type": "toll-free", "area_code": "415"}
    response = client.get(search_url(member.team_id), query_string=query, headers=HTMX)
    assert response.status_code == 400
    # The message belongs beside its field, so this once htmx gets the form as well.
    assert response.headers["HX-Retarget"] == "#search-panel"
    page = soup(response)
    assert "toll-free numbers start with 800" in text(page.select_one("#area_code-error"))
    summary = page.select_one("#search-problems a[href='#area_code']")
    assert summary.get_text(strip=True) == "Area code"


def test_a_bad_pattern_is_named_on_the_pattern_field(client, member):
    query = {"country": "US", "pattern": "CA*E"}
    page = soup(client.get(search_url(member.team_id), query_string=query))
    assert "digits or letters" in text(page.select_one("#pattern-error"))
    assert page.select_one("input#pattern")["aria-invalid"] == "true"


def test_show_more_asks_for_twenty_more_of_the_same_search(client, member):
    query = {"country": "US", "locality": "Chicago", "limit": "10", "sort": "number"}
    page = soup(client.get(search_url(member.team_id), query_string=query))
    more = page.select_one("a#show-more")
    asked = parse_qs(urlsplit(more["href"]).query)
    assert asked == {
        "country": ["US"],
        "locality": ["Chicago"],
        "sort": ["number"],
        "limit": ["30"],
    }
    assert more["hx-target"] == "#search-results"
    assert len(rows(soup(client.get(more["href"])))) == 30


def test_old_results_are_marked_stale_while_a_search_runs(client, member):
    page = soup(client.get(search_url(member.team_id)))
    form = page.select_one("form#search-form")
    # htmx puts .htmx-request on every indicator while the request runs; the CSS greys the
    # results and takes their clicks away (and app.js makes them inert).
    assert "#search-results" in [part.strip() for part in form["hx-indicator"].split(",")]


def test_a_paid_team_sees_the_price_on_buy(client, factory, auth):
    owner = factory.member("growth")
    auth.sign_in(owner)
    page = soup(client.get(search_url(owner.team_id), query_string={"country": "US", "limit": "1"}))
    button = page.select_one("button[data-buy]")
    assert button.select_one(".buy-label").get_text(strip=True) == "Buy"
    assert button.select_one(".buy-price").get_text(strip=True) == "$1.00/mo + $1.00 setup"


def test_after_buy_focus_goes_to_the_outcome(client, member):
    response = buy(client, member.team_id, "+14155550100")
    outcome = soup(response).select_one("td#buy-14155550100 .outcome-line")
    # htmx focuses [autofocus] in swapped content; tabindex lets a paragraph take focus.
    assert outcome.has_attr("autofocus") and outcome["tabindex"] == "-1"


def test_the_highlight_skips_a_trunk_prefix(client, member):
    # GB numbers are written with a leading 0 the match offsets do not count.
    query = {"country": "GB", "pattern": "123", "match": "ends", "limit": "1"}
    page = soup(client.get(search_url(member.team_id), query_string=query))
    national = page.select_one("#offer-442079460123 .number-national")
    assert national.get_text() == "020 7946 0123"
    assert national.select_one("mark").get_text() == "123"
