"""Stripe Billing through the official library: Checkout, the Customer Portal, webhooks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests
import stripe

from app.billing.base import (
    CHECKOUT_COMPLETED,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_UPDATED,
    BillingError,
    BillingEvent,
    Checkout,
    WebhookSignatureError,
)
from app.plans.catalog import DEFAULT_PLAN

DEFAULT_TOLERANCE = 300  # seconds; Stripe's own default for webhook timestamps
_KINDS = {
    "checkout.session.completed": CHECKOUT_COMPLETED,
    "customer.subscription.updated": SUBSCRIPTION_UPDATED,
    "customer.subscription.deleted": SUBSCRIPTION_DELETED,
}
# Nothing is being paid for any more: the team falls back to the free plan.
_ENDED = frozenset({"canceled", "unpaid", "incomplete_expired"})
# Paying, or about to: past_due keeps the plan while Stripe retries the card.
_PAYING = frozenset({"active", "trialing", "past_due"})
# A checkout that needs no payment (a trial, a 100% coupon) is as good as paid.
_SETTLED = frozenset({"paid", "no_payment_required"})


def _id(value: Any) -> str | None:
    """An object's id whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _billing_error(exc: stripe.StripeError) -> BillingError:
    """Stripe's failure as one sentence that keeps Stripe's own message."""
    detail = (exc.user_message or "").strip() or "no detail given"
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        prefix = "Stripe refused the API key"
    elif isinstance(exc, stripe.RateLimitError):
        prefix = "Stripe is limiting requests, try again shortly"
    elif isinstance(exc, stripe.APIConnectionError):
        prefix = "Could not reach Stripe"
    elif isinstance(exc, stripe.APIError):
        prefix = "Stripe failed"
    else:
        prefix = "Stripe refused the request"
    # Some error classes (RateLimitError, AuthenticationError) drop code and param: read
    # them from Stripe's body instead.
    body = exc.json_body.get("error") if isinstance(exc.json_body, dict) else None
    fields = body if isinstance(body, dict) else {}
    return BillingError(
        f"{prefix}: {detail}",
        code=exc.code or fields.get("code"),
        param=getattr(exc, "param", None) or fields.get("param"),
        http_status=exc.http_status,
    )


class StripeBilling:
    """Subscriptions sold through Stripe Checkout; Stripe's webhooks say when they change."""

    name = "stripe"
    is_sandbox = False
    # Stripe's hosted Checkout and Customer Portal pages.
    redirect_origins = ("https://checkout.stripe.com", "https://billing.stripe.com")

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        prices: Mapping[str, str],
        *,
        api_base: str | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        max_network_retries: int = 1,
        webhook_tolerance: int = DEFAULT_TOLERANCE,
        session: requests.Session | None = None,
    ):
        self._prices = dict(prices)  # plan key -> Stripe price id
        self._plans = {price: plan for plan, price in self._prices.items()}
        self._webhook_secret = webhook_secret
        self._tolerance = webhook_tolerance
        self._session = session or requests.Session()
        http_client = stripe.RequestsClient(
            timeout=(connect_timeout, read_timeout), session=self._session
        )
        # The library adds "/v1/..." itself, so a base given as ".../v1" would double it.
        base = {"api": api_base.rstrip("/").removesuffix("/v1")} if api_base else None
        # The library retries connection errors, 409 and 5xx with one Idempotency-Key per
        # call, so a retried POST never creates a second session. One retry keeps the worst
        # case (two read timeouts) inside a web worker's 30 s.
        self._client = stripe.StripeClient(
            api_key,
            base_addresses=base,
            http_client=http_client,
            max_network_retries=max_network_retries,
        )

    def close(self) -> None:
        self._session.close()

    def start_checkout(
        self,
        team_id: str,
        plan_key: str,
        customer_id: str | None,
        customer_email: str,
        success_url: str,
        cancel_url: str,
    ) -> Checkout:
        """A Checkout Session in subscription mode for the plan's price; raises BillingError."""
        price = self._prices.get(plan_key)
        if price is None:
            raise BillingError(f"There is no Stripe price for the {plan_key!r} plan.", param="plan")
        # On the session for checkout.session.completed, and on the subscription it creates
        # for every customer.subscription.* event after it.
        metadata = {"team_id": team_id, "plan": plan_key}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": price, "quantity": 1}],
            "client_reference_id": team_id,
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_id:
            params["customer"] = customer_id
        else:
            params["customer_email"] = customer_email
        session = self._call(self._client.v1.checkout.sessions.create, params)
        url, session_id = getattr(session, "url", None), getattr(session, "id", None)
        if not url or not session_id:
            raise BillingError("Stripe created a checkout session without a URL.")
        return Checkout.redirect(plan_key, url, session_id)

    def portal_url(self, customer_id: str, return_url: str) -> str | None:
        """A Customer Portal session's one-time URL; raises BillingError."""
        params = {"customer": customer_id, "return_url": return_url}
        portal = self._call(self._client.v1.billing_portal.sessions.create, params)
        url = getattr(portal, "url", None)
        if not url:
            raise BillingError("Stripe created a portal session without a URL.")
        return url

    def parse_webhook(self, payload: bytes, signature_header: str | None) -> BillingEvent | None:
        """The event if it is signed with our secret within the tolerance; None if ignored."""
        try:
            event = self._client.construct_event(
                payload, signature_header, self._webhook_secret, self._tolerance
            )
        except stripe.SignatureVerificationError as exc:
            raise WebhookSignatureError(f"Stripe webhook refused: {exc.user_message}") from exc
        except UnicodeDecodeError as exc:  # raised before the signature is even checked
            raise WebhookSignatureError("Stripe webhook refused: the body is not UTF-8.") from exc
        except ValueError as exc:
            raise BillingError("The signed Stripe webhook is not a JSON event.") from exc
        data = event.to_dict()
        kind = _KINDS.get(str(data.get("type")))
        if kind is None:
            return None
        obj = (data.get("data") or {}).get("object")
        if not isinstance(obj, dict):
            raise BillingError(f"The Stripe event {data.get('id')} has no data.object.")
        if kind == CHECKOUT_COMPLETED:
            return self._checkout_completed(data, obj)
        return self._subscription_changed(data, kind, obj)

    # -- helpers -----------------------------------------------------------------------

    def _call(self, create: Callable[..., Any], params: dict[str, Any]) -> Any:
        try:
            return create(params=params)
        except stripe.StripeError as exc:
            raise _billing_error(exc) from exc

    def _checkout_completed(self, event: dict, session: dict) -> BillingEvent | None:
        if session.get("mode") != "subscription":
            return None  # a one-off payment is not a plan change
        metadata = session.get("metadata") or {}
        plan = metadata.get("plan")
        # An unpaid session (a slow payment method) settles later through
        # customer.subscription.updated, so it promises nothing yet.
        if plan not in self._prices or session.get("payment_status") not in _SETTLED:
            plan = None
        return BillingEvent(
            event_id=str(event.get("id")),
            kind=CHECKOUT_COMPLETED,
            team_id=session.get("client_reference_id") or metadata.get("team_id"),
            plan_key=plan,
            customer_id=_id(session.get("customer")),
            subscription_id=_id(session.get("subscription")),
            status=session.get("payment_status"),
            created=int(event.get("created") or 0),
        )

    def _subscription_changed(self, event: dict, kind: str, sub: dict) -> BillingEvent:
        status = sub.get("status")
        if kind == SUBSCRIPTION_DELETED or status in _ENDED:
            plan = DEFAULT_PLAN
        elif status in _PAYING:
            plan = self._plan_of(sub)
        else:
            plan = None  # incomplete (first payment pending) or paused: no change yet
        return BillingEvent(
            event_id=str(event.get("id")),
            kind=kind,
            team_id=(sub.get("metadata") or {}).get("team_id"),
            plan_key=plan,
            customer_id=_id(sub.get("customer")),
            subscription_id=_id(sub.get("id")),
            status=status,
            created=int(event.get("created") or 0),
        )

    def _plan_of(self, sub: dict) -> str | None:
        """The plan of the first subscription item whose price we sell."""
        items = (sub.get("items") or {}).get("data") or []
        for item in items:
            plan = self._plans.get(_id(item.get("price")) if isinstance(item, dict) else None)
            if plan is not None:
                return plan
        return None
