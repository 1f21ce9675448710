"""The Idempotency-Key header on money-like API calls (purchase, release)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request

from app import idempotency
from app.api.envelope import error_body
from app.exceptions import ServiceError, ValidationFailed

HEADER = "Idempotency-Key"


Body = dict[str, Any]


def once(team_id: str, call: Callable[[], Body | tuple[Body, int]]) -> Response | Any:
    """Run `call` (the view's work) once per key and request; replay its answer after that.

    `call` answers a body (200) or a body and its status. Called once the team is
    authorised, so a key is never claimed for another team.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return call()
    if not idempotency.valid_key(key):
        limit = idempotency.MAX_KEY_LENGTH
        raise ValidationFailed({HEADER: f"{HEADER} must be 1 to {limit} visible ASCII characters."})
    request_print = idempotency.fingerprint(
        request.method,
        request.path,
        sorted(request.args.items(multi=True)),
        request.get_json(silent=True) if request.is_json else request.get_data(as_text=True),
    )

    def answer() -> idempotency.Answer:
        try:
            result = call()
        except ServiceError as error:  # a refusal is an answer, replayed like any
            return idempotency.Answer(error.status, error_body(error))
        body, status = result if isinstance(result, tuple) else (result, 200)
        return idempotency.Answer(status, body)

    result, replayed = idempotency.run_once(team_id, key, request_print, answer)
    response = jsonify(result.body)
    response.status_code = result.status
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
