"""Every non-2xx API answer is the contract's error envelope, never HTML."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from app.api import bp
from app.errors import PlanLimitReached, ServiceError, ValidationFailed

STATUS_BY_CODE = {
    "invalid_request": 400,
    "unauthorized": 401,
    "plan_limit_reached": 403,
    "team_not_found": 404,
    "not_found": 404,
    "method_not_allowed": 405,
    "number_unavailable": 409,
    "payload_too_large": 413,
    "idempotency_key_reused": 422,
    "idempotency_key_in_use": 409,
    "rate_limited": 429,
    "internal_error": 500,
    "provider_error": 502,
    "provider_timeout": 504,
}
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


def error_response(
    code: str, message: str, status: int | None = None, **extra: Any
) -> tuple[Response, int]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields := extra.pop("fields", None):
        error["fields"] = fields
    body = {"success": False, "error": error, **extra}
    return jsonify(body), status or STATUS_BY_CODE.get(code, 400)


@bp.errorhandler(ServiceError)
def service_error(error: ServiceError):
    if isinstance(error, ValidationFailed):
        return error_response(error.code, error.message, fields=error.fields)
    if isinstance(error, PlanLimitReached):
        return error_response(error.code, error.message, eligibility=error.eligibility)
    return error_response(error.code, error.message)


def http_error(error: HTTPException):
    """Registered app-wide for /api paths (unknown URLs never reach the blueprint)."""
    status = error.code or 500
    code = CODE_BY_STATUS.get(status, "internal_error" if status >= 500 else "invalid_request")
    messages = {
        429: f"Too many requests (limit: {error.description}); retry after Retry-After seconds.",
        404: "No such API endpoint.",
        405: "This endpoint does not accept that method.",
        413: "The request body is too large.",
    }
    response, status = error_response(code, messages.get(status, error.description), status)
    if status == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, status


def internal_error(error: Exception):
    return error_response("internal_error", "Something went wrong on our side.", 500)
