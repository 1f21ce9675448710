"""Fields say what they want in product words: every field with a pattern has a title that
app.js shows instead of the browser's "Please match the requested format."."""

from __future__ import annotations

import re
from pathlib import Path

from tests.pages.helpers import search_url, soup

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_pattern_field_in_the_templates_has_a_title():
    # Jinja source, not a rendered page: a field on a page no test opens counts too.
    found = []
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text()
        for tag in re.findall(r"<input[^>]*>|\{\{ field\([^}]*\}\}", source):
            if "pattern=" in tag:
                found.append((template.name, "title=" in tag))
    assert found and all(titled for _name, titled in found), found


def test_the_area_code_says_three_digits(client, factory, auth):
    owner = factory.member("growth")
    auth.sign_in(owner)
    field = soup(client.get(search_url(owner.team_id))).select_one("input[name=area_code]")
    assert field["pattern"] == "[0-9]{3}"
    assert field["title"] == "3 digits, like 415"


def test_deleting_an_assistant_says_its_calls_stop_and_offers_cancel(client, factory, auth):
    owner = factory.member("growth")
    numbers = [factory.number(owner, "+14155550100")]
    assistant = factory.assistant(owner, "Front desk", numbers)
    auth.sign_in(owner)
    page = soup(client.get(f"/teams/{owner.team_id}/assistants"))
    panel = page.select_one(f"#assistant-{assistant} details[data-role=delete] .confirm-panel")
    assert panel.select_one("[data-role=delete-consequence]").get_text(strip=True) == (
        "Calls to that number stop being answered until you assign another assistant."
    )
    cancel = panel.select_one("[data-role=cancel-confirm]")
    assert cancel.get_text(strip=True) == "Cancel"
    assert cancel["href"] == f"/teams/{owner.team_id}/assistants"
