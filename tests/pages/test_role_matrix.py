"""The role matrix on every page route, for every role: what a role may not do is not shown,
and a hand-made request for it is a 403 page that changes nothing.

Routes are read from the app and the cells from the hand-written tests/role_table.py: a new
page route fails here until it names the permission it needs.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.roles import Permission
from app.extensions import db
from app.models import Assistant, PhoneNumber, Role, WebhookDelivery, WebhookEndpoint
from tests.pages.helpers import csrf_token, soup, text
from tests.pages.role_team import Team
from tests.role_table import allowed

ROUTE_PERMISSIONS: dict[str, Permission | None] = {
    "dashboard.numbers": None,
    "dashboard.search": None,
    "dashboard.area_code_field": None,
    "dashboard.history": None,
    "dashboard.history_csv": None,
    "dashboard.dismiss_onboarding": None,  # anyone hides the getting-started checklist
    "dashboard.assistants": None,
    "dashboard.assistant_row": None,
    "dashboard.number_label": None,
    "dashboard.number_assistant": None,
    "dashboard.number_page": None,
    "dashboard.number_calls_csv": None,
    "dashboard.assistant_destination": None,
    "dashboard.save_routing": Permission.ASSIGN,
    "dashboard.run_routing_test": Permission.ASSIGN,  # a simulated call, logged as a test
    "dashboard.call_me_page": Permission.ASSIGN,  # a call to one's own phone from the number
    "dashboard.rest_page": Permission.MANAGE_ASSISTANTS,  # as a campaign's pool
    "dashboard.wake_page": Permission.MANAGE_ASSISTANTS,
    "dashboard.save_destination": Permission.MANAGE_ASSISTANTS,
    "dashboard.numbers_csv": None,
    "dashboard.tokens": None,  # every user manages their own tokens
    "dashboard.create_token": None,
    "dashboard.revoke_token": None,
    "dashboard.buy": Permission.BUY,
    "dashboard.cart": None,  # anyone sees what is held; only buyers hold and buy
    "dashboard.order": None,
    "dashboard.hold": Permission.BUY,
    "dashboard.remove_hold": Permission.BUY,
    "dashboard.extend": Permission.BUY,
    "dashboard.buy_cart": Permission.BUY,
    "dashboard.documents": Permission.BUY,  # a regulated order's documents, or cancelling it
    "dashboard.provide_documents": Permission.BUY,
    "dashboard.cancel_pending_order": Permission.BUY,
    "dashboard.release_number": Permission.RELEASE,
    "dashboard.confirm_release": Permission.RELEASE,
    "dashboard.undo_release": Permission.RELEASE,
    "dashboard.edit_label": Permission.LABEL,
    "dashboard.save_label": Permission.LABEL,
    "dashboard.assign_number": Permission.ASSIGN,
    "dashboard.pick_assistant": Permission.ASSIGN,
    "dashboard.review_selection": Permission.RELEASE,  # as asked here: to release them
    "dashboard.act_on_selection": Permission.RELEASE,
    "dashboard.create_assistant": Permission.MANAGE_ASSISTANTS,
    "dashboard.edit_assistant": Permission.MANAGE_ASSISTANTS,
    "dashboard.rename_assistant": Permission.MANAGE_ASSISTANTS,
    "dashboard.delete_assistant": Permission.MANAGE_ASSISTANTS,
    "dashboard.campaigns": None,
    "dashboard.campaign_page": None,
    "dashboard.create_campaign": Permission.MANAGE_ASSISTANTS,
    "dashboard.update_campaign": Permission.MANAGE_ASSISTANTS,
    "dashboard.pause_campaign": Permission.MANAGE_ASSISTANTS,
    "dashboard.delete_campaign": Permission.MANAGE_ASSISTANTS,
    "dashboard.add_campaign_numbers": Permission.MANAGE_ASSISTANTS,
    "dashboard.remove_campaign_number": Permission.MANAGE_ASSISTANTS,
    "dashboard.set_coverage": Permission.MANAGE_ASSISTANTS,
    "dashboard.fill_gaps": Permission.BUY,  # holds numbers in the cart, as Find a number does
    "dashboard.save_caller_name": Permission.LABEL,  # the name shown to the people called
    "dashboard.campaign_caller_name": Permission.MANAGE_ASSISTANTS,
    "dashboard.replace": Permission.RELEASE,  # it buys one number to release another
    "dashboard.plans": None,
    "dashboard.statement": None,  # the sandbox's monthly statements, like the order pages
    "dashboard.statement_csv": None,
    "dashboard.choose": Permission.CHANGE_PLAN,
    "dashboard.confirm_plan": Permission.CHANGE_PLAN,  # what a change would do, before it
    "dashboard.keep_numbers": None,  # everyone sees what is kept; owners choose
    "dashboard.save_kept": Permission.CHANGE_PLAN,
    "dashboard.billing": Permission.CHANGE_PLAN,
    "dashboard.team_settings": None,
    "dashboard.set_guardrails": Permission.SET_GUARDRAILS,
    "dashboard.require_two_factor": Permission.REQUIRE_TWO_FACTOR,
    "dashboard.webhooks": Permission.MANAGE_WEBHOOKS,
    "dashboard.create_webhook": Permission.MANAGE_WEBHOOKS,
    "dashboard.webhook_endpoint": Permission.MANAGE_WEBHOOKS,
    "dashboard.update_webhook": Permission.MANAGE_WEBHOOKS,
    "dashboard.rotate_webhook_secret": Permission.MANAGE_WEBHOOKS,
    "dashboard.test_webhook": Permission.MANAGE_WEBHOOKS,
    "dashboard.resend_webhook": Permission.MANAGE_WEBHOOKS,
    "dashboard.delete_webhook": Permission.MANAGE_WEBHOOKS,
    "dashboard.purchase_requests": None,  # a member sees their own requests
    "dashboard.approve_purchase": Permission.APPROVE_PURCHASES,
    "dashboard.deny_purchase": Permission.APPROVE_PURCHASES,
    "dashboard.invite": Permission.INVITE,
    "dashboard.revoke_invitation": Permission.INVITE,
    "dashboard.resend_invitation": Permission.INVITE,
    "dashboard.remove_member": Permission.INVITE,  # a member; admins and owners need MANAGE_ROLES
    "dashboard.change_role": Permission.MANAGE_ROLES,
    "dashboard.new_team": None,
    "dashboard.account": None,
    "dashboard.change_password": None,
    # The account's own: every role, in this order (set up, confirm, new codes, turn off).
    "dashboard.change_name": None,
    "dashboard.request_email_change": None,
    "dashboard.two_factor_page": None,
    "dashboard.start_two_factor": None,
    "dashboard.confirm_two_factor": None,
    "dashboard.new_recovery_codes": None,
    "dashboard.disable_two_factor": None,
    "dashboard.revoke_session": None,
    "dashboard.revoke_other_sessions": None,
    # Last, in this order: each changes who the client is in the team, or signs it out.
    "dashboard.transfer_ownership": Permission.MANAGE_ROLES,
    "dashboard.leave_team": None,  # anyone leaves (the last owner is refused, not forbidden)
    "dashboard.sign_out_everywhere": None,
}
# The one right answer to a role allowed to act: 200 for a page (or a fragment), 302 after a
# form that goes back where it came from, 303 after one that shows another page; a row's
# fragment asked for without htmx redirects to its page.
SUCCESS = (
    {endpoint: 200 for endpoint in ROUTE_PERMISSIONS}
    | {
        endpoint: 302
        for endpoint in (
            "dashboard.assistant_row",
            "dashboard.act_on_selection",
            "dashboard.number_assistant",
            "dashboard.number_label",
            "dashboard.assign_number",
            "dashboard.buy",
            "dashboard.change_password",
            "dashboard.create_assistant",
            "dashboard.delete_assistant",
            "dashboard.provide_documents",  # back to the number's row
            "dashboard.release_number",
            "dashboard.undo_release",
            "dashboard.rename_assistant",
            "dashboard.revoke_token",
            "dashboard.save_label",
            "dashboard.save_routing",
            "dashboard.call_me_page",
            "dashboard.rest_page",
            "dashboard.wake_page",
            "dashboard.save_destination",
            "dashboard.sign_out_everywhere",
            "dashboard.create_campaign",
            "dashboard.update_campaign",
            "dashboard.pause_campaign",
            "dashboard.delete_campaign",
            "dashboard.add_campaign_numbers",
            "dashboard.remove_campaign_number",
            "dashboard.set_coverage",
            "dashboard.fill_gaps",
            "dashboard.require_two_factor",  # back to the Team page
            "dashboard.change_name",  # back to the Account page, as a new password does
            "dashboard.request_email_change",
            "dashboard.start_two_factor",  # to the setup's QR code
            "dashboard.disable_two_factor",
            "dashboard.revoke_session",
            "dashboard.revoke_other_sessions",
        )
    }
    | {
        endpoint: 303
        for endpoint in (
            "dashboard.hold",  # back to the search (htmx gets the offer's cell instead)
            "dashboard.remove_hold",
            "dashboard.extend",
            "dashboard.buy_cart",  # to the order's page
            "dashboard.billing",
            "dashboard.set_guardrails",  # back to the Team page's guardrails
            "dashboard.approve_purchase",  # back to the Requests page
            "dashboard.deny_purchase",
            "dashboard.change_role",
            "dashboard.choose",
            "dashboard.save_kept",  # within its plan: back to Plans, nothing to choose
            "dashboard.invite",
            "dashboard.leave_team",
            "dashboard.new_team",
            "dashboard.remove_member",
            "dashboard.revoke_invitation",
            "dashboard.resend_invitation",
            "dashboard.dismiss_onboarding",  # back to Numbers
            "dashboard.transfer_ownership",
            "dashboard.update_webhook",  # back to the endpoint's page (htmx gets its panel)
            "dashboard.test_webhook",
            "dashboard.resend_webhook",
            "dashboard.delete_webhook",  # to the Webhooks page
            "dashboard.cancel_pending_order",  # back to Numbers
            "dashboard.save_caller_name",  # back to the number's page (htmx gets its card)
            "dashboard.campaign_caller_name",  # back to the campaign's page
            "dashboard.replace",  # to the cart, where the replacement waits
        )
    }
)
PUBLIC = {
    "auth.signin",
    "auth.signup",
    "auth.signout",
    "auth.confirm_email",
    "auth.forgot_password",
    "auth.reset_password",
    # An invitation is for its address, whatever role it brings: not a team permission.
    "auth.invitation",
    "auth.invitation_signin",
    "auth.invitation_signup",
    "auth.accept_invitation",
    "auth.two_factor_signin",  # sign-in's second step, before any team
    "auth.change_email",  # an emailed link, for its address
    "static",
    "dashboard.index",
}
# Where each permission's control shows, and how to find it there.
CONTROLS: dict[Permission, tuple[str, str]] = {
    Permission.BUY: ("search?country=US&area_code=415&limit=3", "td.offer-action form.buy-form"),
    Permission.RELEASE: ("numbers", "details[data-role=release]"),
    Permission.LABEL: ("numbers", "a[data-role=edit-label]"),
    Permission.ASSIGN: ("numbers", "a[data-role=change-assistant]"),
    Permission.MANAGE_ASSISTANTS: ("assistants", "#assistant-create, a[href$='/edit']"),
    Permission.CHANGE_PLAN: ("plans", "#plans [data-role=choose]"),
    Permission.INVITE: ("settings", "#invite-form"),
    Permission.MANAGE_ROLES: ("settings", "select[data-role=role-select]"),
    Permission.SET_GUARDRAILS: ("settings", "#guardrails-form"),
    Permission.APPROVE_PURCHASES: ("requests", "button[data-role=approve]"),
    Permission.MANAGE_WEBHOOKS: ("settings", "#webhooks-link"),
    Permission.REQUIRE_TWO_FACTOR: ("settings", "#require-two-factor-form"),
}


def page_endpoints(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] != "api"} - {
        "webhooks.telnyx",
        "webhooks.telnyx_calls",
        "webhooks.stripe",
        "agents.mcp_endpoint",  # the MCP server: bearer tokens, tested in tests/agents
        *PUBLIC,
    }


def state(app):
    with app.app_context():
        numbers = db.session.execute(
            sa.select(
                PhoneNumber.id, PhoneNumber.status, PhoneNumber.label, PhoneNumber.assistant_id
            )
        )
        assistants = db.session.execute(sa.select(Assistant.id, Assistant.name))
        hooks = db.session.execute(
            sa.select(
                WebhookEndpoint.id,
                WebhookEndpoint.url,
                WebhookEndpoint.events,
                WebhookEndpoint.enabled,
                WebhookEndpoint.secret,
            )
        )
        sent = db.session.execute(sa.select(WebhookDelivery.id, WebhookDelivery.status))
        return sorted(numbers.all()), sorted(assistants.all()), sorted(hooks), sorted(sent)


def test_every_page_route_names_the_permission_it_needs(app):
    assert page_endpoints(app) == set(ROUTE_PERMISSIONS)
    # Every permission a page route needs has a control the pages hide from roles without it.
    assert {p for p in ROUTE_PERMISSIONS.values() if p} == set(CONTROLS)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_may_do_on_the_pages_what_the_matrix_gives_it(app, role):
    team = Team(app)
    client = team.client(role)
    for endpoint, needed in ROUTE_PERMISSIONS.items():
        method, url, form = team.request(endpoint)
        if "{token}" in url:
            token = {"name": "x", "scopes": "numbers:read", "csrf_token": csrf_token(client)}
            client.post("/settings/tokens", data=token)
            row = soup(client.get("/settings/tokens")).select_one("details[data-role=revoke] form")
            url = row["action"]
        before = state(app)
        data = {**form, "csrf_token": csrf_token(client, "/settings/tokens")}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        if allowed(needed, role):
            assert response.status_code == SUCCESS[endpoint], (endpoint, response.status_code)
            continue
        assert response.status_code == 403, (endpoint, response.status_code)
        page = soup(response)
        assert text(page.select_one("h1")) == "Not allowed"
        assert f"({role}) may not {needed}" in text(page.select_one("main"))
        assert state(app) == before, endpoint


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_pages_show_each_role_only_the_controls_it_may_use(app, role):
    team = Team(app)
    team.number()
    team.assistant()
    team.asked()
    client = team.client(role)
    for permission, (page, selector) in CONTROLS.items():
        shown = soup(client.get(f"/teams/{team.team_id}/{page}")).select(selector)
        assert bool(shown) == allowed(permission, role), (permission, role)
