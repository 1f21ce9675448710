"""Billing providers behind one interface; build one from the app's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.billing.base import (
    CHECKOUT_COMPLETED,
    CHECKOUT_EXPIRED,
    CHECKOUT_FAILED,
    ENDED_STATUSES,
    EVENT_KINDS,
    SUBSCRIPTION_DELETED,
    SUBSCRIPTION_UPDATED,
    BillingConfigError,
    BillingError,
    BillingEvent,
    BillingProvider,
    Checkout,
    WebhookSignatureError,
)
from app.plans.catalog import PRICE_SETTINGS

__all__ = [
    "CHECKOUT_COMPLETED",
    "CHECKOUT_EXPIRED",
    "CHECKOUT_FAILED",
    "ENDED_STATUSES",
    "EVENT_KINDS",
    "PRICE_SETTINGS",
    "SUBSCRIPTION_DELETED",
    "SUBSCRIPTION_UPDATED",
    "BillingConfigError",
    "BillingError",
    "BillingEvent",
    "BillingProvider",
    "Checkout",
    "WebhookSignatureError",
    "build_billing",
    "current_billing",
]


def current_billing() -> BillingProvider:
    """The app's billing provider, built once at start-up."""
    from flask import current_app

    return current_app.extensions["billing"]


def _setting(config: Mapping[str, Any], name: str) -> str:
    value = config.get(name)
    return value.strip() if isinstance(value, str) else ""


def build_billing(config: Mapping[str, Any]) -> BillingProvider:
    """The provider BILLING_PROVIDER names (sandbox by default); raises BillingConfigError."""
    name = _setting(config, "BILLING_PROVIDER").lower() or "sandbox"
    if name == "sandbox":
        from app.billing.sandbox import SandboxBilling

        return SandboxBilling()
    if name != "stripe":
        raise BillingConfigError(f"BILLING_PROVIDER must be sandbox or stripe, not {name!r}.")

    required = ["STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", *PRICE_SETTINGS.values()]
    missing = [setting for setting in required if not _setting(config, setting)]
    if missing:
        them = "them" if len(missing) > 1 else "it"
        raise BillingConfigError(
            f"BILLING_PROVIDER=stripe needs {', '.join(missing)}: set {them} in the "
            "environment or .env, or use BILLING_PROVIDER=sandbox."
        )
    api_key = _setting(config, "STRIPE_API_KEY")
    # A publishable key is the usual mix-up; Stripe would only refuse it at the first sale.
    if not api_key.startswith(("sk_", "rk_")):
        raise BillingConfigError(
            "STRIPE_API_KEY must be a secret key (sk_... or rk_...), not a publishable key."
        )
    prices = {plan: _setting(config, setting) for plan, setting in PRICE_SETTINGS.items()}
    if len(set(prices.values())) < len(prices):
        # Webhooks map a price back to its plan, so one price for two plans is ambiguous.
        raise BillingConfigError(
            f"{', '.join(PRICE_SETTINGS.values())} must be different Stripe price ids."
        )

    from app.billing.stripe_billing import StripeBilling

    return StripeBilling(
        api_key,
        _setting(config, "STRIPE_WEBHOOK_SECRET"),
        prices,
        api_base=_setting(config, "STRIPE_API_BASE") or None,
    )
