"""Rate limits: per user wherever a user is known (any of their API tokens, or their session),
else per client address; sign-in and sign-up per address.

Counts live where RATELIMIT_STORAGE_URI (or REDIS_URL) says: in process memory by default,
which is right for one process only. Several gunicorn workers or hosts must share Redis, or
each keeps its own count; gunicorn.conf.py warns at start-up when they would not.
The client address is the socket's peer unless TRUSTED_PROXIES says how many proxies in front
may be believed about X-Forwarded-For (app.security).
"""

from __future__ import annotations

import math
import time

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import current_user
from limits import parse

from app.accounts.tokens import bearer_token

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def caller_key() -> str:
    """The user behind the request: a token's user (all their tokens share one count), the
    signed-in user, else the client's address."""
    if (user_id := request_user_id()) is not None:
        return "user:" + user_id
    return "ip:" + get_remote_address()


def request_user_id() -> str | None:
    if bearer_token(request.headers.get("Authorization")) is not None:
        # Imported here: the API's views import this module. Looked up once per request.
        from app.api.auth import token_holder

        holder = token_holder()
        return holder.user.id if holder is not None else None
    if current_user.is_authenticated:
        return current_user.id
    return None


# Blueprints whose views call no rate-limited function inside them (the MCP server's tools do:
# their limits sit on callables, found only while the request runs).
_PAGES = ("dashboard", "auth")


@limiter.request_filter
def _nothing_to_count() -> bool:
    """A page whose view has no limit skips the limiter whole: `limiter.exempt` still resolves
    and checks limits on each request, this does not."""
    if request.blueprint not in _PAGES or request.endpoint is None:
        return False
    unlimited = current_app.extensions.setdefault("unlimited_views", {})
    if (known := unlimited.get(request.endpoint)) is not None:
        return known
    view = current_app.view_functions.get(request.endpoint)
    manager = limiter.limit_manager
    none = (
        view is not None
        and not manager.decorated_limits(get_qualified_name(view))
        and not manager.default_limits
        and not manager.application_limits
        and not manager.blueprint_limits(current_app, request.blueprint)
    )
    unlimited[request.endpoint] = none
    return none


def configured(name: str):
    """A limit read from config when the request comes, so tests and deploys can tune it."""
    return lambda: current_app.config[name]


def _not_searching() -> bool:
    """The search page without a query only shows the form: it costs the provider nothing."""
    return request.method == "GET" and "country" not in request.args


# One search budget per user, shared by the API, the search page and the MCP server's search
# and quote: each search may be a call on the operator's Telnyx quota, whichever surface asks.
search_limit = limiter.shared_limit(
    configured("RATELIMIT_API_SEARCH"),
    scope="search",
    key_func=caller_key,
    exempt_when=_not_searching,
)
api_search_limit = search_limit
# One purchase budget per user, shared by the API, the pages' Buy button and the MCP server.
purchase_limit = limiter.shared_limit(
    configured("RATELIMIT_API_PURCHASE"), scope="purchase", key_func=caller_key
)
signin_limit = limiter.limit(configured("RATELIMIT_SIGNIN"), methods=["POST"])
signup_limit = limiter.limit(configured("RATELIMIT_SIGNUP"), methods=["POST"])


def spend(setting: str, scope: str, key: str) -> int | None:
    """Count one action against a configured limit, for a service that answers a limit with
    a form error rather than a bare 429: None while within it, else the seconds until the
    next one is allowed."""
    if not limiter.enabled:
        return None
    item = parse(current_app.config[setting])
    if limiter.limiter.hit(item, scope, key):
        return None
    reset = limiter.limiter.get_window_stats(item, scope, key).reset_time
    return max(1, math.ceil(reset - time.time()))


def wait_words(seconds: int) -> str:
    """ "a minute", "12 minutes": how long until the limit allows another."""
    minutes = max(1, math.ceil(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"
