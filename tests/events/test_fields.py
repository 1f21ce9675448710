"""An endpoint's fields as the API takes them: each wrong one named, in the envelope, and
nothing saved or changed."""

from __future__ import annotations

import pytest

from tests.events.helpers import ENDPOINTS, made

URL = "http://127.0.0.1:9/hooks"  # the discard port: nothing is ever delivered there


@pytest.fixture
def local(app):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    return app


@pytest.mark.parametrize(
    "body,field,message",
    [
        ({"description": None}, "description", 'A description is text: send "" for none.'),
        ({"description": 7}, "description", 'A description is text: send "" for none.'),
        ({"description": "a\x00b"}, "description", None),
        ({"enabled": None}, "enabled", "enabled must be true or false."),
        ({"enabled": "true"}, "enabled", "enabled must be true or false."),
        ({"events": []}, "events", None),
        ({"events": ["number.sold"]}, "events", None),
        ({"url": None}, "url", "Enter the URL that should receive the events."),
        ({"url": "ftp://example.com/"}, "url", "The URL must start with https:// (or http://)."),
    ],
)
def test_a_bad_field_is_named_and_changes_nothing(local, client, factory, body, field, message):
    owner = factory.member("growth")
    endpoint_id, _secret = made(client, owner, URL)
    before = client.get(f"{ENDPOINTS}/{endpoint_id}", headers=owner.headers).get_json()
    response = client.patch(f"{ENDPOINTS}/{endpoint_id}", json=body, headers=owner.headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert list(error["fields"]) == [field]
    if message:
        assert error["fields"][field] == message
    after = client.get(f"{ENDPOINTS}/{endpoint_id}", headers=owner.headers).get_json()
    assert after == before

    fields = {"teamId": owner.team_id, "url": URL, "events": ["number.bought"], **body}
    created = client.post(ENDPOINTS, json=fields, headers=owner.headers)
    assert created.status_code == 400
    assert list(created.get_json()["error"]["fields"]) == [field]


def test_a_description_of_empty_text_clears_it(local, client, factory):
    owner = factory.member("growth")
    endpoint_id, _secret = made(client, owner, URL)
    url = f"{ENDPOINTS}/{endpoint_id}"
    assert client.patch(url, json={"description": "CRM"}, headers=owner.headers).status_code == 200
    answer = client.patch(url, json={"description": ""}, headers=owner.headers)
    assert answer.status_code == 200
    assert answer.get_json()["endpoint"]["description"] == ""
