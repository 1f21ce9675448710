"""Every routing field refuses malformed values with the field named (parse_rules)."""

import pytest

from app.exceptions import ValidationFailed
from app.routing.destinations import Destination
from app.routing.rules import parse_rules

A, B = "asst_a", "asst_b"


def parse(inbound=None, outbound=None, allow_private=False):
    return parse_rules(
        {"inbound": inbound or {}, "outbound": outbound or {}}, {A, B}, allow_private
    )


def refusal(**kwargs) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as error:
        parse(**kwargs)
    return error.value.fields


BAD_INBOUND = [
    (
        {"assistants": [{"assistantId": A, "weight": 80}, {"assistantId": B, "weight": 30}]},
        "routing.inbound.assistants",
        "The weights must add up to 100 (they add up to 110).",
    ),
    (
        {"assistants": [{"assistantId": A, "weight": 50}, {"assistantId": A, "weight": 50}]},
        "routing.inbound.assistants[1].assistantId",
        "This assistant is in the list twice.",
    ),
    (
        {"assistants": [{"assistantId": "asst_theirs"}]},
        "routing.inbound.assistants[0].assistantId",
        "No assistant of this team has this id.",
    ),
    (
        {"assistants": [{"assistantId": A, "weight": 0}, {"assistantId": B, "weight": 100}]},
        "routing.inbound.assistants[0].weight",
        "A whole percentage from 1 to 100.",
    ),
    (
        {"assistants": [{"assistantId": A, "weight": 50.5}, {"assistantId": B, "weight": 49.5}]},
        "routing.inbound.assistants[0].weight",
        "A whole percentage from 1 to 100.",
    ),
    (
        {"assistants": [{"assistantId": A}, {"assistantId": B}]},
        "routing.inbound.assistants[0].weight",
        "A whole percentage from 1 to 100.",
    ),
    (
        {"fallback": {"type": "sip", "address": "http://pbx.example.com"}},
        "routing.inbound.fallback.address",
        "Enter a SIP URI that starts with sip: or sips:, like sip:assistant@sip.example.com.",
    ),
    (
        {"fallback": {"type": "sip", "address": "sip:desk:secret@pbx.example.com"}},
        "routing.inbound.fallback.address",
        "Put the SIP password in its own field, not in the URI "
        "(write it like sip:assistant@sip.example.com).",
    ),
    (
        {"fallback": {"type": "sip", "address": "sip:desk@pbx"}},
        "routing.inbound.fallback.address",
        "The SIP host must be a full domain name (sip.example.com) or an IP.",
    ),
    (
        {"fallback": {"type": "phone", "address": "4155550199"}},
        "routing.inbound.fallback.address",
        "Enter a phone number in E.164, like +14155550101.",
    ),
    (
        {"fallback": {"type": "webhook", "address": "https://agent.example.com"}},
        "routing.inbound.fallback.type",
        "Choose one of: sip, phone.",
    ),
    (
        {"answerTimeoutSeconds": 4},
        "routing.inbound.answerTimeoutSeconds",
        "Whole seconds from 5 to 120.",
    ),
    (
        {"answerTimeoutSeconds": True},
        "routing.inbound.answerTimeoutSeconds",
        "Whole seconds from 5 to 120.",
    ),
    (
        {"blocklist": ["+1900", "1900"]},
        "routing.inbound.blocklist[1]",
        "A number or prefix in E.164: + then digits, like +1900.",
    ),
    (
        {"blocklist": ["+0900"]},
        "routing.inbound.blocklist[0]",
        "A number or prefix in E.164: + then digits, like +1900.",
    ),
    (
        {"blocklist": ["+１９００"]},
        "routing.inbound.blocklist[0]",
        "A number or prefix in E.164: + then digits, like +1900.",
    ),
    (
        {"allowedCountries": ["US", "XX"]},
        "routing.inbound.allowedCountries[1]",
        "No country has the code 'XX': use two capitals, like US.",
    ),
    (
        {"allowedCountries": ["us"]},
        "routing.inbound.allowedCountries[0]",
        "No country has the code 'us': use two capitals, like US.",
    ),
    (
        {"timeZone": "Mars/Olympus"},
        "routing.inbound.timeZone",
        "Use a time zone name like America/New_York or UTC.",
    ),
    (
        {"timeZone": "../../etc/passwd"},
        "routing.inbound.timeZone",
        "Use a time zone name like America/New_York or UTC.",
    ),
    (
        {
            "hours": [
                {"day": "mon", "start": "09:00", "end": "17:00"},
                {"day": "mon", "start": "16:00", "end": "20:00"},
            ]
        },
        "routing.inbound.hours[1]",
        "Overlaps Monday 09:00–17:00.",
    ),
    (
        {"hours": [{"day": "mon", "start": "17:00", "end": "09:00"}]},
        "routing.inbound.hours[0].end",
        "A time after the start, up to 24:00 (split a night in two).",
    ),
    (
        {"hours": [{"day": "monday", "start": "09:00", "end": "17:00"}]},
        "routing.inbound.hours[0].day",
        "One of mon, tue, wed, thu, fri, sat, sun.",
    ),
    (
        {"hours": [{"day": "mon", "start": "9:00", "end": "17:00"}]},
        "routing.inbound.hours[0].start",
        "A time from 00:00 to 23:59.",
    ),
    (
        {"afterHours": {"type": "phone", "address": "+14155550199"}},
        "routing.inbound.afterHours",
        "Set opening hours first: after hours needs them.",
    ),
    (
        {"unknown": 1},
        "routing.inbound.unknown",
        "Unknown field; known: assistants, fallback, answerTimeoutSeconds, blocklist, "
        "allowedCountries, timeZone, hours, afterHours.",
    ),
]


@pytest.mark.parametrize("inbound,field,message", BAD_INBOUND, ids=range(len(BAD_INBOUND)))
def test_a_malformed_inbound_field_is_refused_with_its_name(inbound, field, message):
    assert refusal(inbound=inbound) == {field: message}


def test_outbound_fields_are_checked():
    assert refusal(outbound={"assistantIds": [A, "asst_x"]}) == {
        "routing.outbound.assistantIds[1]": "No assistant of this team has this id."
    }
    assert refusal(outbound={"teamDefault": "yes"}) == {
        "routing.outbound.teamDefault": "Send true or false."
    }


def test_several_wrong_fields_are_all_named():
    fields = refusal(inbound={"answerTimeoutSeconds": 500, "blocklist": ["x"]})
    assert set(fields) == {"routing.inbound.answerTimeoutSeconds", "routing.inbound.blocklist[0]"}


def test_private_webhooks_are_not_fallbacks_and_private_sip_is_allowed():
    rules = parse(inbound={"fallback": {"type": "sip", "address": "sip:desk@10.0.0.5:5060"}})
    assert rules.fallback == Destination("sip", "sip:desk@10.0.0.5:5060")


def test_good_rules_come_back_in_order():
    rules = parse(
        inbound={
            "assistants": [{"assistantId": B, "weight": 20}, {"assistantId": A, "weight": 80}],
            "fallback": {"type": "phone", "address": "+14155550199"},
            "answerTimeoutSeconds": 30,
            "blocklist": ["+1900", "+1900", "+14155550123"],
            "allowedCountries": ["US", "CA"],
            "timeZone": "Europe/London",
            "hours": [
                {"day": "mon", "start": "09:00", "end": "12:00"},
                {"day": "mon", "start": "12:00", "end": "24:00"},
            ],
            "afterHours": {"type": "sip", "address": "sips:vm@pbx.example.com;transport=tls"},
        },
        outbound={"assistantIds": [A], "teamDefault": True},
    )
    assert rules.split == ((B, 20), (A, 80))
    assert rules.blocklist == ("+1900", "+14155550123")
    assert [str(w) for w in rules.hours] == ["Monday 09:00–12:00", "Monday 12:00–24:00"]
    assert rules.after_hours == Destination("sip", "sips:vm@pbx.example.com;transport=tls")
    assert (rules.callers, rules.team_default, rules.answer_timeout) == ((A,), True, 30)


WEBHOOKS = {
    "https://agent.example.com/calls": (True, True),
    "http://agent.example.com/calls": ("Use https: the test event is signed, not hidden.",) * 2,
    "https://127.0.0.1/calls": (
        "This address is on a private network: use a public https URL.",
        True,
    ),
    "http://localhost:8080/calls": (
        "This address is on a private network: use a public https URL.",
        True,
    ),
    "https://10.1.2.3/calls": (
        "This address is on a private network: use a public https URL.",
        True,
    ),
    "https://169.254.169.254/latest": (
        "This address is on a private network: use a public https URL.",
        True,
    ),
    "https://[::1]/calls": ("This address is on a private network: use a public https URL.", True),
    "https://user:pw@agent.example.com/": ("Leave credentials out of the URL.",) * 2,
    "ftp://agent.example.com/": ("Enter a URL like https://agent.example.com/calls.",) * 2,
}


@pytest.mark.parametrize("url", WEBHOOKS)
@pytest.mark.parametrize("allow_private", [False, True])
def test_webhook_urls_are_https_and_public_unless_config_allows_private(url, allow_private):
    from app.routing.destinations import parse_webhook

    expected = WEBHOOKS[url][int(allow_private)]
    if expected is True:
        assert parse_webhook(url, "destination.address", allow_private) == url
    else:
        with pytest.raises(ValidationFailed) as error:
            parse_webhook(url, "destination.address", allow_private)
        assert error.value.fields == {"destination.address": expected}
