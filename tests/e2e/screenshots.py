"""Screenshots of the main pages, for the README: `python -m tests.e2e.screenshots` from the root.

Serves the app on a fresh database with the sandbox provider, seeds two teams through the
real services and drives Debian's Chromium. Writes PNGs to docs/screenshots/.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from app.accounts import invitations, onboarding, sessions, teams, tokens, users
from app.assistants import service as assistants
from app.caller_names.lifecycle import apply_to_campaign
from app.campaigns import service as campaigns
from app.campaigns.coverage import set_destinations
from app.campaigns.pool import add_numbers
from app.extensions import db
from app.health.checks import check_number
from app.models import PhoneNumber, User, utcnow
from app.numbers.managing import set_label
from app.numbers.purchasing import purchase_number
from app.numbers.queries import team_number, team_numbers
from tests.e2e.live import chromium, live_server
from tests.factories import PASSWORD

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1200, "height": 760}
# Other browsers Alice signed in with, for the sessions list on her account page.
MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
MOBILE = {"width": 360, "height": 740}


def seed(app) -> dict[str, str]:
    """A Growth team with a few numbers and assistants, and a Free team with nothing yet."""
    with app.app_context():
        growth = teams.create_team("Acme Voice", "growth")
        alice = users.create_user("alice@example.com", "Alice Johnson", PASSWORD)
        bob = users.create_user("bob@example.com", "Bob Martinez", PASSWORD)
        teams.add_member(alice, growth, "owner")
        teams.add_member(bob, growth, "admin")
        as_alice = teams.actor_for(alice, growth.id)
        as_bob = teams.actor_for(bob, growth.id)
        sales = assistants.create_assistant(as_alice, "Sales Agent")
        support = assistants.create_assistant(as_alice, "Support Line")
        bought = {}
        for buyer, e164 in [
            (as_alice, "+14155550123"),
            (as_bob, "+12125550147"),
            (as_alice, "+18005550110"),
            (as_bob, "+16175550188"),
        ]:
            bought[e164] = purchase_number(buyer, e164).number.id
        assistants.assign_numbers(as_alice, sales, [bought["+14155550123"], bought["+18005550110"]])
        assistants.assign_numbers(as_alice, support, [bought["+12125550147"]])
        set_label(as_alice, team_number(growth.id, bought["+18005550110"]), "Hotline")
        assistants.create_assistant(as_bob, "After-hours")
        old = assistants.create_assistant(as_alice, "Old IVR")
        assistants.rename_assistant(as_alice, support, "Support Desk")
        assistants.delete_assistant(as_alice, old)
        laptop = tokens.issue_token(alice, "Old laptop", scopes=None)
        tokens.revoke_token(alice, laptop.token.id)
        ci = tokens.issue_token(alice, "CI pipeline", scopes=["numbers:read", "numbers:buy"])
        tokens.user_for_token(ci.plain)  # used once: "Last used" has a time
        carol = users.create_user("carol@example.com", "Carol Diaz", PASSWORD)
        teams.add_member(carol, growth, "member")
        invitations.invite(as_alice, "dev@example.com", "member")
        invited = invitations.invite(as_alice, "ops.lead@example.com", "admin")
        free = teams.create_team("Lovelace Labs", "free")
        ada = users.create_user("ada@example.com", "Ada Lovelace", PASSWORD)
        teams.add_member(ada, free, "owner")
        teams.add_member(db.session.get(User, alice.id), free, "member")
        scale = _scale_team(alice)
        for number in team_numbers(growth.id):  # the sandbox reads ...7 medium, ...8 high
            check_number(number, utcnow())
        alice = db.session.get(User, alice.id)
        sessions.open_session(alice, MAC_FIREFOX, "203.0.113.24")
        sessions.open_session(alice, IPHONE_SAFARI, "198.51.100.7")
        campaign, health = _campaign(alice, scale)
        return {
            "growth": growth.id,
            "free": free.id,
            "scale": scale,
            "campaign": campaign,
            "health": health,
            "invitation": invitations.invitation_token(invited),
        }


def _scale_team(owner: User) -> str:
    """A Scale team with 45 numbers in three area codes, priced, shared by three assistants."""
    team = teams.create_team("Northwind Support", "scale")
    teams.add_member(db.session.get(User, owner.id), team, "owner")
    actor = teams.actor_for(owner, team.id)
    helpers = [
        assistants.create_assistant(actor, name)
        for name in ("Billing Bot", "Front Desk", "Night Shift")
    ]
    for index in range(45):
        area = ("212", "303", "415")[index % 3]
        e164 = f"+1{area}55501{index + 50:02d}"  # clear of the numbers the other teams buy
        db.session.add(
            PhoneNumber(
                team_id=team.id,
                phone_number=e164,
                provider="sandbox",
                provider_number_id=f"sandbox-{e164[1:]}",
                customer_reference=f"shot-{e164}",
                number_type="local",
                country_code="US",
                status="active",
                monthly_price=Decimal("2.50") if area == "212" else Decimal("1.00"),
                created_by_id=owner.id,
                activated_at=utcnow(),
                created_at=utcnow() - timedelta(hours=index),
            )
        )
    db.session.commit()
    numbers = team_numbers(team.id)
    for index, helper in enumerate(helpers):
        assistants.assign_numbers(actor, helper, [n.id for n in numbers[index::4]])
    set_label(actor, numbers[0], "Main line")
    onboarding.dismiss(actor)  # a team this size is past getting started: its rows show first
    return team.id


def _campaign(owner: User, team_id: str) -> tuple[str, str]:
    """A campaign on the Scale team: 12 numbers in its pool under one caller name, each
    checked for spam risk, and coverage for 230 destinations (three area codes missing).
    Returns the campaign's id and its high-risk number's (+14155550158)."""
    actor = teams.actor_for(db.session.get(User, owner.id), team_id)
    desk = next(a for a, _ in assistants.list_assistants(actor.team) if a.name == "Front Desk")
    campaign = campaigns.create_campaign(
        actor,
        {"name": "Spring outreach", "assistantIds": [desk.id], "dailyCap": 80},
    )
    pool = sorted(team_numbers(team_id), key=lambda n: n.phone_number[-2:])[:12]
    add_numbers(actor, campaign, [n.id for n in pool])
    counts = Counter({"212": 80, "415": 60, "303": 40, "312": 25, "617": 15, "206": 10})
    set_destinations(actor, campaign, counts)
    apply_to_campaign(actor, campaign, "NORTHWIND")
    for number in pool:
        check_number(number, utcnow())
    risky = next(n for n in pool if n.phone_number == "+14155550158")
    return campaign.id, risky.id


def shoot(page, name: str, *, full_page: bool = True) -> None:
    page.wait_for_timeout(150)  # let htmx settle classes and the spinner fade
    # caret="initial": hiding the caret would inject a <style>, which the pages' CSP refuses.
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page, caret="initial")
    print(OUT / f"{name}.png")


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#plan-banner")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log on stdout
    with (
        tempfile.TemporaryDirectory() as tmp,
        live_server(Path(tmp)) as server,
        chromium() as browser,
    ):
        teams, base = seed(server.app), server.url
        options = {"locale": "en-US", "timezone_id": "America/New_York"}

        desktop = browser.new_context(viewport=DESKTOP, **options)
        page = desktop.new_page()
        page.goto(f"{base}/signin")
        shoot(page, "sign-in")
        sign_in(page, base, "alice@example.com")
        shoot(page, "numbers")
        scale = f"{base}/teams/{teams['scale']}/numbers"
        page.goto(scale)
        page.locator("#costs-per-assistant").locator("xpath=..").locator("summary").click()
        shoot(page, "numbers-at-scale", full_page=False)  # the top of 45 rows
        for box in page.locator("[data-role=select-number]").all()[2:5]:
            box.check()
        page.evaluate("window.scrollTo(0, 900)")  # the bulk bar stays on top of the rows
        shoot(page, "numbers-bulk-bar", full_page=False)
        page.goto(f"{scale}/{teams['health']}")
        shoot(page, "number-health")
        campaign = f"{base}/teams/{teams['scale']}/campaigns/{teams['campaign']}"
        page.goto(campaign)
        shoot(page, "campaign")
        page.goto(f"{scale}?q=front&sort=number")
        page.locator("#numbers-table tbody tr").first.locator(
            "[data-role=change-assistant]"
        ).click()
        page.wait_for_selector("#numbers-table select[data-role=assistant-picker]")
        shoot(page, "numbers-filtered")
        for box in page.locator("[data-role=select-number]").all()[1:3]:
            box.check()
        page.get_by_label("With the selected numbers").select_option("release")
        page.get_by_role("button", name="Review…").click()
        shoot(page, "bulk-release-confirm")
        page.goto(f"{base}/teams/{teams['growth']}/numbers")
        page.locator("#numbers-table tr[data-number='+14155550123'] summary").click()
        page.wait_for_selector("#numbers-table tr[data-number='+14155550123'] .confirm-question")
        shoot(page, "release-confirm")
        released = page.locator("#numbers-table tr[data-number='+14155550123']")
        released.get_by_role("button", name="Release number").click()
        released.locator("[data-role=release-at]").wait_for()
        shoot(page, "release-scheduled")
        page.locator("#numbers-notice [data-role=undo-release]").click()  # as it was, again
        page.locator("#numbers-notice [data-role=undone]").wait_for()
        page.goto(f"{base}/teams/{teams['growth']}/assistants")
        shoot(page, "assistants")
        page.goto(f"{base}/settings/tokens")
        page.get_by_label("Token name").fill("Production voice bot")
        page.locator("#scopes-field input[value='numbers:buy']").check()
        page.get_by_role("button", name="Create token").click()
        page.wait_for_selector("#token-created")
        shoot(page, "api-tokens")
        query = "country=US&area_code=415&number_type=local&limit=6"
        search = f"{base}/teams/{teams['growth']}/search?{query}"
        page.goto(search)
        shoot(page, "search")
        page.locator("#offers tbody tr").nth(1).locator("button[data-buy]").click()
        page.wait_for_selector("td[data-outcome=purchased]")
        shoot(page, "purchased")
        vanity = "country=US&area_code=415&pattern=AI&match=ends"
        page.goto(f"{base}/teams/{teams['growth']}/search?{vanity}")
        shoot(page, "search-vanity")
        page.goto(f"{base}/teams/{teams['growth']}/search?country=US&locality=Chicago&limit=4")
        for row in range(3):
            offer = page.locator("#offers tbody tr").nth(row)
            offer.locator("button[data-hold]").click()
            offer.locator("td[data-outcome=held]").wait_for()
        page.goto(f"{base}/teams/{teams['growth']}/cart")
        shoot(page, "cart")
        page.goto(f"{base}/teams/{teams['growth']}/history")
        shoot(page, "history")
        page.goto(f"{base}/teams/{teams['growth']}/history?action=assignments")
        shoot(page, "history-filtered")
        page.goto(f"{base}/teams/{teams['growth']}/settings")
        shoot(page, "team")
        page.goto(f"{base}/account")
        shoot(page, "account")

        free = browser.new_context(viewport=DESKTOP, **options)
        first, stale = free.new_page(), free.new_page()
        sign_in(first, base, "ada@example.com")
        url = f"{base}/teams/{teams['free']}/search?country=US&area_code=212&limit=5"
        first.goto(url)
        stale.goto(url)
        first.locator("#offers tbody tr").first.locator("button[data-buy]").click()
        first.wait_for_selector("td[data-outcome=purchased]")
        stale.locator("#offers tbody tr").nth(1).locator("button[data-buy]").click()
        stale.wait_for_selector("td[data-outcome=limit]")
        shoot(stale, "limit-refused")
        first.goto(f"{base}/teams/{teams['free']}/numbers")
        shoot(first, "trial")
        first.goto(f"{base}/teams/{teams['free']}/plans")
        shoot(first, "plans")

        stranger = browser.new_context(viewport=DESKTOP, **options).new_page()
        stranger.goto(f"{base}/invitations/{teams['invitation']}")
        shoot(stranger, "invitation")
        stranger.goto(f"{base}/forgot-password")
        shoot(stranger, "forgot-password")

        mobile = browser.new_context(viewport=MOBILE, is_mobile=True, **options)
        phone = mobile.new_page()
        sign_in(phone, base, "alice@example.com")
        phone.goto(f"{base}/teams/{teams['growth']}/numbers")
        shoot(phone, "mobile-numbers")
        phone.goto(f"{base}/teams/{teams['growth']}/history")
        shoot(phone, "mobile-history")
        phone.goto(f"{base}/teams/{teams['growth']}/assistants")
        shoot(phone, "mobile-assistants")
        phone.goto(search)
        shoot(phone, "mobile-search")
        phone.goto(f"{base}/teams/{teams['growth']}/plans")
        shoot(phone, "mobile-plans")
        phone.goto(f"{base}/teams/{teams['growth']}/settings")
        shoot(phone, "mobile-team")
        # These two pages are long on a phone: one screen, from the card that matters.
        phone.goto(f"{base}/teams/{teams['scale']}/numbers/{teams['health']}")
        phone.locator("#number-health").evaluate("card => card.scrollIntoView()")
        shoot(phone, "mobile-number-health", full_page=False)
        phone.goto(f"{base}/teams/{teams['scale']}/campaigns/{teams['campaign']}")
        phone.locator("#campaign-coverage").evaluate("card => card.scrollIntoView()")
        shoot(phone, "mobile-campaign", full_page=False)
        phone.goto(f"{base}/teams/{teams['growth']}/numbers")  # last: it leaves one releasing
        releasing = phone.locator("#numbers-table tr[data-number='+12125550147']")
        releasing.locator("summary", has_text="Release").click()
        releasing.get_by_role("button", name="Release number").click()
        releasing.locator("[data-role=release-at]").wait_for()
        shoot(phone, "mobile-release-scheduled")

        # The cart's three Chicago numbers bought: the order's receipt.
        page.goto(f"{base}/teams/{teams['growth']}/cart")
        page.locator("#buy-cart").click()
        page.wait_for_url("**/orders/**")
        shoot(page, "order-receipt")
        page.goto(f"{base}/account")  # this browser, the phone's and two seeded ones
        shoot(page, "account-sessions")
        page.goto(f"{base}/account/two-factor")
        page.get_by_role("button", name="Set up two-factor sign-in").click()
        page.locator("#qr-code svg").wait_for()
        shoot(page, "two-factor-setup")
        webhooks(server.app, teams["growth"])
        page.goto(f"{base}/teams/{teams['growth']}/webhooks")
        shoot(page, "webhooks")

        # Last, as it changes the Growth team: a cap and approvals, and Carol's requests.
        guardrails(server.app, teams["growth"])
        carol = browser.new_context(viewport=DESKTOP, **options).new_page()
        sign_in(carol, base, "carol@example.com")
        carol.goto(f"{base}/teams/{teams['growth']}/search?country=US&area_code=312&limit=4")
        carol.locator("#offers tbody tr").nth(1).locator("button[data-buy]").click()
        carol.wait_for_selector("td[data-outcome=requested]")
        shoot(carol, "search-requested")
        page.goto(f"{base}/teams/{teams['growth']}/requests")
        shoot(page, "requests")
        page.goto(f"{base}/teams/{teams['growth']}/settings#guardrails")
        page.locator("#guardrails").screenshot(path=str(OUT / "team-guardrails.png"))
    return 0


def guardrails(app, team_id: str) -> None:
    """A $50 monthly cap, members' purchases past $10 this month approved, one request waiting."""
    from app.guardrails.requests import ask_approval
    from app.guardrails.settings import update_guardrails

    with app.app_context():
        alice = db.session.scalar(db.select(User).where(User.email == "alice@example.com"))
        carol = db.session.scalar(db.select(User).where(User.email == "carol@example.com"))
        changes = {"spend_cap": Decimal("50"), "approval_required": True}
        update_guardrails(teams.actor_for(alice, team_id), changes)
        ask_approval(teams.actor_for(carol, team_id), "+13125550104")


def webhooks(app, team_id: str) -> None:
    """Two endpoints, one switched off; made after the shots that buy and release, so no
    delivery is ever attempted to these made-up hosts."""
    from app.events.endpoints import create_endpoint

    with app.app_context():
        alice = db.session.scalar(db.select(User).where(User.email == "alice@example.com"))
        actor = teams.actor_for(alice, team_id)
        create_endpoint(
            actor,
            {
                "url": "https://crm.acme-voice.com/hooks/numbers",
                "description": "CRM sync",
                "events": ["number.bought", "number.released"],
            },
        )
        create_endpoint(
            actor,
            {
                "url": "https://ops.acme-voice.com/alerts",
                "description": "On-call alerts",
                "events": ["number.released"],
                "enabled": False,
            },
        )


if __name__ == "__main__":
    sys.exit(main())
