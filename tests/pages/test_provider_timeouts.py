"""A provider that does not answer in time is a 504 on the pages, as in the API: not the 502
of a provider that answered badly (a client and a person may wait and retry a timeout)."""

import pytest

from app.extensions import db
from app.models import PhoneNumber
from app.providers.base import ProviderTimeout
from tests.pages.helpers import HTMX, buy, search_url, soup

US_415 = {"country": "US", "area_code": "415", "number_type": "local", "limit": "5"}


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_search_the_provider_did_not_answer_in_time_is_504(
    app, client, member, monkeypatch, headers
):
    def too_slow(filters):
        raise ProviderTimeout("Telnyx did not answer within 10 seconds.")

    monkeypatch.setattr(app.extensions["phone_provider"], "search_page", too_slow)
    response = client.get(search_url(member.team_id), query_string=US_415, headers=headers)
    assert response.status_code == 504
    error = soup(response).select_one("#search-error")
    assert "Telnyx did not answer within 10 seconds." in error.get_text()


def test_a_buy_the_provider_did_not_answer_in_time_is_504_and_buys_nothing(
    app, client, member, monkeypatch
):
    def too_slow(*args, **kwargs):
        raise ProviderTimeout("Telnyx did not answer within 10 seconds.")

    monkeypatch.setattr(app.extensions["phone_provider"], "order", too_slow)
    response = buy(client, member.team_id, "+14155550100")
    assert response.status_code == 504
    cell = soup(response).select_one("td#buy-14155550100")
    assert cell["data-outcome"] == "failed"
    assert "Nothing was bought" in cell.select_one("[role=alert]").get_text()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PhoneNumber)) == 0
