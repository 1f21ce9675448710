"""The one interface every billing provider implements, what it returns, and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from app.config import ConfigError

# BillingEvent.kind values: the subscription facts the app acts on. A checkout paid later (a
# bank debit) completes unpaid, then CHECKOUT_COMPLETED again once paid, or CHECKOUT_FAILED.
CHECKOUT_COMPLETED = "checkout_completed"
CHECKOUT_FAILED = "checkout_failed"
CHECKOUT_EXPIRED = "checkout_expired"
SUBSCRIPTION_UPDATED = "subscription_updated"
SUBSCRIPTION_DELETED = "subscription_deleted"
EVENT_KINDS = (
    CHECKOUT_COMPLETED,
    CHECKOUT_FAILED,
    CHECKOUT_EXPIRED,
    SUBSCRIPTION_UPDATED,
    SUBSCRIPTION_DELETED,
)
# Subscription statuses after which a subscription never charges again (Stripe's
# "canceled" and "incomplete_expired" are terminal): its later events change nothing.
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


@dataclass(frozen=True)
class Checkout:
    """The answer to "move this team to that plan": applied already, or go pay first.

    changed_now: the plan is the team's from now on (the sandbox); the caller records it.
    Otherwise redirect_url is where to send the browser and session_id names the payment
    session; the plan changes only when the provider's webhook confirms it.
    """

    plan_key: str
    changed_now: bool
    redirect_url: str | None = None
    session_id: str | None = None

    def __post_init__(self) -> None:
        # Exactly one of the two shapes, so a caller can never both apply and redirect.
        redirect = (self.redirect_url, self.session_id)
        if (self.changed_now and redirect != (None, None)) or (
            not self.changed_now and not all(redirect)
        ):
            raise ValueError("A Checkout either changes the plan now or has a redirect URL.")

    @classmethod
    def now(cls, plan_key: str) -> Checkout:
        """The plan changed at once; nothing to pay."""
        return cls(plan_key, changed_now=True)

    @classmethod
    def redirect(cls, plan_key: str, url: str, session_id: str) -> Checkout:
        """The customer must finish paying at url first."""
        return cls(plan_key, changed_now=False, redirect_url=url, session_id=session_id)


@dataclass(frozen=True)
class BillingEvent:
    """A verified provider notification, reduced to what the app needs.

    team_id comes from the metadata we attached at checkout (None if the subscription was
    made elsewhere: then look the team up by customer_id). plan_key is the plan the team
    should be on now, "free" when the subscription ended, or None when the event says
    nothing certain (an unpaid checkout, an unknown price). created is the provider's Unix
    time: events may arrive out of order, so a caller can ignore one older than the last.
    """

    event_id: str
    kind: str
    team_id: str | None
    plan_key: str | None
    customer_id: str | None
    subscription_id: str | None
    status: str | None
    created: int = 0
    checkout_id: str | None = None  # the Checkout Session a checkout event is about


@dataclass(frozen=True)
class Invoice:
    """One of the customer's invoices at the billing provider, as the Plans page lists it.

    hosted_url and pdf_url are the provider's own pages (None while an invoice is a draft).
    """

    invoice_id: str
    number: str | None
    status: str  # draft | open | paid | uncollectible | void (Stripe's words)
    total: Decimal  # in the currency's main unit (dollars, not cents)
    currency: str  # ISO 4217, upper case
    created: datetime
    hosted_url: str | None
    pdf_url: str | None


class BillingError(Exception):
    """The billing provider refused or failed; message is fit to show or log."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        http_status: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code  # the provider's own error code, e.g. "resource_missing"
        self.param = param  # the request parameter it names, e.g. "customer"
        self.http_status = http_status


class WebhookSignatureError(BillingError):
    """A webhook whose signature is missing, wrong or too old: answer 400, act on nothing."""


class BillingConfigError(ConfigError):
    """The configured billing provider cannot be built (unknown name, missing settings)."""


class BillingProvider(Protocol):
    name: str
    is_sandbox: bool
    # Where start_checkout and portal_url send the browser (allowed by the pages' CSP).
    redirect_origins: tuple[str, ...]

    def start_checkout(
        self,
        team_id: str,
        plan_key: str,
        customer_id: str | None,
        customer_email: str,
        success_url: str,
        cancel_url: str,
    ) -> Checkout:
        """Begin moving the team to plan_key; raises BillingError."""

    def portal_url(self, customer_id: str, return_url: str) -> str | None:
        """A one-time link to manage the subscription, or None if there is no portal."""

    def parse_webhook(self, payload: bytes, signature_header: str | None) -> BillingEvent | None:
        """The verified event, or None for event types the app ignores."""

    def expire_checkout(self, checkout_id: str) -> str:
        """Closes an open checkout so it can no longer be paid; answers its status after
        ("expired", or "complete" when it was paid first); raises BillingError."""

    def cancel_subscription(self, subscription_id: str) -> None:
        """Ends a subscription now (a duplicate one); raises BillingError."""

    def list_invoices(self, customer_id: str, limit: int) -> list[Invoice]:
        """The customer's newest invoices (at most limit), newest first; raises BillingError."""
