"""Every field of every form the pages render, against hostile input: Unicode and superscript
digits, invalid UTF-8 (a lone surrogate's bytes), NUL bytes, invisible and direction-override
characters. Each answer is the one right answer for that field, never a 5xx.

Forms are read from the rendered pages, and every page route that takes a form must be
reached by one of them: a new form or field fails here until its answers are written down.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.accounts import invitations
from app.campaigns import coverage
from app.extensions import db
from app.health.rest import rest_number
from app.ids import new_id
from app.models import Assistant, Campaign, PhoneNumber, utcnow
from app.plans.grace import keep_numbers
from app.routing.engine import DAYS
from tests.api_calls import quote_part
from tests.campaigns.helpers import make_campaign
from tests.factories import PASSWORD, actor_of, ask, downgraded, guard, hold
from tests.helpers import german_number, sandbox_number, waiting_for_documents
from tests.pages.helpers import HTMX, Auth, soup

HOSTILE = {
    "devanagari digits": "\u096a\u0967\u096b",
    "fullwidth digits": "\uff14\uff11\uff15",
    "superscript two": "\u00b2",
    "lone surrogate": "\ud800",  # sent as the bytes ED A0 80, which are not UTF-8
    "nul byte": "a\x00b",
    "zero-width only": "\u200b\u200d\ufeff",
    "bidi override": "\u202eevil\u202c",
}
INVISIBLE = {"zero-width only"}

# What each field owes hostile input: "ok" (the action happens), "refused" (a 400 with the
# message on the form), "missing" (404). A callable decides per input.
NAMES = {
    "name": lambda kind: "refused" if kind in {"nul byte", *INVISIBLE} else "ok",
    "scopes": "refused",  # no scope has such a name
    "team_name": lambda kind: "refused" if kind in {"nul byte", *INVISIBLE} else "ok",
    "label": lambda kind: "refused" if kind == "nul byte" else "ok",
    "email": "refused",
    # Too short, all but one: werkzeug keeps undecodable form text as sent ("%ED%A0%80").
    "password": lambda kind: "ok" if kind == "lone surrogate" else "refused",
    "phone_number": "refused",
    "country": "refused",
    "area_code": "refused",
    "number_type": "refused",
    "limit": "refused",
    "assistant_id": "missing",
    "ids": "missing",  # a selection of numbers: one that is not the team's is not found
    # A campaign's settings: whole numbers in ASCII digits, a switch, its assistants by id,
    # and the destinations to cover (area codes or numbers, typed or as a CSV file).
    "dailyCap": "refused",
    "cooldownSeconds": "refused",
    "paused": "ok",  # anything but "1" means calling again
    "assistants_shown": "ok",  # only says the boxes were on the form
    "assistant_ids": "refused",
    "destinations": "refused",
    "file": "refused",
    "action": "refused",
    "search": "ok",  # only where to go back to; unknown keys are dropped
    "idempotency_key": "ok",  # an unusable key buys without one, once
    "remember": "ok",
    "plan": "refused",
    "keep": "refused",  # numbers to keep: one that is not the team's is named on the page
    "role": "refused",
    "current_password": "refused",
    "csrf_token": "expired",  # the form's token: kept input and a fresh token (htmx), or the
    # plain error page (a POST naming none of our pages, as these do)
    # The guardrails: amounts in dollars (the form drops "$", commas and spaces, no more).
    "spend_cap": "refused",
    "approval_above": "refused",
    "approval_required": "ok",  # a checkbox: any value sent means ticked
    "note": lambda kind: "refused" if kind == "nul byte" else "ok",  # a denial's note
    # A number's routing: every box is a closed format (assistants by id, shares, E.164 or
    # SIP fallbacks, seconds, countries, a time zone, opening times, a choice).
    **{f"assistant_{i}": "refused" for i in range(3)},
    **{f"weight_{i}": "refused" for i in range(3)},  # a share without an assistant too
    "fallback": "refused",
    "after_hours": "refused",
    "answer_timeout": "refused",
    "countries": "refused",
    "time_zone": "refused",
    **{f"hours_{d}_{e}": "refused" for d in DAYS for e in ("start", "end")},
    "outbound": "refused",
    "team_default": "ok",  # a checkbox: any value sent means ticked
    # The routing test: a caller in E.164 and a time.
    "caller": "refused",
    "at": "refused",
    "to": "refused",  # Call me: the phone to ring, in E.164
    "days": "refused",  # Rest: whole days in ASCII digits, 1 to 30
    "caller_name": "refused",  # CNAM's characters only: ASCII letters, digits, " .,"
    # An assistant's destination: the page's assistant has none, so anything typed without
    # choosing a type is refused beside the type (and a bad type or address too).
    "destination_type": "refused",
    "address": "refused",
    "sip_username": "refused",
    "sip_password": "refused",
    "platform": "refused",
    "platform_id": "refused",
    # A webhook endpoint's form (the add form's URL and events are filled in by the test).
    "url": "refused",
    "description": lambda kind: "refused" if kind == "nul byte" else "ok",
    "events": "refused",  # no event type has such a name
    "enabled": "ok",  # a checkbox: any value sent means ticked
    "expires": "refused",  # a token's expiry: one of the page's choices
    "code": "refused",  # a two-factor code: 6 ASCII digits, or a recovery code
}
# A regulated order's documents: the page renders the form empty (no file chosen, no address),
# so whatever one field holds, the rest is missing and the form says so.
NAMES |= {
    f"file-{key}": "refused" for key in ("sbx-proof-of-address", "sbx-identity")
} | {
    f"address-sbx-address-{part}": "refused"
    for part in (
        "first_name", "last_name", "business_name", "street_address", "locality", "postal_code"
    )
}  # fmt: skip
# Where a field owes something else: the new password goes with the current one, which the
# page renders empty, so nothing changes.
ONLY_HERE = {("/account/password", "password"): "refused"}
# The password proves who asks (an email change, two-factor off, new recovery codes): hostile
# text is not it.
ONLY_HERE |= {
    (action, "password"): "refused"
    for action in (
        "/account/email",
        "/account/two-factor/disable",
        "/account/two-factor/recovery-codes",
    )
}
# The account's own forms are plain POSTs (no htmx): answered as a browser's.
PLAIN = ("/campaigns", "/account/name", "/account/email", "/account/two-factor")
# The pages that render every form, as the owner of a team with a number and an assistant.
PAGES = [
    "/teams/{team}/numbers",
    "/teams/{team}/numbers/{number}/label/edit",
    "/teams/{team}/numbers/{number}/assistant/edit",
    "/teams/{team}/numbers/{number}/release",
    "/teams/{team}/numbers/{waiting}/documents",  # a regulated order's documents, or cancel
    "/teams/{team}/numbers/selection?action=unassign&ids={number}",
    "/teams/{team}/search?country=US&area_code=415&limit=1",
    "/teams/{team}/assistants",
    "/teams/{team}/assistants/{assistant}/edit",
    "/teams/{team}/assistants/{assistant}/destination",
    "/teams/{team}/numbers/{number}",
    "/teams/{team}/numbers/{resting}",  # a resting number's card has Wake early
    "/settings/tokens",
    "/teams/{team}/plans",
    "/teams/{team}/plans/growth/confirm",
    "/teams/{graced}/plans/keep",  # a team over its limit after a downgrade
    "/teams/{team}/cart",
    "/teams/{team}/settings",
    "/teams/{team}/requests",
    "/teams/{team}/webhooks",
    "/teams/{team}/webhooks/{webhook}",  # its form, its actions and a delivery's Resend
    "/teams/{team}/campaigns",  # a new campaign's form
    "/teams/{team}/campaigns/{campaign}",  # its settings, pool, coverage and Fill gaps
    "/teams/new",
    "/account",
]
SIGNED_OUT_PAGES = ["/signup", "/signin"]


def forms(client, pages, **ids):
    """(method, action, {field: value}) for each form on the pages, its own values filled in."""
    found = {}
    for page in pages:
        html = soup(client.get(page.format(**ids)))
        for form in html.select("form"):
            if form.get("method", "get").lower() == "get" and form.get("action"):
                continue  # links dressed as forms (none today) would be GET routes
            fields = {}
            for element in form.select("input[name], select[name]"):
                if element.name == "select":
                    chosen = element.select_one("option[selected]") or element.select_one("option")
                    fields[element["name"]] = chosen["value"] if chosen else ""
                elif element.get("type") != "checkbox" or element.has_attr("checked"):
                    fields[element["name"]] = element.get("value", "")
            action = urlsplit(form.get("action") or page.format(**ids)).path
            found.setdefault((form.get("method", "get").upper(), action), fields)
    return found


def send(client, method, action, fields, htmx=True):
    body = "&".join(f"{quote_part(k)}={quote_part(v)}" for k, v in fields.items())
    headers = {**HTMX, "X-CSRFToken": fields.get("csrf_token", "")} if htmx else {}
    if method == "GET":
        return client.get(f"{action}?{body}", headers=headers)
    return client.post(
        action, data=body, content_type="application/x-www-form-urlencoded", headers=headers
    )


def judge(response, answer: str, htmx: bool) -> str | None:
    status = response.status_code
    if answer == "missing":
        return None if status == 404 else f"{status}, want 404"
    if answer == "ok":
        return None if status in ((200,) if htmx else (302,)) else f"{status}, want success"
    if status != 400:
        return f"{status}, want 400"
    page = soup(response)
    if answer == "expired" and htmx:  # nothing swapped: the form keeps its input, a fresh token
        renewed = "form-token-renewed" in response.headers.get("HX-Trigger", "")
        kept = response.headers.get("HX-Reswap") == "none"
        return None if renewed and kept else "no fresh token for the form as typed"
    if answer == "expired":
        heading = page.select_one("h1, [role=alert]")
        return None if heading and "did not work" in heading.get_text() else "no expiry page"
    shown = page.select(".field-error, [role=alert], .form-error, .flash-error")
    return None if shown else "400 without a message on the form"


def two_factor_forms(app, client, owner):
    """The two-factor page's forms in each of its states: off, being set up, on."""
    from app.accounts import two_factor
    from app.models import User

    found = forms(client, ["/account/two-factor"])
    with app.app_context():
        user = db.session.get(User, owner.user_id)
        two_factor.start_setup(user)
        found |= forms(client, ["/account/two-factor"])
        user.totp_enabled_at = utcnow()
        db.session.commit()
    return found | forms(client, ["/account/two-factor"])


def test_every_dashboard_form_field_answers_hostile_input(app, client, factory):
    owner = factory.member("scale")
    number = factory.number(owner, sandbox_number("415", 90))
    assistant = factory.assistant(owner, "Ava", [number])
    # A number whose release waits out its grace window: its row has the Undo form.
    factory.number(
        owner,
        sandbox_number("415", 93),
        status="releasing",
        status_reason="scheduled",
        release_after=utcnow() + timedelta(hours=1),
    )
    # People, an open invitation and a second owner: every form of the Team page shows.
    member = factory.member(team_id=owner.team_id, role="member")
    factory.member(team_id=owner.team_id, role="owner")
    # Approvals on, and a member's request waiting: the guardrails' and Requests' forms show.
    guard(app, owner, approval_required=True)
    ask(app, member, sandbox_number("415", 92))
    with app.app_context():
        invitations.invite(actor_of(owner), "invited@example.com")
    hold(app, owner, sandbox_number("415", 91))  # the cart's forms: remove, and buy it all
    graced = downgraded(app, owner, 5)
    with app.app_context():  # one number kept, so its box is ticked and sent
        kept = db.session.scalar(
            sa.select(PhoneNumber.id).where(PhoneNumber.team_id == graced.team_id)
        )
        keep_numbers(actor_of(graced), [kept])
    webhook = finished_webhook(app, owner)
    # Buy and the cart's buy share the purchase budget: more attempts here than a minute allows.
    app.config.update(RATELIMIT_API_PURCHASE="1000 per minute")
    # Every hostile team name that is accepted founds a team: more than a day allows.
    app.config.update(TEAMS_PER_USER_PER_DAY=1000)
    Auth(client).sign_in(owner)
    waiting = waiting_for_documents(factory, owner, german_number(0))
    resting = factory.number(owner, sandbox_number("415", 94))
    with app.app_context():
        rest_number(actor_of(owner), db.session.get(PhoneNumber, resting), 30, utcnow())
    campaign, _ids = make_campaign(app, factory, owner, [sandbox_number("415", 80)])
    with app.app_context():  # 212 has no number in the pool: the page offers Fill gaps
        gaps = coverage.parse_destinations(["212", "415"])
        coverage.set_destinations(actor_of(owner), db.session.get(Campaign, campaign), gaps)
    # A second browser: the sessions list offers to sign it out.
    Auth(app.test_client()).sign_in(owner)
    found = forms(
        client,
        PAGES,
        team=owner.team_id,
        number=number,
        assistant=assistant,
        graced=graced.team_id,
        webhook=webhook,
        waiting=waiting,
        campaign=campaign,
        resting=resting,
    )
    found |= two_factor_forms(app, client, owner)
    adding = f"/teams/{owner.team_id}/webhooks"
    wrong, buys = [], iter(range(100))
    for (method, action), fields in found.items():
        for field in fields:
            for kind, text in HOSTILE.items():
                answer = ONLY_HERE.get((action, field), NAMES.get(field))
                assert answer is not None, f"say what {field} owes hostile input ({action})"
                answer = answer(kind) if callable(answer) else answer
                sent = dict(fields, **{field: text})
                if "phone_number" in sent and field != "phone_number":
                    sent["phone_number"] = sandbox_number("212", next(buys))
                if "idempotency_key" in sent and field != "idempotency_key":
                    sent["idempotency_key"] = f"key-{next(buys)}"  # one key per click
                if action == adding and field != "url":
                    # The add form comes empty: each other field is tried on a valid endpoint.
                    sent.update(url=WEBHOOK_URL, events="plan.changed")
                if (
                    field == "name"
                    and answer == "ok"
                    and ("/assistants" in action or "/campaigns" in action)
                ):
                    rename_away(app, text)  # names are unique in a team
                if field == "csrf_token" and method == "GET":
                    continue  # the search changes nothing: it has no token
                # The campaign pages' forms are plain POSTs (no htmx): answered as a browser's.
                plain = any(part in action for part in PLAIN)
                response = send(client, method, action, sent, htmx=not plain)
                if problem := judge(response, answer, htmx=not plain):
                    wrong.append(f"{method} {action} {field} <- {kind}: {problem}")
    assert not wrong, "\n".join(wrong)
    reached = {(method, endpoint(app, action, method)) for method, action in found}
    posts = {
        ("POST", rule.endpoint)
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint.startswith("dashboard.")
    }
    # Every dashboard POST route has a form here; but "Invoices and card" shows only when Stripe
    # sells the plans (its one field, the CSRF token: tests/billing/test_plans_with_stripe.py).
    assert posts - {("POST", "dashboard.billing")} <= reached, posts - reached


def test_sign_up_and_sign_in_fields_answer_hostile_input(app, factory):
    owner = factory.member("free")
    app.config.update(RATELIMIT_SIGNUP="1000 per minute", RATELIMIT_SIGNIN="1000 per minute")
    wrong = []
    for page in SIGNED_OUT_PAGES:
        client = app.test_client()
        ((method, action), fields), *_ = forms(client, [page]).items()
        for field in fields:
            for kind, text in HOSTILE.items():
                client = app.test_client()
                ((_, _), fresh), *_ = forms(client, [page]).items()
                sent = dict(
                    fresh,
                    name="Ann",
                    email=f"{field}-{kind.replace(' ', '-')}@example.org",
                    password=PASSWORD,
                    team_name="Acme",
                )
                if action == "/signin":
                    sent = dict(fresh, email=owner.email, password=PASSWORD)
                sent[field] = text
                answer = NAMES[field]
                answer = answer(kind) if callable(answer) else answer
                if action == "/signin" and field in ("email", "password"):
                    answer = "refused"  # not the account's: "do not match", on the form
                response = send(client, method, action, sent, htmx=False)
                if action == "/signup" and answer == "ok":
                    problem = signed_up(response)
                else:
                    problem = judge(response, answer, htmx=False)
                if problem:
                    wrong.append(f"{action} {field} <- {kind}: {problem}")
    assert not wrong, "\n".join(wrong)


WEBHOOK_URL = "https://93.184.215.14/hooks"  # public, as a literal: no lookup, never sent to


def finished_webhook(app, owner) -> str:
    """An endpoint of the team with one given-up delivery (so its Resend form shows), written
    straight to the tables: nothing is sent."""
    from app.events import endpoints, outbox
    from app.models import DeliveryStatus, WebhookDelivery

    with app.app_context():
        fields = {"url": WEBHOOK_URL, "events": ["number.bought"], "description": "CRM"}
        endpoint = endpoints.create_endpoint(actor_of(owner), fields).endpoint
        now = utcnow()
        db.session.add(
            WebhookDelivery(
                id=new_id("whdl"),
                endpoint_id=endpoint.id,
                team_id=owner.team_id,
                event_id=new_id("msg"),
                event_type="webhook.test",
                payload=outbox.payload("webhook.test", {"teamId": owner.team_id}, now),
                status=DeliveryStatus.FAILED,
                attempts=1,
                created_at=now,
                next_attempt_at=now,
                give_up_at=now,
                finished_at=now,
            )
        )
        db.session.commit()
        return endpoint.id


def signed_up(response) -> str | None:
    """Sign-up's success is the "check your email" page: the account waits for the link."""
    if response.status_code == 200 and soup(response).select_one("#check-email"):
        return None
    return f"{response.status_code}, want the check-your-email page"


def rename_away(app, text: str) -> None:
    with app.app_context():
        for named in (
            *db.session.scalars(db.select(Assistant)),
            *db.session.scalars(db.select(Campaign)),
        ):
            if named.name.lower() == text.lower() or "\u202e" in text:
                named.name = f"Old {named.id[-6:]}"
        db.session.commit()


def endpoint(app, path: str, method: str) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.match(path, method=method)[0]
