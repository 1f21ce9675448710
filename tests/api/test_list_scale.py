"""The list costs a fixed number of queries whatever the team's size, and pages by cursor."""

import pytest

from tests.factories import counting, seed
from tests.helpers import PURCHASE, assert_error, listed


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
