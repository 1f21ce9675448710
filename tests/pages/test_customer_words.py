"""Operator words never reach customers: no setting name (SCREAMING_SNAKE_CASE, as every
environment variable is spelled) and no "sandbox" on any page a customer sees or in the
emails they get, whichever billing provider runs the site. Those are the operator's words;
the operator reads them in the README and the log."""

from __future__ import annotations

import re

import pytest

from app.billing import PRICE_SETTINGS
from app.billing.plan_changes import change_plan
from app.config import environment_settings
from app.extensions import db
from app.models import Team, utcnow
from app.plans.enforcement import enforce_limits
from tests.billing.helpers import stripe_settings
from tests.factories import found, hold
from tests.fakes.stripe import FakeStripe
from tests.helpers import bought_id, sandbox_number
from tests.pages.helpers import Auth, mailbox
from tests.support import build_app, teardown_app

# Every setting the operator writes (the environment's names, as app.config reads them), and
# the operator's name for the embedded providers.
SETTINGS = {*environment_settings(), *PRICE_SETTINGS.values(), "SECRET_KEY", "DATABASE_URL"}
WORDS = re.compile(r"\b(?:" + "|".join(sorted(SETTINGS)) + r")\b|sandbox", re.IGNORECASE)


def operator_words(html: str) -> set[str]:
    """Operator words anywhere in the page's source: its text, its attributes, its scripts."""
    return set(WORDS.findall(html))


def customer_pages(app, client, factory) -> dict[str, str]:
    """Every kind of page a customer meets, as HTML: signed out, a team with numbers, a cart,
    a team over its limit, the plan summaries and error pages."""
    pages = {path: client.get(path).get_data(as_text=True) for path in ("/signin", "/signup")}
    owner, _ids = factory.over_limit(6, "starter")
    founded = found(app, owner, "Second")
    growth = factory.member("growth")
    bought_id(client, growth, sandbox_number("415", 0))
    hold(app, growth, sandbox_number("415", 1))
    Auth(client).sign_in(owner)
    team = owner.team_id
    paths = [
        f"/teams/{team}/numbers",
        f"/teams/{team}/search?country=US&area_code=415",
        f"/teams/{team}/cart",
        f"/teams/{team}/assistants",
        f"/teams/{team}/history",
        f"/teams/{team}/plans",
        f"/teams/{team}/statements/{utcnow():%Y-%m}",  # where no invoices are issued
        f"/teams/{team}/plans/keep",
        f"/teams/{team}/plans/growth/confirm",
        f"/teams/{team}/plans/free/confirm",
        f"/teams/{team}/settings",
        f"/teams/{founded.team_id}/plans/starter/confirm",
        "/teams/new",
        "/account",
        "/settings/tokens",
        "/no-such-page",
    ]
    for path in paths:
        pages[path] = client.get(path).get_data(as_text=True)
    Auth(client).sign_out()
    Auth(client).sign_in(growth)
    for path in (f"/teams/{growth.team_id}/numbers", f"/teams/{growth.team_id}/cart"):
        pages[f"growth {path}"] = client.get(path).get_data(as_text=True)
    with app.app_context():  # the over-limit emails too
        enforce_limits()
    return pages


def test_no_page_or_email_shows_operator_words_with_the_default_billing(app, client, factory):
    pages = customer_pages(app, client, factory)
    found_words = {path: words for path, html in pages.items() if (words := operator_words(html))}
    assert found_words == {}
    emails = [m.body + "".join(a[0] for a in m.alternatives) for m in mailbox(app)]
    assert emails, "the over-limit sweep emailed the owners"
    assert [operator_words(body) for body in emails if operator_words(body)] == []


@pytest.fixture
def stripe_app(tmp_path):
    with FakeStripe(api_key="sk_test_fake_key") as fake:
        prices = {p: fake.add_price(f"price_{p}") for p in ("starter", "growth", "scale")}
        app = build_app(tmp_path, **stripe_settings(fake, prices))
        yield app
        teardown_app(app)


def test_no_page_shows_operator_words_with_stripe(stripe_app):
    from tests.factories import Factory

    client = stripe_app.test_client()
    pages = customer_pages(stripe_app, client, Factory(stripe_app))
    found_words = {path: words for path, html in pages.items() if (words := operator_words(html))}
    assert found_words == {}


def test_the_check_finds_what_it_looks_for():
    assert operator_words("Set <code>BILLING_PROVIDER=stripe</code>") == {"BILLING_PROVIDER"}
    assert operator_words("from sandbox") == {"sandbox"}
    assert operator_words('<input name="csrf_token" value="RLW_9Q-x">') == set()


def test_a_team_changed_by_the_operator_reads_the_same(app, client, factory):
    member = factory.member("growth")
    with app.app_context():
        change_plan(db.session.get(Team, member.team_id), "scale")
    Auth(client).sign_in(member)
    html = client.get(f"/teams/{member.team_id}/history").get_data(as_text=True)
    assert operator_words(html) == set()
