"""The search's optional filters on the API (sandbox): place, capabilities, vanity patterns,
types, counts and sort; every bad filter answers 400 naming its field."""

from __future__ import annotations

import phonenumbers
import pytest

from tests.helpers import SEARCH, assert_error, buy, sandbox_number, search


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [n["phoneNumber"] for n in response.get_json()["numbers"]]


def test_an_old_clients_request_gets_exactly_the_old_answer(client, factory):
    member = factory.member("growth")
    body = {"filters": {"countryCode": "US", "areaCode": "415", "numberType": "local", "limit": 2}}
    answer = client.post(SEARCH, json=body, headers=member.headers).get_json()
    assert answer == {
        "success": True,
        "numbers": [
            {
                "phoneNumber": sandbox_number("415", i),
                "monthlyPrice": "1.00",
                "setupPrice": "1.00",
                "features": ["voice", "sms"],
            }
            for i in (0, 1)
        ],
        "provider": "sandbox",
        "count": 2,
    }


def test_a_vanity_word_finds_its_keypad_digits_and_says_where(client, factory):
    # A = 2, I = 4: "ends with AI" is 24 at the end of the national number.
    response = search(client, factory.member(), areaCode="415", endsWith="ai")
    assert numbers(response) == [sandbox_number("415", 24)]
    (offer,) = response.get_json()["numbers"]
    assert offer["match"] == {"start": 8, "end": 10}  # "4155550124"[8:10] == "24"
    assert offer["region"] == "San Francisco, CA"


def test_contains_and_starts_with_match_after_the_area_code(client, factory):
    member = factory.member()
    found = numbers(search(client, member, areaCode="415", startsWith="555013"))
    assert found == [sandbox_number("415", i) for i in range(30, 40)]
    assert numbers(search(client, member, areaCode="415", contains="0199")) == [
        sandbox_number("415", 99)
    ]
    # 415 is the area code: left out of what the pattern is matched against.
    assert numbers(search(client, member, areaCode="415", startsWith="415")) == []


def test_a_city_search_offers_numbers_there_and_shows_the_place(client, factory):
    response = search(client, factory.member(), locality="chicago", limit=3)
    assert numbers(response) == [sandbox_number("312", i) for i in range(3)]
    assert {n["region"] for n in response.get_json()["numbers"]} == {"Chicago, IL"}


def test_a_region_search_takes_a_code_or_a_name(client, factory):
    member = factory.member()
    by_code = search(client, member, region="CA", limit=100).get_json()
    by_name = search(client, member, region="California", limit=100).get_json()
    assert by_code == by_name
    assert by_code["available"] == 200  # San Francisco's 415 and Los Angeles' 213
    assert {n["region"] for n in by_code["numbers"]} == {"San Francisco, CA"}


def test_counts_say_how_many_are_available_beyond_those_shown(client, factory):
    member = factory.member("growth")
    assert buy(client, member, sandbox_number("312", 0)).status_code == 200
    body = search(client, member, locality="Chicago", limit=5).get_json()
    assert body["count"] == 5
    assert body["available"] == 99  # 100 Chicago numbers in the sandbox, one held here


def test_required_capabilities_filter_the_offers(client, factory):
    member = factory.member()
    assert numbers(search(client, member, areaCode="415", features=["voice", "sms"], limit=1))
    body = search(client, member, areaCode="415", features=["fax"]).get_json()
    assert body["numbers"] == [] and body["available"] == 0
    assert body["relax"] == ["the capabilities (fax)", "the area code 415"]


def test_no_match_names_the_filters_to_relax_most_specific_first(client, factory):
    body = search(client, factory.member(), locality="Chicago", contains="9999").get_json()
    assert body["count"] == 0
    assert body["relax"] == ['the pattern "contains 9999"', 'the city "Chicago"']


def test_sort_by_number_orders_the_results(client, factory):
    found = numbers(search(client, factory.member(), endsWith="99", sort="number"))
    assert found == sorted(found) and len(found) == 10


@pytest.mark.parametrize(
    ("filters", "field", "words"),
    [
        ({"areaCode": "41"}, "filters.areaCode", "exactly three digits"),
        ({"countryCode": "GB", "areaCode": "207"}, "filters.areaCode", "only be used for US"),
        ({"numberType": "toll-free", "areaCode": "415"}, "filters.areaCode", "toll-free"),
        ({"numberType": "mobile"}, "filters.numberType", "not split into mobile"),
        ({"numberType": "landline"}, "filters.numberType", '"mobile"'),
        ({"features": ["voice", "telepathy"]}, "filters.features", "voice, sms, mms, fax"),
        ({"features": "voice"}, "filters.features", "a list of"),
        ({"features": ["Voice"]}, "filters.features", "a list of"),
        ({"contains": "CA*E"}, "filters.contains", "digits or letters"),
        ({"startsWith": "X" * 11}, "filters.startsWith", "1 to 10"),
        ({"endsWith": 42}, "filters.endsWith", "digits or letters"),
        ({"locality": "   "}, "filters.locality", "City must be a name"),
        ({"region": "x" * 61}, "filters.region", "at most 60"),
        ({"sort": "cheapest"}, "filters.sort", '"number" or "price"'),
    ],
)
def test_every_bad_filter_names_its_field(client, factory, filters, field, words):
    response = search(client, factory.member(), **filters)
    body = assert_error(response, 400, "invalid_request")
    assert list(body["error"]["fields"]) == [field]
    assert words in body["error"]["fields"][field]


def test_a_toll_free_prefix_is_still_a_toll_free_area_code(client, factory):
    found = numbers(search(client, factory.member(), numberType="toll-free", areaCode="800"))
    assert found and all(n.startswith("+1800") for n in found)


def test_mobile_numbers_where_the_country_has_them(client, factory):
    body = search(client, factory.member(), countryCode="GB", numberType="mobile", limit=2)
    assert body.get_json()["count"] == 2
    for offer in body.get_json()["numbers"]:
        kind = phonenumbers.number_type(phonenumbers.parse(offer["phoneNumber"]))
        assert kind == phonenumbers.PhoneNumberType.MOBILE


@pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")
def test_detailed_answers_and_filters_match_the_openapi_document(client, factory):
    import jsonschema

    from app.api.openapi import DOCUMENT

    member = factory.member()
    schemas = DOCUMENT["components"]["schemas"]
    filters = {
        "countryCode": "US",
        "locality": "Chicago",
        "features": ["voice"],
        "endsWith": "AI",
        "sort": "price",
    }
    request_schema = {**schemas["SearchRequest"], "components": DOCUMENT["components"]}
    jsonschema.Draft202012Validator(request_schema).validate({"filters": filters})
    response = client.post(SEARCH, json={"filters": filters}, headers=member.headers)
    body = response.get_json()
    assert body["count"] == 1 and body["numbers"][0]["region"] == "Chicago, IL"
    answer_schema = {**schemas["SearchResponse"], "components": DOCUMENT["components"]}
    jsonschema.Draft202012Validator(answer_schema).validate(body)
    empty = search(client, member, locality="Nowhere").get_json()
    jsonschema.Draft202012Validator(answer_schema).validate(empty)
