"""How the pages show a number between states, and what a country needs before purchase."""

import pytest

from tests.pages.helpers import add_number, buy, numbers_url, search_url, soup, text


def row(client, member, e164):
    page = soup(client.get(numbers_url(member.team_id)))
    return page.select_one(f"#numbers-table tr[data-number='{e164}']")


@pytest.mark.parametrize(
    ("status", "reason", "badge", "note", "releasable"),
    [
        ("reserving", None, "pending", "Confirming the order with the provider.", False),
        ("pending", None, "pending", "The provider is completing the order.", False),
        (
            "pending",
            "documents",
            "pending",
            "Waiting for regulatory documents: the provider cancels the order if they are "
            "not provided by its deadline.",
            False,
        ),
        (
            "releasing",
            "release",
            "releasing",
            "Waiting for the provider to confirm the release.",
            True,
        ),
    ],
)
def test_a_number_between_states_says_why(
    app, client, growth, status, reason, badge, note, releasable
):
    add_number(
        app,
        growth.team_id,
        "+14155550101",
        status=status,
        status_reason=reason,
        provider_order_id="order-1" if status == "pending" else None,
    )
    found = row(client, growth, "+14155550101")
    assert found.select_one("[data-status]")["data-status"] == badge
    assert found.select_one("[data-status]")["data-state"] == status
    assert text(found.select_one("[data-role=status-note]")) == note
    # Releasing again is offered for a release not yet confirmed; not while ordering.
    assert bool(found.select_one("[data-role=release]")) is releasable


def test_a_regulated_country_says_which_documents_before_purchase(client, growth):
    page = soup(
        client.get(search_url(growth.team_id), query_string={"country": "DE", "limit": "3"})
    )
    notice = page.select_one("#documents-notice")
    assert [text(item) for item in notice.select("li")] == [
        "Proof of address: A utility bill or bank statement from the number's area.",
        "Identity document: A passport or national identity card of the end user.",
        "Service address: Where the number is used: street, postal code and city in the "
        "number's area.",
    ]
    plain = soup(client.get(search_url(growth.team_id), query_string={"country": "US"}))
    assert plain.select_one("#documents-notice") is None


def test_a_regulated_purchase_shows_as_waiting_for_documents(client, growth):
    offers = soup(
        client.get(search_url(growth.team_id), query_string={"country": "DE", "limit": "1"})
    )
    e164 = offers.select_one("#offers tbody tr")["data-number"]
    answer = buy(client, growth.team_id, e164)
    assert answer.status_code == 200
    cell = soup(answer).select_one("td.offer-action")
    assert "Ordered ✓ — the provider is still completing it." in text(cell)
    found = row(client, growth, e164)
    assert found.select_one("[data-status]")["data-status"] == "pending"
    assert "regulatory documents" in text(found.select_one("[data-role=status-note]"))


@pytest.mark.parametrize(
    ("status", "purchased"),
    [
        ("reserving", "Not bought yet"),
        ("pending", "Not bought yet"),
        ("active", "01 Nov 2026, 09:30 UTC"),
        ("releasing", "01 Nov 2026, 09:30 UTC"),
    ],
)
def test_only_a_bought_number_shows_a_purchase_date(app, client, growth, status, purchased):
    from datetime import UTC, datetime

    add_number(
        app,
        growth.team_id,
        "+14155550101",
        status=status,
        status_reason="release" if status == "releasing" else None,
        created_at=datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    )
    found = row(client, growth, "+14155550101")
    assert text(found.select_one("td[data-label=Purchased]")) == purchased
