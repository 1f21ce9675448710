"""Rate limits: per API token on the API (search and purchase apart), per IP on sign-in/up.

Storage is in memory by default and Redis when RATELIMIT_STORAGE_URI says so, so that
several gunicorn workers or hosts share one count.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.accounts.tokens import bearer_token

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def token_key() -> str:
    """The bearer token (hashed: the key is stored), else the client's address."""
    if token := bearer_token(request.headers.get("Authorization")):
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "ip:" + get_remote_address()


def configured(name: str):
    """A limit read from config when the request comes, so tests and deploys can tune it."""
    return lambda: current_app.config[name]


api_search_limit = limiter.limit(configured("RATELIMIT_API_SEARCH"), key_func=token_key)
api_purchase_limit = limiter.limit(configured("RATELIMIT_API_PURCHASE"), key_func=token_key)
signin_limit = limiter.limit(configured("RATELIMIT_SIGNIN"), methods=["POST"])
signup_limit = limiter.limit(configured("RATELIMIT_SIGNUP"), methods=["POST"])
