"""Webhooks from outside services: signed, verified, applied once."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from app.webhooks import stripe, telnyx, telnyx_calls  # noqa: E402, F401  (routes)
