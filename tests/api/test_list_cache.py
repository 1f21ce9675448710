"""The list answers with an ETag and 304, and keeps its serialised body per team version.

What the body depends on is in the key (team, version, page); who asks is not (every member
sees the same list), but who may ask is checked before the cache is read.
"""

from __future__ import annotations

import uuid

import pytest

from app.extensions import cache, db
from app.models import PhoneNumber
from tests import workers
from tests.factories import Factory, counting, seed
from tests.helpers import PURCHASE, assert_error, buy, listed, sandbox_number
from tests.support import build_app, teardown_app

REDIS = workers.redis_url(15)  # shared with other tests: every key here has its own prefix


def get(client, member, **query):
    headers = {**member.headers, **query.pop("headers", {})}
    return client.get(PURCHASE, query_string={"teamId": member.team_id, **query}, headers=headers)


def test_an_unchanged_list_is_304_and_a_change_is_a_new_etag(client, factory):
    member = factory.member("growth")
    buy(client, member, sandbox_number("415", 0))
    first = get(client, member)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    again = get(client, member, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    buy(client, member, sandbox_number("415", 1))
    changed = get(client, member, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["count"] == 2


def test_a_repeated_read_is_one_query_and_the_cache(app, client, factory):
    member = factory.member("scale")
    seed(app, member, 50)
    expected = get(client, member).get_data()  # built, and kept
    with counting(app) as statements:
        repeated = get(client, member)
    assert repeated.get_data() == expected
    # The token, its user, the team and the member's role (with the team's version): one query.
    assert len(statements) == 1, statements


def test_the_cache_is_keyed_on_the_page(client, factory, app):
    member = factory.member("scale")
    seed(app, member, 5)
    whole = get(client, member).get_json()
    one = get(client, member, limit="1").get_json()
    two = get(client, member, limit="2").get_json()
    assert [len(whole["numbers"]), len(one["numbers"]), len(two["numbers"])] == [5, 1, 2]
    assert "nextCursor" not in whole
    after = get(client, member, limit="2", cursor=two["nextCursor"]).get_json()
    ids = [n["id"] for n in whole["numbers"]]
    assert [n["id"] for n in after["numbers"]] == ids[2:4]
    assert_error(get(client, member, limit="2", cursor="garbage"), 400, "invalid_request")


def test_every_member_sees_the_same_list_and_strangers_none(client, factory):
    owner = factory.member("growth")
    member = factory.member(team_id=owner.team_id, role="member")
    stranger = factory.member("growth")
    buy(client, owner, sandbox_number("415", 0))
    kept = get(client, owner)
    assert get(client, member).get_data() == kept.get_data()
    assert_error(get(client, stranger, teamId=owner.team_id), 404, "team_not_found")


def test_a_page_with_an_order_still_completing_is_settled_not_kept(app, client, factory):
    member = factory.member("growth")
    # The sandbox completes a two-part order id: listing settles it.
    factory.number(member, sandbox_number("415", 0), status="pending", provider_order_id="sbx-1")
    first = get(client, member).get_json()["numbers"][0]
    assert first["status"] == "active"
    with app.app_context():
        assert db.session.scalar(db.select(PhoneNumber.status)) == "active"


def test_a_cached_answer_has_the_contract_shape(client, factory):
    member = factory.member("growth")
    buy(client, member, sandbox_number("415", 0))
    built, kept = listed(client, member), listed(client, member)
    assert built.get_data() == kept.get_data()
    assert kept.mimetype == "application/json"
    assert list(kept.get_json()) == ["success", "numbers", "count"]


@pytest.fixture
def redis_apps(tmp_path):
    """Two apps (two hosts) on one database and one Redis cache."""
    prefix = f"test-{uuid.uuid4().hex}:"
    settings = {"CACHE_REDIS_URL": REDIS, "CACHE_KEY_PREFIX": prefix}
    first = build_app(tmp_path, **settings)
    second = build_app(tmp_path, **settings)
    yield first, second
    with first.app_context():
        cache.clear()
    teardown_app(second)
    teardown_app(first)


def test_redis_keeps_one_body_for_every_host(redis_apps):
    first, second = redis_apps
    member = Factory(first).member("growth")
    one, two = first.test_client(), second.test_client()
    assert first.config["CACHE_TYPE"] == "RedisCache"
    buy(one, member, sandbox_number("415", 0))
    etag = get(one, member).headers["ETag"]
    with counting(second) as statements:
        assert get(two, member, headers={"If-None-Match": etag}).status_code == 304
    assert len(statements) == 1  # the other host read the body from Redis, not the rows
    buy(two, member, sandbox_number("415", 1))
    fresh = get(one, member, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.get_json()["count"] == 2


def test_if_none_match_compares_as_http_says(client, factory):
    """Weak comparison (a proxy may weaken the tag), several tags, `*`; anything else is 200."""
    member = factory.member("growth")
    etag = get(client, member).headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        assert get(client, member, headers={"If-None-Match": header}).status_code == 304, header
    for header in ('"other"', "garbage", ""):
        assert get(client, member, headers={"If-None-Match": header}).status_code == 200, header
