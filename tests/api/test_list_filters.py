"""The list's optional search, filters and sort; without them the documented answer is unchanged."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import PhoneNumber, utcnow
from tests.factories import seed
from tests.helpers import PURCHASE, SEARCH, assert_error, buy, listed, new_assistant


def get(client, member, **params):
    query = {"teamId": member.team_id, **params}
    response = client.get(PURCHASE, query_string=query, headers=member.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def numbers_of(body) -> list[str]:
    return [n["phone_number"] for n in body["numbers"]]


def edit(app, e164: str, **values) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(PhoneNumber).where(PhoneNumber.phone_number == e164).values(**values)
        )
        db.session.commit()


@pytest.fixture
def team(app, factory):
    """Six numbers +1415555000N; the odd ones answered by "Ava"."""
    member = factory.member("scale")
    seed(app, member, 6)
    return member


def test_no_filter_and_empty_filters_give_the_documented_answer(app, client, team):
    plain = listed(client, team).get_json()
    assert set(plain) == {"success", "numbers", "count"} and plain["count"] == 6
    created = [n["created_at"] for n in plain["numbers"]]
    assert created == sorted(created, reverse=True)  # newest first, as documented
    empty = {"q": "", "status": "", "assistantId": "", "numberType": "", "countryCode": ""}
    assert get(client, team, **empty) == plain
    assert get(client, team, sort="-created") == plain


def test_search_by_digits_label_or_assistant(app, client, team):
    edit(app, "+14155550002", label="Front Desk")
    assert numbers_of(get(client, team, q="555-0004")) == ["+14155550004"]
    assert numbers_of(get(client, team, q="(415) 555 0004")) == ["+14155550004"]
    assert numbers_of(get(client, team, q="front desk")) == ["+14155550002"]
    assert sorted(numbers_of(get(client, team, q="ava"))) == [
        "+14155550001",
        "+14155550003",
        "+14155550005",
    ]
    assert get(client, team, q="nobody")["count"] == 0
    assert get(client, team, q="%")["count"] == 0  # a LIKE wildcard is a plain character


def test_filter_by_assistant_type_and_country(app, client, team):
    ava = get(client, team, q="0001")["numbers"][0]["assistant_id"]
    assert sorted(numbers_of(get(client, team, assistantId=ava))) == [
        "+14155550001",
        "+14155550003",
        "+14155550005",
    ]
    assert sorted(numbers_of(get(client, team, assistantId="none"))) == [
        "+14155550000",
        "+14155550002",
        "+14155550004",
    ]
    edit(app, "+14155550003", number_type="toll-free")
    edit(app, "+14155550005", country_code="CA")
    assert numbers_of(get(client, team, numberType="toll-free")) == ["+14155550003"]
    assert numbers_of(get(client, team, countryCode="ca")) == ["+14155550005"]
    assert get(client, team, numberType="local", countryCode="US")["count"] == 4


@pytest.mark.parametrize("kind", ["mobile", "national"])
def test_a_mobile_or_national_number_keeps_its_type_once_bought(app, client, team, kind):
    filters = {"countryCode": "GB", "numberType": kind, "limit": 1}
    found = client.post(SEARCH, json={"filters": filters}, headers=team.headers).get_json()
    number = found["numbers"][0]["phoneNumber"]
    assert buy(client, team, number).status_code == 200
    with app.app_context():
        stored = db.session.scalar(
            sa.select(PhoneNumber.number_type).where(PhoneNumber.phone_number == number)
        )
    assert stored == kind
    assert numbers_of(get(client, team, numberType=kind)) == [number]
    assert number not in numbers_of(get(client, team, numberType="local"))


def test_filter_by_status_reads_an_expired_trial_as_expired(app, client, team):
    past = utcnow() - timedelta(hours=1)
    edit(app, "+14155550000", is_trial=True, trial_expires_at=past)
    edit(app, "+14155550001", status="pending", activated_at=None)
    edit(app, "+14155550002", is_trial=True, trial_expires_at=utcnow() + timedelta(days=1))
    assert numbers_of(get(client, team, status="expired")) == ["+14155550000"]
    assert numbers_of(get(client, team, status="pending")) == ["+14155550001"]
    active = get(client, team, status="active")
    assert sorted(numbers_of(active)) == [f"+1415555000{i}" for i in (2, 3, 4, 5)]
    assert {n["status"] for n in active["numbers"]} == {"active"}


@pytest.mark.parametrize("sort", ["number", "-number", "created", "-created"])
def test_sorted_pages_walk_every_number_once_even_with_equal_times(app, client, team, sort):
    with app.app_context():  # one moment for all: only the id can order them
        db.session.execute(sa.update(PhoneNumber).values(created_at=utcnow()))
        db.session.commit()
    seen, cursor = [], None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        body = get(client, team, sort=sort, limit=4, **extra)
        seen += numbers_of(body)
        if (cursor := body["nextCursor"]) is None:
            break
    assert sorted(seen) == [f"+1415555000{i}" for i in range(6)]
    whole = numbers_of(get(client, team, sort=sort))
    assert seen == whole
    if sort.endswith("number"):
        assert whole == sorted(whole, reverse=sort.startswith("-"))


def test_paging_a_filtered_list_stays_filtered(client, team):
    first = get(client, team, q="ava", limit=2)
    rest = get(client, team, q="ava", limit=2, cursor=first["nextCursor"])
    assert len(numbers_of(first) + numbers_of(rest)) == 3
    assert {n["assistant_name"] for n in first["numbers"] + rest["numbers"]} == {"Ava"}


def test_a_cursor_keeps_the_order_it_was_made_in(client, team):
    first = get(client, team, sort="number", limit=2)
    # Asked with another sort, the next page still follows the first page's order.
    rest = get(client, team, sort="-created", limit=10, cursor=first["nextCursor"])
    assert numbers_of(first) + numbers_of(rest) == [f"+1415555000{i}" for i in range(6)]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("status", "released"),
        ("status", "ACTIVE"),
        ("assistantId", "asst_nope"),
        ("numberType", "landline"),
        ("countryCode", "USA"),
        ("countryCode", "1"),
        ("sort", "price"),
        ("q", "x" * 81),
        ("q", "a\x00b"),
    ],
)
def test_bad_filters_name_the_parameter(client, team, param, value):
    query = {"teamId": team.team_id, param: value}
    response = client.get(PURCHASE, query_string=query, headers=team.headers)
    assert param in assert_error(response, 400, "invalid_request")["error"]["fields"]


def test_another_teams_assistant_filters_to_nothing(client, factory, team):
    other = factory.member("scale")
    foreign = new_assistant(client, other, "Theirs")
    assert get(client, team, assistantId=foreign)["count"] == 0


def test_csv_export_takes_the_same_filters(client, team):
    query = {"teamId": team.team_id, "q": "ava", "sort": "number"}
    response = client.get("/api/phone-numbers/export", query_string=query, headers=team.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["phone_number"] for row in rows] == [f"+1415555000{i}" for i in (1, 3, 5)]
    assert {row["assistant"] for row in rows} == {"Ava"}
    bad = client.get(
        "/api/phone-numbers/export",
        query_string={"teamId": team.team_id, "status": "x"},
        headers=team.headers,
    )
    assert "status" in assert_error(bad, 400, "invalid_request")["error"]["fields"]
    assert client.get("/api/phone-numbers/export", query_string=query).status_code == 401


def test_an_assistant_id_of_the_documented_shape_that_cannot_exist_matches_nothing(client, team):
    # The OpenAPI pattern allows letters our ids never use (i, l, o, u): no match, not a 400.
    assert get(client, team, assistantId="asst_" + "u" * 26)["count"] == 0


def test_cursors_know_every_sort():
    from app.numbers import cursor, listing

    assert set(cursor.SORTS) == set(listing.SORT_CHOICES)


def test_a_cached_list_is_kept_apart_per_filter(app, client, team):
    assert app.config["LIST_CACHE_SECONDS"]  # the list is cached in this configuration
    whole = get(client, team)
    assert get(client, team, q="555-0001")["count"] == 1  # not the whole list's cached body
    assert get(client, team, q="555-0002")["count"] == 1
    assert get(client, team) == whole
    numbers = numbers_of(get(client, team, sort="number"))
    assert numbers == sorted(numbers) and numbers != numbers_of(whole)
