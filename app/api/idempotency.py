"""The Idempotency-Key header on money-like API calls (purchase, release)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, jsonify, request

from app import idempotency
from app.accounts import team_for_user
from app.api.auth import api_user
from app.api.errors import service_error
from app.errors import ServiceError, ValidationFailed

HEADER = "Idempotency-Key"


def idempotent(team_id_of: Callable[[], object]):
    """Replay the first answer for a repeated key; team_id_of reads the team from the request."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                return view(*args, **kwargs)
            if not idempotency.valid_key(key):
                limit = idempotency.MAX_KEY_LENGTH
                raise ValidationFailed(
                    {HEADER: f"{HEADER} must be 1 to {limit} printable characters."}
                )
            team_id = team_id_of()
            if not isinstance(team_id, str) or not team_id:
                return view(*args, **kwargs)  # the view reports the missing team
            team = team_for_user(api_user(), team_id)  # never reveal another team's keys
            request_print = idempotency.fingerprint(
                request.method,
                request.path,
                sorted(request.args.items(multi=True)),
                request.get_json(silent=True)
                if request.is_json
                else request.get_data(as_text=True),
            )
            replay = idempotency.claim(team.id, key, request_print)
            if replay is not None:
                response = jsonify(replay.body)
                response.status_code = replay.status_code
                response.headers["Idempotent-Replayed"] = "true"
                return response
            try:
                response = view(*args, **kwargs)
            except ServiceError as error:
                response = service_error(error)  # a refusal is an answer, replayed like any
            except Exception:
                idempotency.release(team.id, key)
                raise
            answer = current_app.make_response(response)
            idempotency.complete(
                team.id, key, answer.status_code, answer.get_json(silent=True) or {}
            )
            return answer

        return wrapped

    return decorate
