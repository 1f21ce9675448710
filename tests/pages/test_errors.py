"""404 and 500 pages in the site's look; /api keeps answering JSON."""

import pytest

from tests.pages.helpers import HTMX, soup
from tests.support import build_app, teardown_app


def test_404_page_is_in_the_sites_look(client, member):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = soup(response)
    assert page.select_one("#error")["data-status"] == "404"
    assert page.select_one("header .brand") and page.select_one("#team-switcher")
    assert page.select_one("#error a")["href"] == "/"


def test_api_paths_still_answer_json(client):
    response = client.get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_htmx_errors_are_fragments(client, member):
    response = client.get("/teams/team_nope/numbers", headers=HTMX)
    assert response.status_code == 404
    assert soup(response).find("html") is None


@pytest.fixture
def crashing_app(tmp_path):
    app = build_app(tmp_path)

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    yield app
    teardown_app(app)


def test_500_page_is_in_the_sites_look_and_says_nothing_internal(crashing_app, caplog):
    response = crashing_app.test_client().get("/boom")
    assert response.status_code == 500
    page = soup(response)
    assert page.select_one("#error")["data-status"] == "500"
    assert "kaboom" not in response.get_data(as_text=True)
    assert "kaboom" in caplog.text  # logged for us, not shown to the visitor
