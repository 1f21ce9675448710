import hashlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.any_database  # CI runs it once, not on each database

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_pages_link_static_files_by_content_hash(client):
    soup = BeautifulSoup(client.get("/signin").data, "html.parser")
    urls = [tag["src"] for tag in soup.select("script[src]")] + [
        tag["href"] for tag in soup.select('link[rel="stylesheet"]')
    ]
    assert any("htmx.min.js" in url for url in urls)
    for url in urls:
        path, _, query = url.partition("?v=")
        content = (STATIC / path.removeprefix("/static/")).read_bytes()
        assert query == hashlib.sha256(content).hexdigest()[:12], url


def test_versioned_files_are_cached_for_a_year_others_are_not(client):
    soup = BeautifulSoup(client.get("/signin").data, "html.parser")
    url = next(tag["src"] for tag in soup.select("script[src]") if "htmx" in tag["src"])
    with client.get(url) as versioned:
        assert versioned.status_code == 200
        assert versioned.cache_control.max_age == 365 * 24 * 3600
        assert versioned.cache_control.immutable
    with client.get(url.split("?")[0] + "?v=000000000000") as stale:
        assert stale.cache_control.max_age != 365 * 24 * 3600
