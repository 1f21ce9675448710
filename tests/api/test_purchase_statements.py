"""A purchase costs at most 8 SQL statements, a trial included (the issue's bound)."""

from __future__ import annotations

import pytest

from tests.factories import counting
from tests.helpers import buy, listed, sandbox_number

MAX_STATEMENTS = 8


@pytest.mark.parametrize("plan", ["free", "growth"])
def test_a_purchase_is_at_most_eight_statements(app, client, factory, plan):
    member = factory.member(plan)
    listed(client, member)  # the token's first use writes when it was used
    with counting(app) as statements:
        answer = buy(client, member, sandbox_number("415", 0))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["phoneNumber"]["is_trial"] is (plan == "free")
    assert answer.get_json()["eligibility"]["currentCount"] == 1
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
