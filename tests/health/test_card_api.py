"""GET /api/phone-numbers/<id>/health: the card as JSON, field by field."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.health.checks import check_number
from app.models import PhoneNumber, utcnow


def test_the_card_as_json(app, client, factory):
    owner = factory.member("growth")
    number_id = factory.number(owner, "+14155550107", activated_at=utcnow() - timedelta(days=16))
    pending_id = factory.number(owner, "+14155550109", status="pending")
    with app.app_context():  # the sandbox reads a number ending in 7 as medium
        check_number(db.session.get(PhoneNumber, number_id), utcnow())
    answer = client.get(
        f"/api/phone-numbers/{number_id}/health?teamId={owner.team_id}", headers=owner.headers
    )
    assert answer.status_code == 200
    card = answer.get_json()["health"]
    checked = card["spamRisk"]["checkedAt"]
    assert checked is not None and card["since"] is not None
    assert {k: v for k, v in card.items() if k not in ("since", "attestation")} == {
        "phoneNumberId": number_id,
        "ageDays": 17,
        "calls": {
            "today": 0,
            "source": "none",
            "rampLimit": 100,
            "rampStage": "days 15–30",
            "overRamp": False,
        },
        "callerName": "Not set",
        "spamRisk": {"risk": "medium", "category": None, "outcome": "ok", "checkedAt": checked},
        "alert": {"kind": "risk", "detail": "Spam risk rose to medium.", "at": checked},
        "restUntil": None,
        "history": [
            {
                "checkedAt": checked,
                "outcome": "ok",
                "risk": "medium",
                "category": None,
                "detail": None,
            }
        ],
    }
    assert card["attestation"]["expected"] == "A"
    pending = client.get(
        f"/api/phone-numbers/{pending_id}/health?teamId={owner.team_id}", headers=owner.headers
    ).get_json()["health"]
    assert pending["attestation"] == {
        "expected": None,
        "why": "None yet: the number is not active.",
    }
    assert (pending["spamRisk"]["risk"], pending["history"]) == ("unknown", [])


def test_the_card_shows_the_caller_name_set_through_the_api(client, factory):
    owner = factory.member("growth")
    number_id = factory.number(owner, "+14155550101")
    card_url = f"/api/phone-numbers/{number_id}/health?teamId={owner.team_id}"
    assert client.get(card_url, headers=owner.headers).get_json()["health"]["callerName"] == (
        "Not set"
    )
    answer = client.put(
        f"/api/phone-numbers/{number_id}/caller-name",
        json={"teamId": owner.team_id, "name": "ACME SUPPORT"},
        headers=owner.headers,
    )
    assert answer.status_code == 200
    card = client.get(card_url, headers=owner.headers).get_json()["health"]
    assert card["callerName"] == "Submitted: ACME SUPPORT"
