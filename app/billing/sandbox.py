"""The embedded billing provider: no account, no network, plans change at once."""

from __future__ import annotations

from app.billing.base import (
    BillingError,
    BillingEvent,
    Checkout,
    Invoice,
    WebhookSignatureError,
)
from app.plans.catalog import PLAN_KEYS


class SandboxBilling:
    """Every plan change is granted on the spot; there is nothing to pay and no portal."""

    name = "sandbox"
    is_sandbox = True
    redirect_origins: tuple[str, ...] = ()

    def start_checkout(
        self,
        team_id: str,
        plan_key: str,
        customer_id: str | None,
        customer_email: str,
        success_url: str,
        cancel_url: str,
    ) -> Checkout:
        """The plan is the team's now; the caller records it."""
        if plan_key not in PLAN_KEYS:
            raise BillingError(f"There is no plan {plan_key!r}.", param="plan")
        return Checkout.now(plan_key)

    def portal_url(self, customer_id: str, return_url: str) -> str | None:
        """None: the sandbox has no billing portal; plans are changed with start_checkout."""
        return None

    def parse_webhook(self, payload: bytes, signature_header: str | None) -> BillingEvent | None:
        """Refuses every webhook: nothing sends the sandbox any, so a caller is a stranger."""
        raise WebhookSignatureError("The sandbox billing provider takes no webhooks.")

    def expire_checkout(self, checkout_id: str) -> str:
        """The sandbox opens no checkouts: there is nothing to close."""
        return "expired"

    def cancel_subscription(self, subscription_id: str) -> None:
        """The sandbox keeps no subscriptions."""
        raise BillingError("The sandbox billing provider has no subscriptions.")

    def list_invoices(self, customer_id: str, limit: int) -> list[Invoice]:
        """The sandbox issues no invoices: its monthly statements stand in for them."""
        return []
