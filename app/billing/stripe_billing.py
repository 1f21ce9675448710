"""Stripe Billing through the official library: Checkout, the Customer Portal, webhooks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
import stripe

from app.billing.base import BillingError, BillingEvent, Checkout, Invoice
from app.billing.stripe_events import billing_event, verified_event

DEFAULT_TOLERANCE = 300  # seconds; Stripe's own default for webhook timestamps


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
        """The event if it is signed with our secret within the tolerance (either way); None
        if ignored; BillingError if its body is not an event as Stripe documents it."""
        data = verified_event(payload, signature_header, self._webhook_secret, self._tolerance)
        return billing_event(data, self._plans)

    def expire_checkout(self, checkout_id: str) -> str:
        """Expires an open Checkout Session (docs.stripe.com/api/checkout/sessions/expire);
        Stripe refuses one that is not open, and then its own status says why."""
        try:
            session = self._client.v1.checkout.sessions.expire(checkout_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return "expired"  # gone from the account: nothing left to pay
            try:
                session = self._client.v1.checkout.sessions.retrieve(checkout_id)
            except stripe.StripeError as again:
                raise _billing_error(again) from again
        except stripe.StripeError as exc:
            raise _billing_error(exc) from exc
        return str(getattr(session, "status", None) or "expired")

    def cancel_subscription(self, subscription_id: str) -> None:
        """Cancels now (DELETE /v1/subscriptions/:id); one already cancelled is fine."""
        try:
            self._client.v1.subscriptions.cancel(subscription_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:  # Stripe calls a cancelled subscription missing
                raise _billing_error(exc) from exc
        except stripe.StripeError as exc:
            raise _billing_error(exc) from exc

    def list_invoices(self, customer_id: str, limit: int) -> list[Invoice]:
        """GET /v1/invoices?customer=…&limit=… (docs.stripe.com/api/invoices/list): newest
        first, as Stripe sorts them; a draft has no number and no hosted page or PDF yet."""
        page = self._call(
            self._client.v1.invoices.list, {"customer": customer_id, "limit": max(1, limit)}
        )
        return [_invoice(item) for item in getattr(page, "data", None) or []]

    # -- helpers -----------------------------------------------------------------------

    def _call(self, create: Callable[..., Any], params: dict[str, Any]) -> Any:
        try:
            return create(params=params)
        except stripe.StripeError as exc:
            raise _billing_error(exc) from exc


# Currencies Stripe counts in whole units, not hundredths (docs.stripe.com/currencies).
_ZERO_DECIMAL = frozenset({
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
    "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
})  # fmt: skip


def _invoice(item: Any) -> Invoice:
    currency = str(getattr(item, "currency", "") or "usd")
    minor = Decimal(int(getattr(item, "total", 0) or 0))
    return Invoice(
        invoice_id=str(item.id),
        number=getattr(item, "number", None),
        status=str(getattr(item, "status", None) or "draft"),
        total=minor if currency in _ZERO_DECIMAL else minor / 100,
        currency=currency.upper(),
        created=datetime.fromtimestamp(int(getattr(item, "created", 0) or 0), UTC),
        hosted_url=getattr(item, "hosted_invoice_url", None),
        pdf_url=getattr(item, "invoice_pdf", None),
    )
