"""One number, one holder, whatever the spelling: only ASCII-digit E.164 is accepted where the
contract says digits, and every number is stored in one canonical spelling, so the database's
unique index holds for any client (API, pages) or provider."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import HELD, PhoneNumber
from tests.helpers import assert_error, buy, search
from tests.pages.helpers import Auth, soup, text
from tests.pages.helpers import buy as page_buy

HELD_NUMBER = "+14155550101"
SPELLINGS = {
    "devanagari digits": "+1\u096a\u0967\u096b5550101",
    "arabic-indic digits": "+1\u0664\u0661\u06655550101",
    "extended arabic-indic": "+1\u06f4\u06f1\u06f55550101",
    "fullwidth digits": "+\uff11\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff10\uff11",
    "fullwidth plus": "\uff0b14155550101",
    "superscript one": "+\u00b94155550101",
    "bengali digits": "+1\u09ea\u09e7\u09eb5550101",
    "spaces": "+1 415 555 0101",
    "national format": "+1 (415) 555-0101",
    "no plus": "14155550101",
    "trailing newline": "+14155550101\n",
    "zero-width space": "+1415\u200b5550101",
}


def holders(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(PhoneNumber.team_id, PhoneNumber.phone_number).where(
                PhoneNumber.status.in_(HELD)
            )
        )
        return rows.all()


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_another_spelling_of_a_held_number_is_refused_on_the_api(app, client, factory, spelling):
    first, second = factory.member("growth"), factory.member("growth")
    assert buy(client, first, HELD_NUMBER).status_code == 200
    body = assert_error(buy(client, second, spelling), 400, "invalid_request")
    assert "phoneNumber" in body["error"]["fields"]
    assert holders(app) == [(first.team_id, HELD_NUMBER)]


def test_another_spelling_is_refused_on_the_buy_button(app, client, factory):
    first, second = factory.member("growth"), factory.member("growth")
    assert buy(client, first, HELD_NUMBER).status_code == 200
    Auth(client).sign_in(second)
    for spelling in SPELLINGS.values():
        response = page_buy(client, second.team_id, spelling)
        assert response.status_code == 400, spelling
        cell = soup(response).select_one("td.offer-action")
        assert cell["data-outcome"] == "failed"
        assert "E.164" in text(cell.select_one("[role=alert]"))
    assert holders(app) == [(first.team_id, HELD_NUMBER)]


@pytest.mark.parametrize(
    "area", ["\u096a\u0967\u096b", "\u0664\u0661\u0665", "\uff14\uff11\uff15", "4\u00b95"]
)
def test_search_area_codes_are_ascii_digits(client, factory, area):
    member = factory.member("growth")
    body = assert_error(search(client, member, areaCode=area), 400, "invalid_request")
    assert "filters.areaCode" in body["error"]["fields"]


@pytest.mark.parametrize("area", ["\u096a\u0967\u096b", "\uff14\uff11\uff15"])
def test_the_search_page_refuses_unicode_digits_on_the_field(client, factory, area):
    member = factory.member("growth")
    Auth(client).sign_in(member)
    for query in (f"area_code={area}", "area_code=415&limit=\u0663", "area_code=415&limit=\u00b2"):
        response = client.get(f"/teams/{member.team_id}/search?country=US&{query}")
        assert response.status_code == 400, query
        page = soup(response)
        assert page.select(".field-error"), query
        assert not page.select("tr[data-number]")  # nothing was searched


def test_the_database_refuses_a_second_spelling_and_a_second_holder(app, factory):
    first, second = factory.member("growth"), factory.member("growth")
    factory.number(first, HELD_NUMBER)
    with app.app_context(), pytest.raises(ValueError, match="canonical E.164"):
        PhoneNumber(team_id=second.team_id, phone_number=SPELLINGS["devanagari digits"])
    with pytest.raises(IntegrityError):  # the partial unique index, on SQLite and PostgreSQL
        factory.number(second, HELD_NUMBER, provider_number_id="other", customer_reference="r2")
    with app.app_context():
        db.session.rollback()
    assert holders(app) == [(first.team_id, HELD_NUMBER)]
