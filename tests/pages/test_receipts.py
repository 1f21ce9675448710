"""An order's receipt: what each number cost (setup and first month), the total, when and by
whom, the order id as issued, and "assign these N" as the next step (a plain GET form)."""

from __future__ import annotations

from app.extensions import db
from app.models import PhoneNumber
from tests.pages.helpers import soup, text
from tests.pages.test_cart import buy_cart, hold


def _order_page(client, member, numbers):
    for number in numbers:
        assert hold(client, member.team_id, number).status_code == 200
    response, _ = buy_cart(client, member.team_id)
    assert response.status_code == 303
    return response.headers["Location"], soup(client.get(response.headers["Location"]))


def test_the_order_page_shows_each_charge_the_total_when_and_by_whom(client, factory, auth):
    owner = factory.member("starter")
    auth.sign_in(owner)
    url, page = _order_page(client, owner, ["+14155550100", "+14155550102"])

    order_id = url.rsplit("/", 1)[1]
    assert order_id.startswith("ord_")
    assert text(page.select_one("#order-id")) == order_id  # as issued, not upper-cased
    assert page.select_one("#order-id").find_parent(class_="eyebrow") is None
    rows = [[text(td) for td in row.select("td")] for row in page.select("#receipt-lines tbody tr")]
    assert rows == [
        ["(415) 555-0100", "$1.00", "$1.00", "$2.00"],
        ["(415) 555-0102", "$1.00", "$1.00", "$2.00"],
    ]
    assert text(page.select_one("#receipt-total [data-role=total]")) == "$4.00"
    meta = page.select_one("#receipt-meta")
    assert text(meta.select_one("[data-role=buyer]")) == "User 1"
    when = meta.select_one("time")
    assert when["datetime"].endswith("Z") and text(when).endswith("UTC")


def test_a_trial_is_charged_nothing(client, factory, auth):
    owner = factory.member("free")
    auth.sign_in(owner)
    _url, page = _order_page(client, owner, ["+14155550100"])
    assert text(page.select_one("#receipt-lines [data-role=charged]")) == "$0.00 (free trial)"
    assert text(page.select_one("#receipt-total [data-role=total]")) == "$0.00"


def test_assign_these_n_leads_to_the_selection_review_without_javascript(
    app, client, factory, auth
):
    owner = factory.member("starter")
    ava = factory.assistant(owner, "Ava")
    auth.sign_in(owner)
    _url, page = _order_page(client, owner, ["+14155550100", "+14155550102"])
    form = page.select_one("form#assign-order")
    assert form["method"] == "get"
    assert "assign these 2" in text(form.select_one("h2")).lower()
    with app.app_context():
        bought = set(db.session.scalars(db.select(PhoneNumber.id)))
    ids = [i["value"] for i in form.select("input[name=ids]")]
    assert set(ids) == bought and len(ids) == 2
    assert [o["value"] for o in form.select("select[name=action] option")] == [f"assign:{ava}"]

    review = client.get(form["action"], query_string={"ids": ids, "action": f"assign:{ava}"})
    assert review.status_code == 200
    listed = text(soup(review).select_one("main"))
    assert "(415) 555-0100" in listed and "(415) 555-0102" in listed


def test_with_no_assistant_the_next_step_is_to_make_one(client, factory, auth):
    owner = factory.member("starter")
    auth.sign_in(owner)
    _url, page = _order_page(client, owner, ["+14155550100"])
    step = page.select_one("#assign-order")
    assert step.name == "p" and "create an assistant" in text(step)


def test_an_order_that_bought_nothing_says_nothing_was_charged(app, client, factory, auth):
    owner = factory.member("starter")
    other = factory.member("starter")
    auth.sign_in(owner)
    assert hold(client, owner.team_id, "+14155550100").status_code == 200
    factory.number(other, "+14155550104")  # taken meanwhile: this one will be unavailable
    with app.app_context():
        from app.models import CartItem

        item = db.session.scalars(db.select(CartItem)).one()
        item.phone_number = "+14155550104"
        db.session.commit()
    response, _ = buy_cart(client, owner.team_id)
    page = soup(client.get(response.headers["Location"]))
    assert text(page.select_one("#receipt-nothing")).startswith("Nothing was charged")
    assert page.select_one("#assign-order") is None
