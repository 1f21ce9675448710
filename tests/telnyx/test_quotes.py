"""Purchase quotes on Telnyx, which prices a number only in a search: a quote asks a search
for exactly that number, and buying asks again, refusing a price that moved since."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.exceptions import NumberUnavailable, PriceChanged
from app.extensions import db
from app.models import PhoneNumber, PurchaseQuote, utcnow
from app.numbers.quotes import buy_with_quote, forget_old_quotes, make_quote
from tests.factories import actor_of
from tests.telnyx import NUMBER

SEARCH = "/v2/available_phone_numbers"


def test_a_quote_is_telnyxs_price_now_and_buys_at_it(app, factory, fake):
    member = factory.member("growth")
    with app.app_context():
        quote = make_quote(actor_of(member), NUMBER)
        assert (str(quote.setup_price), str(quote.monthly_price)) == ("0.50", "1.50")
        (asked,) = fake.requests_to("GET", SEARCH)
        assert asked.query["filter[phone_number][contains]"] == "4155550123"
        assert asked.query["filter[country_code]"] == "US"
        bought = buy_with_quote(actor_of(member), quote)
        number = db.session.get(PhoneNumber, bought.number.id)
        assert (number.status, str(number.setup_price), str(number.monthly_price)) == (
            "active",
            "0.50",
            "1.50",
        )
        assert len(fake.requests_to("GET", SEARCH)) == 2  # asked again before buying


def test_a_price_telnyx_changed_since_the_quote_buys_nothing(app, factory, fake):
    member = factory.member("growth")
    with app.app_context():
        quote = make_quote(actor_of(member), NUMBER)
        offered = next(i for i in fake.available if i["phone_number"] == NUMBER)
        offered["cost_information"]["monthly_cost"] = "2.50"
        with pytest.raises(PriceChanged) as refused:
            buy_with_quote(actor_of(member), quote)
        assert refused.value.extra["quote"]["monthlyPrice"] == "2.50"
        assert db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber)) == 0
        assert fake.requests_to("POST", "/v2/number_orders") == []


def test_a_number_telnyx_no_longer_offers_cannot_be_quoted(app, factory, fake):
    member = factory.member("growth")
    with app.app_context(), pytest.raises(NumberUnavailable):
        make_quote(actor_of(member), "+14155550199")


def test_quotes_a_day_past_their_end_are_forgotten(app, factory):
    member = factory.member("growth")
    with app.app_context():
        old = make_quote(actor_of(member), NUMBER)
        recent = make_quote(actor_of(member), NUMBER)
        old.expires_at = utcnow() - timedelta(days=1, minutes=1)
        recent.expires_at = utcnow() - timedelta(hours=23)
        db.session.commit()
        assert forget_old_quotes() == 1
        assert db.session.scalars(db.select(PurchaseQuote.id)).all() == [recent.id]
