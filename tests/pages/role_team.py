"""A team with one signed-in user per role, and how to call each page route for it.

The page role matrix (test_role_matrix.py) calls every route through `Team.request`.
"""

from __future__ import annotations

from app.accounts import invitations
from app.models import Role, utcnow
from tests.factories import PASSWORD, Factory, actor_of, ask, hold
from tests.helpers import german_number, sandbox_number, waiting_for_documents
from tests.pages.helpers import Auth


class Team:
    """A Scale team with one user per role, each signed in on a client of their own."""

    def __init__(self, app):
        factory = Factory(app)
        self.app = app
        owner = factory.member("scale")
        self.team_id = owner.team_id
        self.members = {
            Role.OWNER: owner,
            Role.ADMIN: factory.member(team_id=owner.team_id, role="admin"),
            Role.MEMBER: factory.member(team_id=owner.team_id, role="member"),
        }
        self.factory = factory
        self.count = 0
        self.password = PASSWORD

    def client(self, role: Role):
        self.role = role  # whose account the account pages' requests act on
        client = self.app.test_client()
        assert Auth(client).sign_in(self.members[role]).status_code == 302
        return client

    def colleague(self) -> str:
        """A new member of the team: someone for roles, removal and handing over to."""
        self.count += 1
        return self.factory.member(team_id=self.team_id, role="member").user_id

    def invitation(self) -> str:
        self.count += 1
        with self.app.app_context():
            owner = actor_of(self.members[Role.OWNER])
            return invitations.invite(owner, f"invited{self.count}@example.com").id

    def number(self) -> str:
        self.count += 1
        return self.factory.number(self.members[Role.OWNER], sandbox_number("303", self.count))

    def released_number(self) -> str:
        """A number whose release waits out its grace window (Undo brings it back)."""
        from app.numbers.releasing import release_number

        number_id = self.number()
        with self.app.app_context():
            release_number(actor_of(self.members[Role.OWNER]), number_id)
        return number_id

    def hold(self) -> str:
        self.count += 1
        return hold(self.app, self.members[Role.OWNER], sandbox_number("213", self.count))

    def asked(self) -> str:
        """A purchase request by the team's member, waiting for approval."""
        self.count += 1
        return ask(self.app, self.members[Role.MEMBER], sandbox_number("214", self.count))

    def order(self) -> str:
        from app.numbers.orders import buy_numbers

        self.count += 1
        with self.app.app_context():
            owner = actor_of(self.members[Role.OWNER])
            return buy_numbers(owner, [sandbox_number("213", self.count)]).id

    def waiting(self) -> str:
        """A regulated order waiting for the team's documents."""
        self.count += 1
        return waiting_for_documents(
            self.factory, self.members[Role.OWNER], german_number(self.count)
        )

    def assistant(self) -> str:
        self.count += 1
        return self.factory.assistant(self.members[Role.OWNER], f"Agent {self.count}")

    def answering_number(self) -> str:
        """A number whose assistant answers at a phone (Call me can ring it)."""
        from app.extensions import db
        from app.models import AssistantDestination

        assistant = self.assistant()
        with self.app.app_context():
            db.session.add(
                AssistantDestination(
                    assistant_id=assistant,
                    team_id=self.team_id,
                    kind="phone",
                    address="+14155550199",
                )
            )
            db.session.commit()
        owner = self.members[Role.OWNER]
        self.count += 1
        return self.factory.number(owner, sandbox_number("303", self.count), assistant_id=assistant)

    def webhook(self) -> str:
        """An endpoint of the team on 127.0.0.1's discard port, made through the service (the
        page's own check refuses a loopback URL, so a test event fails at once, offline)."""
        from app.events import endpoints

        self.count += 1
        with self.app.app_context():
            owner = actor_of(self.members[Role.OWNER])
            fields = {"url": f"http://127.0.0.1:9/hooks/{self.count}", "events": ["plan.changed"]}
            return endpoints.create_endpoint(owner, fields).endpoint.id

    def webhook_delivery(self) -> tuple[str, str]:
        """(endpoint id, delivery id): a test event's delivery, finished, so it can be resent."""
        import sqlalchemy as sa

        from app.events import endpoints
        from app.extensions import db
        from app.models import DeliveryStatus, WebhookDelivery, utcnow

        endpoint_id = self.webhook()
        with self.app.app_context():
            owner = actor_of(self.members[Role.OWNER])
            endpoint = endpoints.team_endpoint(owner, endpoint_id)
            delivery = endpoints.send_test(owner, endpoint)
            db.session.execute(
                sa.update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery.id)
                .values(status=DeliveryStatus.FAILED, finished_at=utcnow())
            )
            db.session.commit()
            return endpoint_id, delivery.id

    def campaign(self, numbers: int = 0, destinations: list[str] | None = None) -> str:
        """A campaign of the team's with this many fresh numbers, and coverage if given."""
        from app.campaigns import coverage, pool, service
        from app.extensions import db
        from app.models import Campaign

        self.count += 1
        ids = [self.number() for _ in range(numbers)]
        with self.app.app_context():
            owner = actor_of(self.members[Role.OWNER])
            campaign = service.create_campaign(owner, {"name": f"Campaign {self.count}"})
            if ids:
                pool.add_numbers(owner, campaign, ids)
            if destinations:
                campaign = db.session.get(Campaign, campaign.id)
                counts = coverage.parse_destinations(destinations)
                coverage.set_destinations(owner, campaign, counts)
            return campaign.id

    def authenticator_code(self) -> str:
        """The code the signed-in person's authenticator app shows for their setup secret."""
        import pyotp

        from app.extensions import db
        from app.models import User

        with self.app.app_context():
            user = db.session.get(User, self.members[self.role].user_id)
            return pyotp.TOTP(user.totp_secret).now()

    def other_session(self) -> str:
        """The id of a second session of the signed-in person (another browser)."""
        import sqlalchemy as sa

        from app.extensions import db
        from app.models import LoginSession

        member = self.members[self.role]
        other = self.app.test_client()
        assert Auth(other).sign_in(member.email, self.password).status_code == 302
        with self.app.app_context():
            query = (
                sa.select(LoginSession.id)
                .where(LoginSession.user_id == member.user_id)
                .order_by(LoginSession.created_at.desc())
            )
            return db.session.scalars(query).first()

    def request(self, endpoint: str) -> tuple[str, str, dict]:
        """(method, url, form) that succeeds for the owner: one per page route."""
        team = f"/teams/{self.team_id}"
        match endpoint:
            case "dashboard.numbers" | "dashboard.history" | "dashboard.assistants":
                return "GET", f"{team}/{endpoint.split('.')[1]}", {}
            case "dashboard.campaigns":
                return "GET", f"{team}/campaigns", {}
            case "dashboard.campaign_page":
                return "GET", f"{team}/campaigns/{self.campaign(numbers=1)}", {}
            case "dashboard.create_campaign":
                self.count += 1
                return "POST", f"{team}/campaigns", {"name": f"Outreach {self.count}"}
            case "dashboard.update_campaign":
                form = {"name": "Renamed", "dailyCap": "40", "cooldownSeconds": "5"}
                return "POST", f"{team}/campaigns/{self.campaign()}", form
            case "dashboard.pause_campaign":
                return "POST", f"{team}/campaigns/{self.campaign()}/pause", {"paused": "1"}
            case "dashboard.delete_campaign":
                return "POST", f"{team}/campaigns/{self.campaign(numbers=1)}/delete", {}
            case "dashboard.add_campaign_numbers":
                return "POST", f"{team}/campaigns/{self.campaign()}/numbers", {"ids": self.number()}
            case "dashboard.remove_campaign_number":
                campaign = self.campaign()
                number = self.number()
                from app.campaigns import pool
                from app.extensions import db
                from app.models import Campaign

                with self.app.app_context():
                    owner = actor_of(self.members[Role.OWNER])
                    pool.add_numbers(owner, db.session.get(Campaign, campaign), [number])
                return "POST", f"{team}/campaigns/{campaign}/numbers/{number}/remove", {}
            case "dashboard.set_coverage":
                url = f"{team}/campaigns/{self.campaign(numbers=1)}/coverage"
                return "POST", url, {"destinations": "303\n415\n+12125550123"}
            case "dashboard.fill_gaps":
                campaign = self.campaign(numbers=1, destinations=["303", "415"])
                return "POST", f"{team}/campaigns/{campaign}/fill-gaps", {}
            case "dashboard.save_caller_name":
                url = f"{team}/numbers/{self.number()}/caller-name"
                return "POST", url, {"caller_name": "ACME SUPPORT"}
            case "dashboard.campaign_caller_name":
                url = f"{team}/campaigns/{self.campaign(numbers=1)}/caller-name"
                return "POST", url, {"caller_name": "ACME SUPPORT"}
            case "dashboard.replace":
                return "POST", f"{team}/numbers/{self.number()}/replace", {}
            case "dashboard.search":
                return "GET", f"{team}/search?country=US&area_code=415", {}
            case "dashboard.area_code_field":
                return "GET", f"{team}/search/area-code?country=US", {}
            case "dashboard.assistant_row":
                return "GET", f"{team}/assistants/{self.assistant()}", {}
            case "dashboard.edit_assistant":
                return "GET", f"{team}/assistants/{self.assistant()}/edit", {}
            case "dashboard.number_label":
                return "GET", f"{team}/numbers/{self.number()}/label", {}
            case "dashboard.number_assistant":
                return "GET", f"{team}/numbers/{self.number()}/assistant", {}
            case "dashboard.pick_assistant":
                return "GET", f"{team}/numbers/{self.number()}/assistant/edit", {}
            case "dashboard.number_page":
                return "GET", f"{team}/numbers/{self.number()}", {}
            case "dashboard.number_calls_csv":
                return "GET", f"{team}/numbers/{self.number()}/calls.csv", {}
            case "dashboard.save_routing":
                form = {"assistant_0": "", "fallback": "+14155550199", "outbound": "inbound"}
                return "POST", f"{team}/numbers/{self.number()}/routing", form
            case "dashboard.run_routing_test":
                url = f"{team}/numbers/{self.number()}/test-call"
                return "POST", url, {"caller": "+12125550100", "at": ""}
            case "dashboard.rest_page":
                return "POST", f"{team}/numbers/{self.number()}/rest", {"days": "3"}
            case "dashboard.wake_page":  # a number not resting is answered the same way
                return "POST", f"{team}/numbers/{self.number()}/wake", {}
            case "dashboard.call_me_page":
                url = f"{team}/numbers/{self.answering_number()}/call-me"
                return "POST", url, {"to": "+14155550123"}
            case "dashboard.assistant_destination":
                return "GET", f"{team}/assistants/{self.assistant()}/destination", {}
            case "dashboard.save_destination":
                url = f"{team}/assistants/{self.assistant()}/destination"
                return "POST", url, {"destination_type": "phone", "address": "+14155550199"}
            case "dashboard.numbers_csv":
                return "GET", f"{team}/numbers.csv", {}
            case "dashboard.review_selection":
                return "GET", f"{team}/numbers/selection?action=release&ids={self.number()}", {}
            case "dashboard.act_on_selection":
                url = f"{team}/numbers/selection"
                return "POST", url, {"action": "release", "ids": self.number()}
            case "dashboard.edit_label":
                return "GET", f"{team}/numbers/{self.number()}/label/edit", {}
            case "dashboard.tokens":
                return "GET", "/settings/tokens", {}
            case "dashboard.create_token":
                return "POST", "/settings/tokens", {"name": "CI", "scopes": "numbers:read"}
            case "dashboard.revoke_token":
                return "POST", "/settings/tokens/{token}/revoke", {}
            case "dashboard.buy":
                self.count += 1
                return (
                    "POST",
                    f"{team}/numbers",
                    {"phone_number": sandbox_number("212", self.count)},
                )
            case "dashboard.confirm_release":
                return "GET", f"{team}/numbers/{self.number()}/release", {}
            case "dashboard.cart":
                return "GET", f"{team}/cart", {}
            case "dashboard.order":
                return "GET", f"{team}/orders/{self.order()}", {}
            case "dashboard.hold":
                self.count += 1
                return "POST", f"{team}/cart", {"phone_number": sandbox_number("213", self.count)}
            case "dashboard.remove_hold":
                return "POST", f"{team}/cart/{self.hold()}/remove", {}
            case "dashboard.extend":
                return "POST", f"{team}/cart/{self.hold()}/extend", {}
            case "dashboard.buy_cart":
                self.count += 1
                number = sandbox_number("213", self.count)
                return "POST", f"{team}/cart/buy", {"phone_number": number, "idempotency_key": "k"}
            case "dashboard.release_number":
                return "POST", f"{team}/numbers/{self.number()}/release", {}
            case "dashboard.undo_release":
                return "POST", f"{team}/numbers/{self.released_number()}/undo-release", {}
            case "dashboard.save_label":
                return "POST", f"{team}/numbers/{self.number()}/label", {"label": "Desk"}
            case "dashboard.assign_number":
                url = f"{team}/numbers/{self.number()}/assistant"
                return "POST", url, {"assistant_id": self.assistant()}
            case "dashboard.create_assistant":
                self.count += 1
                return "POST", f"{team}/assistants", {"name": f"New {self.count}"}
            case "dashboard.rename_assistant":
                return "POST", f"{team}/assistants/{self.assistant()}", {"name": "Renamed"}
            case "dashboard.delete_assistant":
                return "POST", f"{team}/assistants/{self.assistant()}/delete", {}
            case "dashboard.plans" | "dashboard.team_settings":
                return "GET", f"{team}/{endpoint.split('.')[1].removeprefix('team_')}", {}
            case "dashboard.set_guardrails":
                return "POST", f"{team}/guardrails", {"spend_cap": "500"}
            case "dashboard.documents":
                return "GET", f"{team}/numbers/{self.waiting()}/documents", {}
            case "dashboard.provide_documents":
                return "POST", f"{team}/numbers/{self.waiting()}/documents", documents()
            case "dashboard.cancel_pending_order":
                return "POST", f"{team}/numbers/{self.waiting()}/cancel-order", {}
            case "dashboard.purchase_requests":
                return "GET", f"{team}/requests", {}
            case "dashboard.approve_purchase":
                return "POST", f"{team}/requests/{self.asked()}/approve", {}
            case "dashboard.deny_purchase":
                return "POST", f"{team}/requests/{self.asked()}/deny", {"note": "Not now"}
            case "dashboard.choose":
                return "POST", f"{team}/plans", {"plan": "growth"}
            case "dashboard.confirm_plan":
                return "GET", f"{team}/plans/starter/confirm", {}
            case "dashboard.keep_numbers":
                return "GET", f"{team}/plans/keep", {}
            case "dashboard.save_kept":
                return "POST", f"{team}/plans/keep", {"keep": self.number()}
            case "dashboard.billing":
                return "POST", f"{team}/billing", {}
            case "dashboard.invite":
                self.count += 1
                return "POST", f"{team}/invitations", {"email": f"new{self.count}@example.com"}
            case "dashboard.revoke_invitation":
                return "POST", f"{team}/invitations/{self.invitation()}/revoke", {}
            case "dashboard.resend_invitation":
                return "POST", f"{team}/invitations/{self.invitation()}/resend", {}
            case "dashboard.history_csv":
                return "GET", f"{team}/history.csv", {}
            case "dashboard.dismiss_onboarding":
                return "POST", f"{team}/onboarding/dismiss", {}
            case "dashboard.statement":
                return "GET", f"{team}/statements/{utcnow():%Y-%m}", {}
            case "dashboard.statement_csv":
                return "GET", f"{team}/statements/{utcnow():%Y-%m}.csv", {}
            case "dashboard.remove_member":
                return "POST", f"{team}/members/{self.colleague()}/remove", {}
            case "dashboard.change_role":
                return "POST", f"{team}/members/{self.colleague()}/role", {"role": "admin"}
            case "dashboard.transfer_ownership":
                return "POST", f"{team}/members/{self.colleague()}/transfer", {}
            case "dashboard.leave_team":
                return "POST", f"{team}/leave", {}
            case "dashboard.new_team":
                return "POST", "/teams/new", {"name": "Side project"}
            case "dashboard.account":
                return "GET", "/account", {}
            case "dashboard.change_password":
                self.count += 1
                new = f"a fresh password {self.count}"
                form = {"current_password": self.password, "password": new}
                self.password = new
                return "POST", "/account/password", form
            case "dashboard.change_name":
                return "POST", "/account/name", {"name": "Renamed Person"}
            case "dashboard.request_email_change":
                self.count += 1
                form = {"email": f"moved{self.count}@example.com", "password": self.password}
                return "POST", "/account/email", form
            case "dashboard.two_factor_page":
                return "GET", "/account/two-factor", {}
            case "dashboard.start_two_factor":
                return "POST", "/account/two-factor/setup", {}
            case "dashboard.confirm_two_factor":
                return "POST", "/account/two-factor/confirm", {"code": self.authenticator_code()}
            case "dashboard.new_recovery_codes":
                return "POST", "/account/two-factor/recovery-codes", {"password": self.password}
            case "dashboard.disable_two_factor":
                return "POST", "/account/two-factor/disable", {"password": self.password}
            case "dashboard.revoke_session":
                return "POST", f"/account/sessions/{self.other_session()}/revoke", {}
            case "dashboard.revoke_other_sessions":
                self.other_session()
                return "POST", "/account/sessions/revoke-others", {}
            case "dashboard.require_two_factor":
                return "POST", f"{team}/two-factor", {}  # unticked: not required
            case "dashboard.webhooks":
                return "GET", f"{team}/webhooks", {}
            case "dashboard.create_webhook":
                self.count += 1
                # A public address written as one: checked without a lookup, never sent to.
                url = f"https://93.184.215.14/hooks/{self.count}"
                return "POST", f"{team}/webhooks", {"url": url, "events": "plan.changed"}
            case "dashboard.webhook_endpoint":
                return "GET", f"{team}/webhooks/{self.webhook()}", {}
            case "dashboard.update_webhook":
                url = "https://93.184.215.14/other"
                form = {"url": url, "events": "number.bought", "enabled": "on"}
                return "POST", f"{team}/webhooks/{self.webhook()}", form
            case "dashboard.rotate_webhook_secret":
                return "POST", f"{team}/webhooks/{self.webhook()}/rotate", {}
            case "dashboard.test_webhook":
                return "POST", f"{team}/webhooks/{self.webhook()}/test", {}
            case "dashboard.resend_webhook":
                endpoint_id, delivery_id = self.webhook_delivery()
                url = f"{team}/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend"
                return "POST", url, {}
            case "dashboard.delete_webhook":
                return "POST", f"{team}/webhooks/{self.webhook()}/delete", {}
            case "dashboard.sign_out_everywhere":
                return "POST", "/account/sign-out-everywhere", {}
        raise AssertionError(f"say how to call {endpoint} in tests/pages/role_team.py")


def documents() -> dict:
    """What the sandbox asks of a German order: two files and an address, all filled in."""
    import io

    address = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "business_name": "Analytical GmbH",
        "street_address": "Unter den Linden 1",
        "locality": "Berlin",
        "postal_code": "10117",
    }
    return {
        "file-sbx-proof-of-address": (io.BytesIO(b"%PDF-1.4 bill"), "bill.pdf"),
        "file-sbx-identity": (io.BytesIO(b"%PDF-1.4 passport"), "passport.pdf"),
        **{f"address-sbx-address-{key}": value for key, value in address.items()},
    }
