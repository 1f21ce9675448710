"""What Telnyx sends is checked before anyone sees it: unparseable or absurd prices are left
out (counted, never shown as zero or negative), numbers that are not valid are dropped, and
international spellings are turned into E.164."""

from __future__ import annotations

import re

from tests.helpers import search
from tests.pages.helpers import Auth, soup, text

NUMBER, OTHER = "+14155550123", "+14155550124"  # what the fake offers (conftest)

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
MONEY = re.compile(r"[0-9]+\.[0-9]{2}")


def offer_bad_rows(fake) -> None:
    fake.add_available("+14155550130", monthly="1e400")  # overflows any sane price
    fake.add_available("+14155550131", monthly="-5")
    fake.add_available("+14155550132", upfront="NaN")
    fake.add_available("+14155550134", monthly="Infinity")
    fake.add_available("+14155550135")["phone_number"] = "not-a-number"
    fake.add_available("+14155550136")["phone_number"] = "+1\u096a\u0967\u096b5550136"
    fake.add_available("+14155550133")["phone_number"] = "+1 (415) 555-0133"


def test_bad_provider_rows_are_dropped_or_normalised_on_the_api(client, factory, fake):
    offer_bad_rows(fake)
    member = factory.member("growth")
    response = search(client, member, areaCode="415", limit=20)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    numbers = [n["phoneNumber"] for n in body["numbers"]]
    assert numbers == [NUMBER, OTHER, "+14155550133"]
    for offer in body["numbers"]:
        assert E164.fullmatch(offer["phoneNumber"])
        assert MONEY.fullmatch(offer["monthlyPrice"]) and MONEY.fullmatch(offer["setupPrice"])
    assert body["leftOut"]["count"] == 4  # the four rows whose price is not a price


def test_bad_provider_rows_never_reach_the_search_page(client, factory, fake):
    offer_bad_rows(fake)
    member = factory.member("growth")
    Auth(client).sign_in(member)
    page = soup(client.get(f"/teams/{member.team_id}/search?country=US&area_code=415&limit=20"))
    offered = [row["data-number"] for row in page.select("tr[data-number]")]
    assert offered == [NUMBER, OTHER, "+14155550133"]
    assert "-" not in "".join(text(cell) for cell in page.select("td[data-label=Monthly]"))
