"""Purchase requests on the pages: a member's Buy (search or cart) sent for approval, the
Requests page where owners and admins approve or deny, the header's count, and History."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import PhoneNumber, PurchaseRequest
from tests.factories import ask, guard, hold
from tests.helpers import bought_id, sandbox_number
from tests.pages.helpers import HTMX, Auth, buy, csrf_token, numbers_url, search_url, soup, text

NUMBER = sandbox_number("415", 7)


def requests_url(team_id: str) -> str:
    return f"/teams/{team_id}/requests"


def decide(client, team_id: str, request_id: str, decision: str, htmx=True, **form):
    token = csrf_token(client, requests_url(team_id))
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    url = f"{requests_url(team_id)}/{request_id}/{decision}"
    return client.post(url, data={**form, "csrf_token": token}, headers=headers)


def numbers(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(PhoneNumber.phone_number)))


@pytest.fixture
def team(factory):
    """A Growth team with approvals on: its owner, an admin and a member (nobody signed in)."""
    return factory.approving_team()


def signed_in(app, who):
    client = app.test_client()
    assert Auth(client).sign_in(who).status_code == 302
    return client


def test_a_members_buy_says_sent_for_approval_and_when_the_hold_ends(app, team):
    owner, _admin, member = team
    client = signed_in(app, member)
    page = soup(
        client.get(
            search_url(owner.team_id),
            query_string={"country": "US", "area_code": "415", "limit": "3"},
        )
    )
    assert {text(b.select_one(".buy-label")) for b in page.select("button[data-buy]")} == {
        "Ask to buy"
    }
    response = buy(client, owner.team_id, NUMBER)
    assert response.status_code == 200
    cell = soup(response).select_one(f"td#buy-{NUMBER[1:]}")
    assert cell["data-outcome"] == "requested"
    with app.app_context():
        request = db.session.scalar(sa.select(PurchaseRequest))
    assert f"held until {request.hold_expires_at:%H:%M} UTC" in text(cell)
    assert cell.select_one("a")["href"] == f"{requests_url(owner.team_id)}#request-{request.id}"
    assert numbers(app) == []


def test_without_javascript_a_members_buy_goes_to_the_requests_page(app, team):
    owner, _admin, member = team
    client = signed_in(app, member)
    response = buy(client, owner.team_id, NUMBER, htmx=False)
    assert response.status_code == 303
    assert "/requests#request-preq_" in response.headers["Location"]
    page = soup(client.get(response.headers["Location"]))
    assert "Sent for approval" in text(page.select_one("#flashes"))
    (row,) = page.select("#waiting-requests tbody tr")
    assert row["data-number"] == NUMBER and row.select_one("button[data-role=approve]") is None


def test_owners_and_admins_see_a_count_in_the_header_and_members_do_not(app, factory, team):
    owner, admin, member = team
    ask(app, member, NUMBER)
    ask(app, member, sandbox_number("415", 8))
    for who, count in ((owner, "2"), (admin, "2")):
        link = soup(signed_in(app, who).get(numbers_url(owner.team_id))).select_one(
            "#requests-link"
        )
        assert link.select_one("[data-waiting]")["data-waiting"] == count
    link = soup(signed_in(app, member).get(numbers_url(owner.team_id))).select_one("#requests-link")
    assert link is not None and link.select_one("[data-waiting]") is None
    # A team with approvals off and nothing waiting has no Requests link at all.
    other = factory.member("growth")
    page = soup(signed_in(app, other).get(numbers_url(other.team_id)))
    assert page.select_one("#requests-link") is None


def test_the_numbers_pages_tag_moves_when_a_request_arrives(app, team):
    owner, _admin, member = team
    client = signed_in(app, owner)
    first = client.get(numbers_url(owner.team_id))
    ask(app, member, NUMBER)
    again = client.get(numbers_url(owner.team_id), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200  # not a stale 304 without the new count
    assert soup(again).select_one("#requests-link [data-waiting]")["data-waiting"] == "1"


def test_approving_with_htmx_buys_it_and_answers_the_panel_and_the_count(app, team):
    owner, admin, member = team
    request_id = ask(app, member, NUMBER)
    ask(app, member, sandbox_number("415", 8))
    client = signed_in(app, admin)
    response = decide(client, owner.team_id, request_id, "approve")
    assert response.status_code == 200
    fragment = soup(response)
    assert text(fragment.select_one("#requests-notice")).startswith(
        "Approved: (415) 555-0107 is bought for User"
    )
    decided = fragment.select_one(f"#decided-requests tr#request-{request_id}")
    assert decided["data-status"] == "approved"
    assert decided.select_one("[data-role=detail] a")["href"].startswith(numbers_url(owner.team_id))
    assert len(fragment.select("#waiting-requests tbody tr")) == 1
    count = fragment.select_one("#requests-link[hx-swap-oob=true] [data-waiting]")
    assert count["data-waiting"] == "1"
    spend = fragment.select_one("#spending[hx-swap-oob=true] #spending-headline")
    assert text(spend).startswith("$2.00 spent in ")  # the number just bought
    assert numbers(app) == [NUMBER]
    # A resent form buys nothing more, and says so.
    again = decide(client, owner.team_id, request_id, "approve")
    assert text(soup(again).select_one("#requests-notice")).startswith("Already approved")
    assert numbers(app) == [NUMBER]


def test_without_javascript_approving_redirects_back_with_a_flash(app, team):
    owner, _admin, member = team
    request_id = ask(app, member, NUMBER)
    client = signed_in(app, owner)
    response = decide(client, owner.team_id, request_id, "approve", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(requests_url(owner.team_id))
    page = soup(client.get(requests_url(owner.team_id)))
    assert "Approved" in text(page.select_one("#flashes"))
    assert page.select_one("#requests-none-waiting")


def test_denying_with_a_note_shows_it_and_the_member_sees_it(app, team):
    owner, _admin, member = team
    request_id = ask(app, member, NUMBER)
    owner_client = signed_in(app, owner)
    page = soup(owner_client.get(requests_url(owner.team_id)))
    deny_form = page.select_one(f"#request-{request_id} details[data-role=deny] form")
    assert deny_form.select_one("input[name=note]")
    response = decide(owner_client, owner.team_id, request_id, "deny", note="Use the main line")
    assert text(soup(response).select_one("#requests-notice")).startswith("Denied User")
    mine = soup(signed_in(app, member).get(requests_url(owner.team_id)))
    row = mine.select_one(f"#decided-requests tr#request-{request_id}")
    assert row["data-status"] == "denied"
    assert text(row.select_one("[data-role=detail]")) == "“Use the main line”"


def test_a_refusal_at_approval_is_shown_in_the_panel(app, factory):
    owner = factory.member("starter")
    member = factory.member(team_id=owner.team_id, role="member")
    guard(app, owner, approval_required=True)
    request_id = ask(app, member, NUMBER)
    client = signed_in(app, owner)
    for index in range(3):
        bought_id(client, owner, sandbox_number("212", index))
    response = decide(client, owner.team_id, request_id, "approve")
    assert response.status_code == 400
    fragment = soup(response)
    assert "Starter plan allows 3 numbers" in text(fragment.select_one("#requests-problem"))
    row = fragment.select_one(f"#decided-requests tr#request-{request_id}")
    assert row["data-status"] == "failed"
    assert "Starter plan" in text(row.select_one("[data-role=detail]"))


def test_a_member_sees_only_their_own_requests(app, factory, team):
    owner, _admin, member = team
    other = factory.member(team_id=owner.team_id, role="member")
    mine = ask(app, member, NUMBER)
    ask(app, other, sandbox_number("415", 8))
    page = soup(signed_in(app, member).get(requests_url(owner.team_id)))
    assert [r["id"] for r in page.select("#waiting-requests tbody tr")] == [f"request-{mine}"]
    assert text(page.select_one(f"#request-{mine} .badge")) == "Waiting"


def test_the_cart_sends_a_members_numbers_for_approval(app, team):
    owner, _admin, member = team
    for index in range(2):
        hold(app, member, sandbox_number("415", index))
    client = signed_in(app, member)
    cart = soup(client.get(f"/teams/{owner.team_id}/cart"))
    assert text(cart.select_one("#buy-cart")) == "Ask to buy 2 numbers"
    form = cart.select_one("#buy-cart-form")
    data = MultiDict([(i["name"], i["value"]) for i in form.select("input[type=hidden]")])
    response = client.post(form["action"], data=data)
    assert response.status_code == 303
    order = soup(client.get(response.headers["Location"]))
    assert text(order.select_one("#order-title")) == "0 of 2 bought, 2 sent for approval"
    rows = order.select("#order-results tbody tr")
    assert [r["data-status"] for r in rows] == ["requested", "requested"]
    assert "/requests#request-preq_" in rows[0].select_one("a")["href"]
    assert numbers(app) == []
    # The cart keeps them held, as waiting: nothing left to buy, nothing to remove.
    cart = soup(client.get(f"/teams/{owner.team_id}/cart"))
    assert len(cart.select("#cart-items [data-role=awaiting]")) == 2
    assert cart.select_one("#cart-items form[action$='/remove']") is None
    assert cart.select_one("#buy-cart-form") is None
    assert text(cart.select_one("#cart-summary-title")) == "0 numbers to buy"


def test_history_tells_each_step(app, team):
    owner, admin, member = team
    approved = ask(app, member, NUMBER)
    denied = ask(app, member, sandbox_number("415", 8))
    client = signed_in(app, admin)
    decide(client, owner.team_id, approved, "approve")
    decide(client, owner.team_id, denied, "deny", note="No")
    page = soup(client.get(f"/teams/{owner.team_id}/history"))
    lines = [text(r.select_one("[data-role=what]")) for r in page.select("#history-table tbody tr")]
    assert lines[0] == "Denied User 3's request to buy (415) 555-0108: “No”"
    assert lines[1] == "Approved User 3's request to buy (415) 555-0107"
    assert lines[2] == "Bought (415) 555-0107"
    assert lines[3].startswith("Asked to buy (415) 555-0108; held until ")


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_the_answer_to_a_decision_takes_the_focus(app, team, decision):
    """The clicked button is swapped away with its row: htmx focuses the element marked
    autofocus in what it swaps in, so the outcome is where a keyboard or screen reader is."""
    owner, _admin, member = team
    request_id = ask(app, member, NUMBER)
    response = decide(signed_in(app, owner), owner.team_id, request_id, decision)
    notice = soup(response).select_one("#requests-notice")
    assert notice.has_attr("autofocus") and notice["tabindex"] == "-1"


def test_a_refused_decision_takes_the_focus_too(app, team):
    owner, admin, member = team
    request_id = ask(app, member, NUMBER)
    decide(signed_in(app, admin), owner.team_id, request_id, "deny")
    response = decide(signed_in(app, owner), owner.team_id, request_id, "approve")
    assert response.status_code == 400
    problem = soup(response).select_one("#requests-problem")
    assert problem.has_attr("autofocus") and problem["tabindex"] == "-1"
