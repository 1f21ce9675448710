"""One-click buy: the htmx fragment, the plain-POST fallback, refusals, CSRF."""

import json

from app import idempotency
from app.extensions import db
from app.models import IdempotencyRecord, PhoneNumber
from app.providers.base import ProviderError
from tests.helpers import TRIAL_DAYS
from tests.pages.helpers import HTMX, buy, csrf_token, numbers_url, search_url, soup


def held(app, team_id=None) -> list[str]:
    with app.app_context():
        query = db.select(PhoneNumber.phone_number).where(PhoneNumber.status == "active")
        if team_id:
            query = query.where(PhoneNumber.team_id == team_id)
        return list(db.session.scalars(query))


def test_htmx_buy_turns_the_cell_into_purchased_and_updates_the_banner(app, client, member):
    response = buy(client, member.team_id, "+14155550100")
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.find("html") is None
    cell = fragment.select_one("td#buy-14155550100")
    assert cell["data-outcome"] == "purchased"
    assert cell.select_one(".outcome-ok").get_text(strip=True) == "Purchased ✓"
    with app.app_context():
        bought = db.session.scalar(db.select(PhoneNumber))
    assert cell.select_one("a")["href"] == f"{numbers_url(member.team_id)}#number-{bought.id}"
    banner = fragment.select_one("#plan-banner[hx-swap-oob=true]")
    assert (
        banner.select_one("#plan-headline").get_text(strip=True)
        == f"Trial: 1 number for {TRIAL_DAYS} days"
    )
    assert held(app, member.team_id) == ["+14155550100"]
    # The Free plan is now full: the other Buy buttons disable themselves, saying why.
    assert json.loads(response.headers["HX-Trigger"])["plan-full"]["reason"]
    notice = fragment.select_one("#offers-notice[hx-swap-oob=true]")
    assert "Starter plan allows 3 numbers" in notice.get_text()


def test_a_full_plan_renders_disabled_buy_buttons_with_the_reason(client, member):
    buy(client, member.team_id, "+14155550100")
    page = soup(client.get(search_url(member.team_id), query_string={"country": "US"}))
    assert page.select_one("fieldset#offers").has_attr("disabled")
    assert all(b.has_attr("disabled") for b in page.select("button[data-buy]"))
    notice = page.select_one("#offers-notice")
    assert not notice.has_attr("hidden")
    assert "used its free trial" in notice.get_text()
    assert page.select_one("fieldset#offers")["data-disable-on"] == "plan-full"


def test_a_second_buy_beyond_the_plan_is_refused_inline(app, client, member):
    buy(client, member.team_id, "+14155550100")
    response = buy(client, member.team_id, "+14155550101")
    assert response.status_code == 403
    cell = soup(response).select_one("td#buy-14155550101")
    assert cell["data-outcome"] == "limit"
    assert (
        cell.select_one("[role=alert]")
        .get_text(strip=True)
        .startswith("This team has used its free trial number.")
    )
    assert "plan-full" in json.loads(response.headers["HX-Trigger"])
    assert held(app) == ["+14155550100"]


def test_a_paid_team_sees_its_count_in_the_banner(client, factory, auth):
    growth = factory.member("growth")
    auth.sign_in(growth)
    buy(client, growth.team_id, "+14155550100")
    response = buy(client, growth.team_id, "+14155550101")
    banner = soup(response).select_one("#plan-banner")
    assert banner.select_one("#plan-headline").get_text(strip=True) == "2 of 10 numbers · Growth"
    assert "HX-Trigger" not in response.headers  # not full yet


def test_a_number_just_taken_says_so_and_offers_a_fresh_search(app, client, factory, auth, member):
    rival = factory.member("growth")
    rival_client = app.test_client()
    from tests.pages.helpers import Auth

    Auth(rival_client).sign_in(rival)
    assert buy(rival_client, rival.team_id, "+14155550100").status_code == 200
    response = buy(client, member.team_id, "+14155550100")
    assert response.status_code == 409
    cell = soup(response).select_one("td#buy-14155550100")
    assert cell["data-outcome"] == "taken"
    link = cell.select_one("a[hx-get]")
    assert link["href"] == f"{search_url(member.team_id)}?country=US&area_code=415"
    assert held(app, member.team_id) == []


def test_a_double_click_never_buys_twice(app, client, factory, auth):
    growth = factory.member("growth")
    auth.sign_in(growth)
    token = csrf_token(client, search_url(growth.team_id))
    first = buy(client, growth.team_id, "+14155550100", token=token)
    second = buy(client, growth.team_id, "+14155550100", token=token)
    assert (first.status_code, second.status_code) == (200, 409)
    assert held(app) == ["+14155550100"]


def test_a_provider_failure_buys_nothing_and_offers_a_retry(app, client, member, monkeypatch):
    provider = app.extensions["phone_provider"]

    def broken(*args, **kwargs):
        raise ProviderError("Telnyx answered 503.")

    monkeypatch.setattr(provider, "order", broken)
    response = buy(client, member.team_id, "+14155550100")
    assert response.status_code == 502
    cell = soup(response).select_one("td#buy-14155550100")
    assert cell["data-outcome"] == "failed"
    assert "Nothing was bought" in cell.select_one("[role=alert]").get_text()
    assert cell.select_one("button[data-buy]").get_text(strip=True).startswith("Try again")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber)) == 0


def test_without_javascript_buy_posts_and_redirects(app, client, member):
    response = buy(client, member.team_id, "+14155550100", htmx=False)
    assert response.status_code == 302
    assert response.location.startswith(numbers_url(member.team_id) + "#number-pn_")
    page = soup(client.get(numbers_url(member.team_id)))
    assert "Bought +14155550100" in page.select_one("#flashes .flash-success").get_text()
    refused = buy(client, member.team_id, "+14155550101", htmx=False)
    assert refused.status_code == 303
    assert refused.location == f"{search_url(member.team_id)}?country=US&area_code=415"
    page = soup(client.get(refused.location))
    assert "used its free trial" in page.select_one("#flashes .flash-error").get_text()


def test_buy_without_the_csrf_token_fails_and_buys_nothing(app, client, member):
    data = {"phone_number": "+14155550100"}
    assert client.post(numbers_url(member.team_id), data=data).status_code == 400
    response = client.post(numbers_url(member.team_id), data=data, headers=HTMX)
    assert response.status_code == 400
    assert soup(response).find("html") is None
    assert held(app) == []


def test_an_invalid_number_is_refused_in_the_apis_words(app, client, member):
    response = buy(client, member.team_id, "+1415")
    assert response.status_code == 400
    assert soup(response).select_one("[role=alert]").get_text(strip=True) == (
        "Phone number is not a valid number."
    )


def test_every_buy_button_carries_its_own_idempotency_key(client, factory, auth):
    growth = factory.member("growth")
    auth.sign_in(growth)
    query = {"country": "US", "area_code": "415", "limit": "3"}
    keys = [
        field["value"]
        for _ in range(2)
        for field in soup(client.get(search_url(growth.team_id), query_string=query)).select(
            "form.buy-form input[name=idempotency_key]"
        )
    ]
    assert len(keys) == 6 and len(set(keys)) == 6
    assert all(len(key) >= 20 for key in keys)


def test_the_same_key_twice_buys_once_and_answers_the_same(app, client, factory, auth):
    growth = factory.member("growth")
    auth.sign_in(growth)
    first = buy(client, growth.team_id, "+14155550100", key="click-1")
    second = buy(client, growth.team_id, "+14155550100", key="click-1")
    assert (first.status_code, second.status_code) == (200, 200)
    with app.app_context():
        (number,) = db.session.scalars(db.select(PhoneNumber)).all()
    for response in (first, second):
        cell = soup(response).select_one("td#buy-14155550100")
        assert cell["data-outcome"] == "purchased"
        assert cell.select_one("a")["href"].endswith(f"#number-{number.id}")
    # Without JavaScript a resent POST lands on the same number too.
    again = buy(client, growth.team_id, "+14155550100", key="click-1", htmx=False)
    assert again.location == f"{numbers_url(growth.team_id)}#number-{number.id}"
    # A new click (a new key) is a new purchase attempt: the number is already ours.
    assert buy(client, growth.team_id, "+14155550100", key="click-2").status_code == 409


def test_a_refusal_is_replayed_for_its_key_too(app, client, member):
    buy(client, member.team_id, "+14155550100", key="a")
    refused = buy(client, member.team_id, "+14155550101", key="b")
    replayed = buy(client, member.team_id, "+14155550101", key="b")
    assert refused.status_code == replayed.status_code == 403
    assert soup(replayed).select_one("td#buy-14155550101")["data-outcome"] == "limit"
    assert held(app) == ["+14155550100"]


def test_a_provider_failure_frees_the_key_for_a_retry(app, client, factory, auth, monkeypatch):
    growth = factory.member("growth")
    auth.sign_in(growth)
    provider = app.extensions["phone_provider"]
    real_order = provider.order

    def broken(*args, **kwargs):
        raise ProviderError("Telnyx answered 503.")

    monkeypatch.setattr(provider, "order", broken)
    assert buy(client, growth.team_id, "+14155550100", key="k").status_code == 502
    monkeypatch.setattr(provider, "order", real_order)
    assert buy(client, growth.team_id, "+14155550100", key="k").status_code == 200
    assert held(app) == ["+14155550100"]


def test_a_click_still_being_bought_says_so_and_buys_nothing_more(app, client, factory, auth):
    growth = factory.member("growth")
    auth.sign_in(growth)
    with app.app_context():  # the first request with this key is still running
        request_print = idempotency.fingerprint("buy", "+14155550100")
        db.session.add(
            IdempotencyRecord(team_id=growth.team_id, key="page-buy:k", fingerprint=request_print)
        )
        db.session.commit()
    response = buy(client, growth.team_id, "+14155550100", key="k")
    assert response.status_code == 409
    cell = soup(response).select_one("td#buy-14155550100")
    assert cell["data-outcome"] == "busy"
    assert "Still buying +14155550100" in cell.get_text()
    assert held(app) == []
