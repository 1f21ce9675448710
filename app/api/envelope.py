"""Every non-2xx API answer is the contract's error envelope, never HTML.

Domain exceptions carry their own status and code; Flask's own HTTP errors are named here.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from app.exceptions import InsufficientScope, ServiceError, ValidationFailed

# HTTP errors raised by Flask/Werkzeug itself, in the contract's words.
CODE_BY_STATUS = {
    400: "invalid_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "invalid_request",
    429: "rate_limited",
}
MESSAGES = {
    404: "No such API endpoint.",
    405: "This endpoint does not accept that method.",
    413: "The request body is too large.",
}


def error_body(error: ServiceError) -> dict[str, Any]:
    """The envelope's body for a domain error (what idempotent requests store and replay)."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if isinstance(error, ValidationFailed) and error.fields:
        body["fields"] = error.fields
    if isinstance(error, InsufficientScope):
        body["requiredScope"] = error.scope
    return {"success": False, "error": body, **error.extra}


def service_error(error: ServiceError) -> tuple[Response, int, dict[str, str]]:
    return jsonify(error_body(error)), error.status, error.headers


def http_error(error: HTTPException) -> tuple[Response, int]:
    """Registered app-wide for /api paths (unknown URLs never reach the blueprint)."""
    status = error.code or 500
    code = CODE_BY_STATUS.get(status, "internal_error" if status >= 500 else "invalid_request")
    message = MESSAGES.get(status, error.description)
    if status == 429:
        message = (
            f"Too many requests (limit: {error.description}); retry after Retry-After seconds."
        )
    response = jsonify({"success": False, "error": {"code": code, "message": message}})
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, status


def internal_error(_error: Exception) -> tuple[Response, int]:
    body = {"code": "internal_error", "message": "Something went wrong on our side."}
    return jsonify({"success": False, "error": body}), 500
