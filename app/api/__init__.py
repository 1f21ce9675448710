"""The JSON API: bearer tokens, JSON in and out, the contract's error envelope."""

from flask import Blueprint

from app.api.envelope import service_error
from app.exceptions import ServiceError

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_error_handler(ServiceError, service_error)

from app.api import (  # noqa: E402, F401  (routes)
    assistants,
    caller_names,
    campaigns,
    guardrails,
    health,
    openapi,
    orders,
    phone_numbers,
    routing,
    webhook_endpoints,
)
