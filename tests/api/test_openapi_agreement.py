"""The OpenAPI document and the server agree on what a request may hold: what the document
calls valid, the server accepts, and what it calls invalid, the server refuses (schemathesis's
positive and negative phases check the same, from random input; these are the cases it found).
And its links, which the stateful fuzzing follows, lead somewhere real.
"""

import re

import jsonschema
import pytest

from app.api.openapi import DOCUMENT
from tests.helpers import PURCHASE, SEARCH, assert_error, bought_id, new_assistant, sandbox_number

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")

NAMES = {
    "Sales Agent": True,
    "òºªß": True,  # no ASCII letter at all, and still a name
    "Ассистент": True,
    "受付": True,
    "😀": True,
    "  a  ": True,
    "\u200b\u200d\ufeff": False,  # invisible only
    "\u0301\u0301": False,  # combining marks alone show nothing
    "\u3164": False,  # a Hangul filler renders as nothing
    " \t ": False,
    "a\x00b": False,
    "x" * 121: False,
    "a" + " " * 120: False,  # too long as sent, though short once cleaned
}


def valid(schema_name: str, instance) -> bool:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(schema).is_valid(instance)


@pytest.mark.parametrize("name,accepted", NAMES.items(), ids=range(len(NAMES)))
def test_an_assistant_name_is_valid_in_the_document_exactly_when_the_server_takes_it(
    client, factory, name, accepted
):
    owner = factory.member("starter")
    body = {"teamId": owner.team_id, "name": name}
    assert valid("AssistantCreate", body) is accepted
    response = client.post("/api/assistants", json=body, headers=owner.headers)
    assert response.status_code == (201 if accepted else 400), response.get_data(as_text=True)
    elsewhere = factory.member("starter")  # a team where the name is not taken yet
    renamed = client.patch(
        f"/api/assistants/{new_assistant(client, elsewhere, 'Other')}",
        json={"name": name},
        headers=elsewhere.headers,
    )
    assert valid("AssistantRename", {"name": name}) is accepted
    assert renamed.status_code == (200 if accepted else 400)


@pytest.mark.parametrize(
    "label,accepted", [("x" * 80, True), ("x" * 81, False), ("a" + " " * 80, False)]
)
def test_a_label_too_long_as_sent_is_refused_as_the_document_says(client, factory, label, accepted):
    owner = factory.member("starter")
    number_id = bought_id(client, owner, sandbox_number("415", 0))
    body = {"teamId": owner.team_id, "label": label}
    assert valid("NumberUpdate", body) is accepted
    response = client.patch(f"/api/phone-numbers/{number_id}", json=body, headers=owner.headers)
    assert response.status_code == (200 if accepted else 400)


NOT_GIVEN = [
    {"countryCode": "US", "limit": None},
    {"countryCode": "GB", "areaCode": None},
    {"countryCode": "GB", "areaCode": ""},
    {"countryCode": "US", "numberType": None},
    {"countryCode": "US", "numberType": ""},
]


@pytest.mark.parametrize("filters", NOT_GIVEN, ids=range(len(NOT_GIVEN)))
def test_a_null_or_empty_optional_filter_means_not_given_in_both(client, factory, filters):
    owner = factory.member("starter")
    assert valid("SearchRequest", {"filters": filters})
    response = client.post(SEARCH, json={"filters": filters}, headers=owner.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["count"] == (
        20 if "limit" in filters else len(response.get_json()["numbers"])
    )


def test_an_area_code_outside_us_and_ca_is_invalid_in_both(client, factory):
    owner = factory.member("starter")
    filters = {"countryCode": "GB", "areaCode": "415"}
    assert not valid("SearchRequest", {"filters": filters})
    assert_error(
        client.post(SEARCH, json={"filters": filters}, headers=owner.headers),
        400,
        "invalid_request",
    )


@pytest.mark.parametrize(
    "key,accepted", [("k-1_~!", True), ("a b", False), ("clé", False), ("k" * 256, False)]
)
def test_an_idempotency_key_is_visible_ascii_in_both(client, factory, key, accepted):
    owner = factory.member("starter")
    header = next(
        p
        for p in DOCUMENT["paths"][PURCHASE]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    )
    assert jsonschema.Draft202012Validator(header["schema"]).is_valid(key) is accepted
    response = client.post(
        PURCHASE,
        json={"phoneNumber": sandbox_number("415", 1), "teamId": owner.team_id},
        headers={**owner.headers, "Idempotency-Key": key.encode().decode("latin-1")},
    )
    if accepted:
        assert response.status_code == 200
    else:
        body = assert_error(response, 400, "invalid_request")
        assert "Idempotency-Key" in body["error"]["fields"]


def test_every_link_leads_to_an_operation_and_fills_its_path():
    operations = {
        op["operationId"]: (path, op)
        for path, item in DOCUMENT["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    }
    links = [
        (name, link)
        for _path, op in operations.values()
        for answer in op["responses"].values()
        for name, link in answer.get("links", {}).items()
    ]
    assert len(links) == 6
    for name, link in links:
        path, _op = operations[link["operationId"]]
        needed = {f"path.{part}" for part in re.findall(r"\{(\w+)\}", path)}
        assert needed <= set(link["parameters"]), name
