"""The team's guardrails by API: all off by default, set by owners, each bad amount named, the
document and the server agreeing on what an amount is, and every change in History."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
import sqlalchemy as sa

from app.api.openapi import DOCUMENT
from app.extensions import db
from app.models import AuditEvent, PhoneNumber, utcnow
from tests.helpers import assert_error, bought_id, guardrails_url, sandbox_number

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")

OFF = {"monthlySpendCap": None, "approvalRequired": False, "approvalAbove": None}


def patch(client, member, **body):
    return client.patch(guardrails_url(member.team_id), json=body, headers=member.headers)


def test_a_team_starts_with_every_guardrail_off_and_sees_its_spend(client, factory):
    owner = factory.member("growth")
    bought_id(client, owner, sandbox_number("415", 0))
    answer = client.get(guardrails_url(owner.team_id), headers=owner.headers).get_json()
    assert answer["guardrails"] == OFF
    month = utcnow().strftime("%Y-%m")
    assert answer["spending"] == {"month": month, "spent": "2.00", "left": None, "unpriced": 0}


def test_an_owner_sets_and_clears_them_and_history_says_so(app, client, factory):
    owner = factory.member("growth")
    response = patch(
        client, owner, monthlySpendCap="50", approvalRequired=True, approvalAbove="20.5"
    )
    assert response.status_code == 200, response.get_json()
    expected = {"monthlySpendCap": "50.00", "approvalRequired": True, "approvalAbove": "20.50"}
    assert response.get_json()["guardrails"] == expected
    assert response.get_json()["spending"]["left"] == "50.00"
    # What is not sent stays; null clears.
    cleared = patch(client, owner, monthlySpendCap=None).get_json()["guardrails"]
    assert cleared == {**expected, "monthlySpendCap": None}
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "guardrails_change")
            .order_by(AuditEvent.created_at)
        ).all()
    assert [(e.before, e.after) for e in events] == [
        (OFF, expected),
        (expected, {**expected, "monthlySpendCap": None}),
    ]


def test_the_same_values_again_change_nothing_and_add_no_line(app, client, factory):
    owner = factory.member("growth")
    patch(client, owner, monthlySpendCap="50.00")
    assert patch(client, owner, monthlySpendCap="50").status_code == 200
    with app.app_context():
        lines = db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "guardrails_change")
        )
    assert lines == 1


BAD_AMOUNTS = ["0", "0.00", "-5", "1.234", "abc", "$50", "1,000", " 5", "1000000.01", "05", "٥"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_bad_amount_is_named_and_changes_nothing(client, factory, amount):
    owner = factory.member("growth")
    body = assert_error(
        patch(client, owner, monthlySpendCap=amount, approvalAbove=amount), 400, "invalid_request"
    )
    assert set(body["error"]["fields"]) == {"monthlySpendCap", "approvalAbove"}
    answer = client.get(guardrails_url(owner.team_id), headers=owner.headers).get_json()
    assert answer["guardrails"] == OFF


def test_numbers_and_non_booleans_are_refused_by_name(client, factory):
    owner = factory.member("growth")
    body = assert_error(
        patch(client, owner, monthlySpendCap=50, approvalRequired="yes"), 400, "invalid_request"
    )
    fields = body["error"]["fields"]
    assert "as a string" in fields["monthlySpendCap"]
    assert fields["approvalRequired"] == "approvalRequired must be true or false."


def test_a_body_with_nothing_to_change_is_refused(client, factory):
    owner = factory.member("growth")
    body = assert_error(patch(client, owner, colour="blue"), 400, "invalid_request")
    assert "monthlySpendCap" in body["error"]["message"]


@pytest.mark.parametrize("role", ["admin", "member"])
def test_only_owners_change_them_and_everyone_reads_them(client, factory, role):
    owner = factory.member("growth")
    other = factory.member(team_id=owner.team_id, role=role)
    assert_error(patch(client, other, monthlySpendCap="5.00"), 403, "forbidden")
    read = client.get(guardrails_url(owner.team_id), headers=other.headers)
    assert read.status_code == 200 and read.get_json()["guardrails"] == OFF


def test_last_months_numbers_and_trials_are_not_this_months_spend(
    app, client, factory, release_at_once
):
    owner = factory.member("growth")
    factory.number(
        owner,
        sandbox_number("415", 1),
        monthly_price="1.00",
        setup_price="1.00",
        created_at=utcnow().replace(day=1) - timedelta(days=1),
    )
    factory.number(
        owner, sandbox_number("415", 2), is_trial=True, monthly_price="1.00", setup_price="1.00"
    )
    factory.number(owner, sandbox_number("415", 3))  # bought with no quoted price
    released = bought_id(client, owner, sandbox_number("415", 4))
    client.delete(
        f"/api/phone-numbers/{released}",
        query_string={"teamId": owner.team_id},
        headers=owner.headers,
    )
    with app.app_context():
        assert db.session.get(PhoneNumber, released).status == "released"
    spending = client.get(guardrails_url(owner.team_id), headers=owner.headers).get_json()
    # The released number still cost what it cost; the unpriced one is counted apart.
    assert spending["spending"]["spent"] == "2.00"
    assert spending["spending"]["unpriced"] == 1


AMOUNTS = {
    "0.01": True,
    "50": True,
    "50.5": True,
    "999999.99": True,
    "1000000": True,
    "1000000.00": True,
    "": True,  # none
    "0": False,
    "0.0": False,
    "00.50": False,
    "1000000.01": False,
    "1000001": False,
    "12.345": False,
    "1e3": False,
    ".5": False,
}


@pytest.mark.parametrize("amount,accepted", AMOUNTS.items(), ids=list(AMOUNTS))
def test_an_amount_is_valid_in_the_document_exactly_when_the_server_takes_it(
    client, factory, amount, accepted
):
    owner = factory.member("growth")
    schema = {"$ref": "#/components/schemas/GuardrailsUpdate", "components": DOCUMENT["components"]}
    body = {"monthlySpendCap": amount}
    assert jsonschema.Draft202012Validator(schema).is_valid(body) is accepted
    assert patch(client, owner, **body).status_code == (200 if accepted else 400)
