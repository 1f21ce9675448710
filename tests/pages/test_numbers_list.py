"""The Numbers page at scale: search and filters, sort headers, bulk actions, costs and CSV."""

import csv
import io
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import PhoneNumber
from tests.factories import seed
from tests.pages.helpers import HTMX, csrf_token, numbers_url, soup, text


def numbers_in(page) -> list[str]:
    return [row["data-number"] for row in page.select("#numbers-table tbody tr[data-number]")]


def ids_in(page) -> dict[str, str]:
    return {
        row["data-number"]: row["id"].removeprefix("number-")
        for row in page.select("#numbers-table tbody tr[data-number]")
    }


@pytest.fixture
def team(app, factory, auth):
    """A signed-in owner of a Scale team with 60 numbers, the odd ones answered by Ava."""
    owner = factory.member("scale")
    seed(app, owner, 60)
    auth.sign_in(owner)
    return owner


def test_a_big_team_sees_one_page_of_rows_and_one_copy_of_the_assistants(client, team):
    page = soup(client.get(numbers_url(team.team_id)))
    assert len(numbers_in(page)) == 50
    # Each assistant's name is an option twice on the page (the filter, the bulk action),
    # not once per row.
    options = page.select("option[value^=asst_], option[value^='assign:asst_']")
    assert len(options) == 2


def test_the_filter_form_works_without_javascript(client, team):
    page = soup(client.get(numbers_url(team.team_id)))
    form = page.select_one("form#numbers-filters")
    assert form["method"] == "get" and form["action"] == numbers_url(team.team_id)
    names = {field["name"] for field in form.select("input[name], select[name]")}
    assert names == {"q", "status", "assistantId", "numberType", "countryCode", "sort"}
    # htmx refreshes the table only, the newest request wins, and the old table reads as
    # stale (takes no clicks) until the new one arrives.
    assert (form["hx-get"], form["hx-target"]) == (numbers_url(team.team_id), "#numbers-table")
    assert (form["hx-sync"], form["hx-indicator"]) == ("this:replace", "#numbers-table")

    found = soup(client.get(numbers_url(team.team_id), query_string={"q": "555-0042"}))
    assert numbers_in(found) == ["+14155550042"]
    assert text(found.select_one("#numbers-count")) == "1 number matches the filters"
    assert found.select_one("#filter-q")["value"] == "555-0042"


def test_htmx_gets_the_table_alone(client, team):
    sent = {"q": "ava", "status": "", "assistantId": "", "sort": "-created"}
    response = client.get(numbers_url(team.team_id), query_string=sent, headers=HTMX)
    # The address bar gets the short spelling, not every empty field the form sent.
    assert response.headers["HX-Push-Url"] == numbers_url(team.team_id) + "?q=ava"
    fragment = soup(response)
    assert fragment.find("html") is None and fragment.select_one("#numbers-filters") is None
    assert len(numbers_in(fragment)) == 30
    assert text(fragment.select_one("#numbers-count")) == "30 numbers match the filters"


def test_paging_keeps_the_filters(client, team):
    first = soup(client.get(numbers_url(team.team_id), query_string={"q": "ava", "sort": "number"}))
    shown = numbers_in(first)
    assert len(shown) == 30 and shown == sorted(shown)
    assert first.select_one("#numbers-older") is None  # 30 fit one page
    everyone = soup(client.get(numbers_url(team.team_id), query_string={"sort": "number"}))
    nxt = everyone.select_one("#numbers-older")["href"]
    assert parse_qs(urlsplit(nxt).query)["sort"] == ["number"]
    rest = numbers_in(soup(client.get(nxt)))
    assert len(rest) == 10 and rest == sorted(rest) and rest[0] > numbers_in(everyone)[-1]


def test_sort_headers_flip_and_say_which_way(client, team):
    page = soup(client.get(numbers_url(team.team_id)))
    purchased = page.select_one("th[aria-sort]")
    assert purchased["aria-sort"] == "descending"
    number_link = page.select_one("a.sort-link[data-sort=number]")
    by_number = soup(client.get(number_link["href"]))
    assert numbers_in(by_number)[:2] == ["+14155550000", "+14155550001"]
    header = by_number.select_one("th[aria-sort]")
    assert header["aria-sort"] == "ascending"
    flipped = soup(client.get(header.select_one("a")["href"]))
    assert numbers_in(flipped)[0] == "+14155550059"


def test_bad_filters_are_named_and_the_list_stays(client, team):
    response = client.get(numbers_url(team.team_id), query_string={"status": "gone"})
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#filter-errors li[data-field=status]")
    assert len(numbers_in(page)) == 50


def test_no_match_says_so_and_offers_the_whole_list(client, team):
    page = soup(client.get(numbers_url(team.team_id), query_string={"q": "nobody"}))
    assert page.select_one("#numbers-none-match a")["href"] == numbers_url(team.team_id)
    assert page.select_one("#numbers-filters")  # still there, to change the search


def form_fields(form) -> MultiDict:
    return MultiDict([(i["name"], i["value"]) for i in form.select("input[name]")])


def review(client, team, action: str, numbers: list[str], **filters):
    page = soup(client.get(numbers_url(team.team_id), query_string={"sort": "number"}))
    form = page.select_one("form#bulk-form")
    ids = ids_in(page)
    query = [("action", action), *[("ids", ids[n]) for n in numbers], *filters.items()]
    return client.get(form["action"], query_string=query)


def test_releasing_a_selection_confirms_once_listing_them(app, client, team, release_at_once):
    page = soup(client.get(numbers_url(team.team_id), query_string={"sort": "number"}))
    for number in ["+14155550003", "+14155550004"]:
        box = page.select_one(f"tr[data-number='{number}'] input[data-role=select-number]")
        assert box["form"] == "bulk-form"  # belongs to the bulk form outside the table
    response = review(client, team, "release", ["+14155550003", "+14155550004"], q="555")
    assert response.status_code == 200
    confirm = soup(response)
    assert text(confirm.select_one("h1")) == "Release 2 numbers?"
    listed = [li["data-number"] for li in confirm.select("#selection-list tbody tr")]
    assert listed == ["+14155550003", "+14155550004"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PhoneNumber)) == 60
    form = confirm.select_one("#selection-confirm").find_parent("form")
    fields = [(i["name"], i["value"]) for i in form.select("input[name]")]
    done = client.post(form["action"], data=MultiDict(fields))
    assert done.status_code == 302
    assert parse_qs(urlsplit(done.location).query) == {"q": ["555"]}  # back to the same list
    after = soup(client.get(done.location))
    assert "+14155550003" not in numbers_in(after) and "+14155550004" not in numbers_in(after)
    assert text(after.select_one("#flashes .flash-success")) == (
        "Released 2: (415) 555-0003, (415) 555-0004."
    )


def test_assigning_and_unassigning_a_selection(app, client, team, factory):
    nova = factory.assistant(team, "Nova")
    chosen = ["+14155550000", "+14155550001"]
    confirm = soup(review(client, team, f"assign:{nova}", chosen))
    assert text(confirm.select_one("h1")) == "Assign 2 numbers to Nova?"
    form = confirm.select_one("#selection-confirm").find_parent("form")
    client.post(form["action"], data=form_fields(form))
    with app.app_context():
        names = dict(
            db.session.execute(
                sa.select(PhoneNumber.phone_number, PhoneNumber.assistant_id).where(
                    PhoneNumber.phone_number.in_(chosen)
                )
            ).all()
        )
    assert names == {number: nova for number in chosen}

    confirm = soup(review(client, team, "unassign", chosen))
    form = confirm.select_one("#selection-confirm").find_parent("form")
    client.post(form["action"], data=form_fields(form))
    page = soup(client.get(numbers_url(team.team_id), query_string={"assistantId": "none"}))
    assert set(chosen) <= set(numbers_in(page))


def test_a_member_is_not_offered_release_and_is_refused_it(app, client, factory, auth, team):
    member = factory.member(team_id=team.team_id, role="member")
    auth.sign_out()
    auth.sign_in(member)
    page = soup(client.get(numbers_url(team.team_id), query_string={"sort": "number"}))
    actions = [o["value"] for o in page.select("#bulk-action option")]
    assert "release" not in actions and "unassign" in actions
    assert review(client, team, "release", ["+14155550000"]).status_code == 403
    token = csrf_token(client, numbers_url(team.team_id))
    ids = ids_in(page)
    response = client.post(
        f"{numbers_url(team.team_id)}/selection",
        data={"action": "release", "ids": ids["+14155550000"], "csrf_token": token},
    )
    assert response.status_code == 403
    kept = client.get(numbers_url(team.team_id), query_string={"q": "555-0000"})
    assert numbers_in(soup(kept)) == ["+14155550000"]


def test_an_empty_selection_goes_back_with_a_message(client, team):
    response = review(client, team, "unassign", [])
    assert response.status_code == 302
    page = soup(client.get(response.location))
    assert text(page.select_one("#flashes .flash-error")) == "Select at least one number first."


def test_costs_in_all_and_per_assistant(app, client, team):
    with app.app_context():
        db.session.execute(sa.update(PhoneNumber).values(monthly_price=Decimal("1.00")))
        db.session.commit()
    page = soup(client.get(numbers_url(team.team_id)))
    assert text(page.select_one("[data-role=monthly-total]")) == "$60.00"
    rows = {
        row["data-assistant"]: [text(cell) for cell in row.select("th, td")]
        for row in page.select("#costs-per-assistant tbody tr")
    }
    assert [cells for key, cells in rows.items() if key != "none"] == [["Ava", "30", "$30.00"]]
    assert rows["none"] == ["Unassigned", "30", "$30.00"]


def test_csv_keeps_the_filters_and_holds_every_match(client, team):
    page = soup(client.get(numbers_url(team.team_id), query_string={"q": "ava"}))
    link = page.select_one("#numbers-csv")
    assert parse_qs(urlsplit(link["href"]).query) == {"q": ["ava"]}
    response = client.get(link["href"])
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 30 and {row["assistant"] for row in rows} == {"Ava"}
    everything = client.get(numbers_url(team.team_id) + ".csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 60  # not only one page


def test_no_action_chosen_goes_back_and_says_so(client, team):
    page = soup(client.get(numbers_url(team.team_id), query_string={"sort": "number"}))
    assert page.select_one("#bulk-action option[selected], #bulk-action option")["value"] == ""
    response = review(client, team, "", ["+14155550000"])
    assert response.status_code == 302
    after = soup(client.get(response.location))
    assert text(after.select_one("#flashes .flash-error")) == (
        "Choose what to do with the selected numbers."
    )


def test_a_handful_of_numbers_shows_no_filter_form(app, client, factory, auth):
    owner = factory.member("scale")
    seed(app, owner, 10)
    auth.sign_in(owner)
    assert soup(client.get(numbers_url(owner.team_id))).select_one("#numbers-filters") is None
    # A filter in the address still shows the form, to change or clear it.
    narrowed = soup(client.get(numbers_url(owner.team_id), query_string={"q": "555"}))
    assert narrowed.select_one("#numbers-filters")
    factory.number(owner, "+12125550100")
    assert soup(client.get(numbers_url(owner.team_id))).select_one("#numbers-filters")


def test_more_than_the_maximum_at_once_goes_back_and_says_so(
    app, client, factory, auth, monkeypatch
):
    from app.numbers import bulk

    monkeypatch.setattr(bulk, "MAX_BULK", 3)  # 1,000 in production: the same rule, smaller
    owner = factory.member("scale")
    seed(app, owner, 4)
    auth.sign_in(owner)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(PhoneNumber.id)))
    query = [("action", "unassign"), *[("ids", number_id) for number_id in ids]]
    response = client.get(f"{numbers_url(owner.team_id)}/selection", query_string=query)
    assert response.status_code == 302
    after = soup(client.get(response.location))
    assert text(after.select_one("#flashes .flash-error")) == "Choose at most 3 numbers at once."


def test_the_type_filter_offers_every_type_a_number_is_held_as(app, client, team):
    from app.phone import NUMBER_TYPES

    page = soup(client.get(numbers_url(team.team_id)))
    offered = [o["value"] for o in page.select("select#filter-type option") if o["value"]]
    assert offered == list(NUMBER_TYPES)
    with app.app_context():
        db.session.execute(
            sa.update(PhoneNumber)
            .where(PhoneNumber.phone_number == "+14155550007")
            .values(number_type="mobile")
        )
        db.session.commit()
    found = soup(client.get(numbers_url(team.team_id), query_string={"numberType": "mobile"}))
    assert numbers_in(found) == ["+14155550007"]
    chosen = found.select_one("select#filter-type option[selected]")
    assert chosen["value"] == "mobile"


def test_the_country_filter_is_the_searchs_country_select(app, client, factory, team):
    factory.number(team, "+442079460000", country_code="GB")
    page = soup(client.get(numbers_url(team.team_id)))
    options = [(o["value"], text(o)) for o in page.select("select#filter-country option")]
    search = soup(client.get(f"/teams/{team.team_id}/search"))
    searched = [(o["value"], text(o)) for o in search.select("select#country option")]
    assert options == [("", "Any"), *searched]
    assert ("GB", "United Kingdom") in options and ("SZ", "Eswatini") in options
    chosen = soup(client.get(numbers_url(team.team_id), query_string={"countryCode": "GB"}))
    assert chosen.select_one("#filter-country option[selected]")["value"] == "GB"
    assert numbers_in(chosen) == ["+442079460000"]
