"""Telephony providers behind one interface; the app holds one, built from its config."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from flask import current_app

from app.config import ConfigError
from app.providers.base import Provider


class ProviderConfigError(ConfigError):
    """The configured provider cannot be built (unknown name, missing key)."""


def build_provider(
    config,
    held: Callable[[list[str]], Collection[str]],
    owned: Callable[[], Iterable[tuple[str, str]]],
) -> Provider:
    """The provider the configuration names; `held` and `owned` let the sandbox see the platform."""
    name = config["PHONE_PROVIDER"]
    if name == "sandbox":
        from app.providers.sandbox import SandboxProvider

        return SandboxProvider(held=held, owned=owned)
    if name == "telnyx":
        from app.providers.telnyx import TelnyxProvider

        if not config.get("TELNYX_API_KEY"):
            raise ProviderConfigError(
                "PHONE_PROVIDER is telnyx but TELNYX_API_KEY is not set: "
                "set it in the environment or .env, or use PHONE_PROVIDER=sandbox."
            )
        return TelnyxProvider(
            config["TELNYX_API_KEY"],
            config["TELNYX_API_BASE"],
            order_wait=config["TELNYX_ORDER_WAIT"],
        )
    raise ProviderConfigError(f"PHONE_PROVIDER must be sandbox or telnyx, not {name!r}.")


def current_provider() -> Provider:
    return current_app.extensions["phone_provider"]
