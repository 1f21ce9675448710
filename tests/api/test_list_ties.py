"""Keyset paging when numbers share one created_at (a bulk import, a coarse clock): each is
listed exactly once, in the order of the unpaged list."""

from datetime import UTC, datetime

from app.extensions import db
from app.models import PhoneNumber
from tests.factories import seed_numbers
from tests.helpers import PURCHASE, listed


def test_numbers_bought_in_the_same_instant_are_each_paged_exactly_once(app, client, factory):
    member = factory.member("scale")
    seed_numbers(app, member.team_id, member.user_id, 7)
    with app.app_context():
        db.session.execute(
            db.update(PhoneNumber).values(created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
        )
        db.session.commit()
    seen, cursor, pages = [], None, 0
    while pages < 10:  # 7 numbers at 2 a page is 4 pages; more would be a loop
        query = {"teamId": member.team_id, "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(PURCHASE, query_string=query, headers=member.headers).get_json()
        seen += [n["id"] for n in body["numbers"]]
        pages += 1
        if (cursor := body["nextCursor"]) is None:
            break
    everything = [n["id"] for n in listed(client, member).get_json()["numbers"]]
    assert len(everything) == 7
    assert seen == everything
