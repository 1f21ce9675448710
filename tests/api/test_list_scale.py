"""The list costs a fixed number of queries whatever the team's size, and pages by cursor."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Assistant, PhoneNumber
from tests.helpers import PURCHASE, assert_error, listed


def seed(app, member, count, area="415"):
    """Insert numbers directly (fast), each with an assistant, bought by the member."""
    with app.app_context():
        assistant = Assistant(team_id=member.team_id, name="Ava")
        db.session.add(assistant)
        db.session.flush()
        db.session.add_all(
            PhoneNumber(
                team_id=member.team_id,
                phone_number=f"+1{area}555{i:04d}",
                provider="sandbox",
                provider_number_id=f"sandbox-{i}",
                customer_reference=f"ref-{member.team_id}-{i}",
                number_type="local",
                country_code="US",
                status="active",
                features=[],
                assistant_id=assistant.id if i % 2 else None,
                created_by_id=member.user_id,
            )
            for i in range(count)
        )
        db.session.commit()


@contextmanager
def counting(app):
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_list_queries_do_not_grow_with_the_team(app, client, factory):
    small, large = factory.member("scale"), factory.member("scale")
    seed(app, small, 3)
    seed(app, large, 300, area="212")
    listed(client, small)  # warm up: token last-used write, etc.
    listed(client, large)
    with counting(app) as few:
        assert listed(client, small).get_json()["count"] == 3
    with counting(app) as many:
        body = listed(client, large).get_json()
    assert body["count"] == 300
    assert sum(n["assistant_name"] == "Ava" for n in body["numbers"]) == 150
    assert len(many) == len(few) <= 4, many


def test_cursor_paging_walks_every_number_once(app, client, factory):
    member = factory.member("scale")
    seed(app, member, 25)
    seen, cursor = [], None
    while True:
        query = {"teamId": member.team_id, "limit": 10, **({"cursor": cursor} if cursor else {})}
        body = client.get(PURCHASE, query_string=query, headers=member.headers).get_json()
        seen += [n["id"] for n in body["numbers"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    everything = [n["id"] for n in listed(client, member).get_json()["numbers"]]
    assert seen == everything and len(seen) == 25
    assert "nextCursor" not in listed(client, member).get_json()


@pytest.mark.parametrize(
    ("param", "value"), [("limit", "0"), ("limit", "501"), ("limit", "x"), ("cursor", "garbage")]
)
def test_bad_paging_parameters(client, factory, param, value):
    member = factory.member("scale")
    query = {"teamId": member.team_id, param: value}
    response = client.get(PURCHASE, query_string=query, headers=member.headers)
    assert param in assert_error(response, 400, "invalid_request")["error"]["fields"]
