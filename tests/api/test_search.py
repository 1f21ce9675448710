import phonenumbers
import pytest

from tests.helpers import SEARCH, assert_error, buy, sandbox_number, search


def test_contract_example_answers_in_the_documented_shape(client, factory):
    member = factory.member("growth")
    response = client.post(
        SEARCH,
        json={
            "filters": {"countryCode": "US", "areaCode": "415", "numberType": "local", "limit": 10}
        },
        headers=member.headers,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["success", "numbers", "provider", "count"]
    assert body["success"] is True and body["provider"] == "sandbox"
    assert body["count"] == len(body["numbers"]) == 10
    assert [n["phoneNumber"] for n in body["numbers"]] == [
        sandbox_number("415", i) for i in range(10)
    ]
    first = body["numbers"][0]
    assert first == {
        "phoneNumber": "+14155550100",
        "monthlyPrice": "1.00",
        "setupPrice": "1.00",
        "features": ["voice", "sms"],
    }
    # The sandbox, like Telnyx, will not hold every number: those it will not can be bought.
    assert [n["phoneNumber"] for n in body["numbers"] if n.get("reservable") is False] == [
        "+14155550109"
    ]


def test_search_defaults_to_twenty_local_numbers(client, factory):
    body = search(client, factory.member()).get_json()
    assert body["count"] == 20
    for item in body["numbers"]:
        number = phonenumbers.parse(item["phoneNumber"])
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.region_code_for_number(number) == "US"
        assert phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.FIXED_LINE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )


@pytest.mark.parametrize("country", ["US", "GB", "DE", "JP", "BR", "AU", "FR", "IN"])
def test_toll_free_numbers_are_toll_free(client, factory, country):
    body = search(client, factory.member(), countryCode=country, numberType="toll-free").get_json()
    assert body["count"] > 0
    for item in body["numbers"]:
        number = phonenumbers.parse(item["phoneNumber"])
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE


def test_country_code_is_case_insensitive(client, factory):
    body = search(client, factory.member(), countryCode="gb", limit=3).get_json()
    assert [
        phonenumbers.region_code_for_number(phonenumbers.parse(n["phoneNumber"]))
        for n in body["numbers"]
    ] == ["GB"] * 3


def test_numbers_held_here_are_never_offered(client, factory):
    member = factory.member("growth")
    assert buy(client, member, sandbox_number("415", 0)).status_code == 200
    assert buy(client, member, sandbox_number("415", 2)).status_code == 200
    offered = [
        n["phoneNumber"]
        for n in search(client, member, areaCode="415", limit=5).get_json()["numbers"]
    ]
    assert offered == [sandbox_number("415", i) for i in (1, 3, 4, 5, 6)]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({}, "filters.countryCode"),
        ({"countryCode": "ZZ"}, "filters.countryCode"),
        ({"countryCode": 1}, "filters.countryCode"),
        ({"countryCode": "US", "areaCode": "41"}, "filters.areaCode"),
        ({"countryCode": "US", "areaCode": 415}, "filters.areaCode"),
        ({"countryCode": "US", "areaCode": "4a5"}, "filters.areaCode"),
        ({"countryCode": "GB", "areaCode": "207"}, "filters.areaCode"),
        ({"countryCode": "US", "numberType": "mobile"}, "filters.numberType"),
        ({"countryCode": "US", "limit": 0}, "filters.limit"),
        ({"countryCode": "US", "limit": 101}, "filters.limit"),
        ({"countryCode": "US", "limit": "10"}, "filters.limit"),
        ({"countryCode": "US", "limit": True}, "filters.limit"),
        ({"countryCode": "US", "limit": 2.5}, "filters.limit"),
    ],
)
def test_bad_filters_name_the_field(client, factory, filters, field):
    response = client.post(SEARCH, json={"filters": filters}, headers=factory.member().headers)
    body = assert_error(response, 400, "invalid_request")
    assert list(body["error"]["fields"]) == [field]


def test_every_bad_field_is_reported_at_once(client, factory):
    response = client.post(
        SEARCH,
        json={"filters": {"countryCode": "ZZ", "areaCode": "1", "numberType": "x", "limit": 0}},
        headers=factory.member().headers,
    )
    fields = assert_error(response, 400, "invalid_request")["error"]["fields"]
    assert set(fields) == {
        "filters.countryCode",
        "filters.areaCode",
        "filters.numberType",
        "filters.limit",
    }


@pytest.mark.parametrize("body", [{}, {"filters": []}, {"filters": "US"}])
def test_filters_must_be_an_object(client, factory, body):
    response = client.post(SEARCH, json=body, headers=factory.member().headers)
    assert "filters" in assert_error(response, 400, "invalid_request")["error"]["fields"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"filters": {"countryCode": "US"}}', "text/plain"),
        ("not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("", "application/json"),
    ],
)
def test_body_must_be_a_json_object(client, factory, data, content_type):
    response = client.post(
        SEARCH, data=data, content_type=content_type, headers=factory.member().headers
    )
    body = assert_error(response, 400, "invalid_request")
    assert "fields" not in body["error"]


def test_oversized_body_is_refused_with_the_envelope(client, factory):
    filler = "x" * (70 * 1024)
    response = client.post(
        SEARCH,
        json={"filters": {"countryCode": "US"}, "pad": filler},
        headers=factory.member().headers,
    )
    assert_error(response, 413, "payload_too_large")
