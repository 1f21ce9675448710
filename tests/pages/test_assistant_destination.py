"""An assistant's destination on its page: set, shown on the Assistants page (or "Calls to
its numbers go to the fallback"), refused with the field named, kept from members."""

import pytest

from tests.pages.helpers import csrf_token, soup


@pytest.fixture
def ava(client, factory, auth):
    owner = factory.member("growth")
    number = factory.number(owner, "+14155550100")
    assistant = factory.assistant(owner, "Ava", [number])
    auth.sign_in(owner)
    return owner, assistant, f"/teams/{owner.team_id}/assistants/{assistant}/destination"


def post(client, url, **fields):
    data = {
        "destination_type": "",
        "address": "",
        "sip_username": "",
        "sip_password": "",
        "platform": "",
        "platform_id": "",
        **fields,
        "csrf_token": csrf_token(client, url),
    }
    return client.post(url, data=data)


def test_without_a_destination_every_place_says_calls_go_to_the_fallback(client, ava):
    owner, assistant, url = ava
    listed = soup(client.get(f"/teams/{owner.team_id}/assistants"))
    link = listed.select_one(f"#assistant-{assistant} a[data-role=destination]")
    assert link.get_text() == "Calls to its numbers go to the fallback"
    assert link["href"] == url
    assert soup(client.get(url)).select_one("#destination-now").get_text() == (
        "Calls to its numbers go to the fallback"
    )


def test_a_sip_destination_is_saved_and_its_password_never_shown(client, ava):
    owner, assistant, url = ava
    response = post(
        client,
        url,
        destination_type="sip",
        address="sip:ava@sip.vapi.ai",
        sip_username="desk",
        sip_password="s3cret-pass",
        platform="vapi",
    )
    assert response.status_code == 302
    page = client.get(url)
    html = soup(page)
    assert html.select_one("#destination-now").get_text() == "SIP · sip:ava@sip.vapi.ai · Vapi"
    assert html.select_one("#sip_password")["value"] == ""
    assert "s3cret-pass" not in page.get_data(as_text=True)
    listed = soup(client.get(f"/teams/{owner.team_id}/assistants"))
    link = listed.select_one(f"#assistant-{assistant} a[data-role=destination]")
    assert link["data-kind"] == "sip"
    assert [a.get_text() for a in html.select("#assistant-numbers a")] == ["(415) 555-0100"]


@pytest.mark.parametrize(
    "fields,name,message",
    [
        (
            {"destination_type": "sip", "address": "ava@sip.vapi.ai"},
            "address",
            "Enter a SIP URI that starts with sip: or sips:, like sip:assistant@sip.example.com.",
        ),
        (
            {"destination_type": "webhook", "address": "https://10.0.0.7/agent"},
            "address",
            "This address is on a private network: use a public https URL.",
        ),
        (
            {"destination_type": "webhook", "address": "http://agent.example.com"},
            "address",
            "Use https: the test event is signed, not hidden.",
        ),
        (
            {"destination_type": "", "address": "sip:ava@sip.vapi.ai"},
            "destination_type",
            "Choose one of: sip, phone, webhook.",
        ),
        (
            {"destination_type": "sip", "address": "sip:a@sip.vapi.ai", "platform": "zoom"},
            "platform",
            "Choose one of: vapi, retell, livekit, pipecat, other.",
        ),
    ],
)
def test_a_bad_destination_is_named_on_the_form(client, ava, fields, name, message):
    _owner, _assistant, url = ava
    response = post(client, url, **fields)
    assert response.status_code == 400
    assert soup(response).select_one(f"#{name}-error").get_text() == message
    assert soup(client.get(url)).select_one("#destination-now")["data-kind"] == "none"


def test_a_member_sees_the_destination_but_no_form(client, factory, ava, auth):
    owner, _assistant, url = ava
    member = factory.member(team_id=owner.team_id, role="member")
    auth.sign_out()
    auth.sign_in(member)
    html = soup(client.get(url))
    assert html.select_one("#destination-form") is None
    refused = post(client, url, destination_type="phone", address="+14155550199")
    assert refused.status_code == 403
