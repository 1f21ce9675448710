"""Telnyx v2: the numbers API (search, order, settle, find, release) and its webhooks."""

from app.providers.telnyx.provider import TelnyxProvider

__all__ = ["TelnyxProvider"]
