"""Telephony providers behind one interface; the app holds one, built from its config."""

from __future__ import annotations

from flask import Flask, current_app

from app.providers.base import Provider


class ProviderConfigError(RuntimeError):
    """The configured provider cannot be built (unknown name, missing key)."""


def build_provider(app: Flask) -> Provider:
    name = app.config["PHONE_PROVIDER"]
    if name == "sandbox":
        from app.numbers.queries import held_numbers
        from app.providers.sandbox import SandboxProvider

        return SandboxProvider(held=held_numbers)
    if name == "telnyx":
        from app.providers.telnyx import TelnyxProvider

        if not app.config.get("TELNYX_API_KEY"):
            raise ProviderConfigError(
                "PHONE_PROVIDER is telnyx but TELNYX_API_KEY is not set: "
                "set it in the environment or .env, or use PHONE_PROVIDER=sandbox."
            )
        return TelnyxProvider(
            app.config["TELNYX_API_KEY"],
            app.config["TELNYX_API_BASE"],
            order_wait=app.config["TELNYX_ORDER_WAIT"],
        )
    raise ProviderConfigError(f"PHONE_PROVIDER must be sandbox or telnyx, not {name!r}.")


def current_provider() -> Provider:
    return current_app.extensions["phone_provider"]
