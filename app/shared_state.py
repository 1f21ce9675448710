"""What several worker processes must share: rate-limit counts and the search cache.

In process memory each gunicorn worker keeps its own: four workers let four times the limit
through, and a number bought through one worker can still be offered from another's cache.
gunicorn.conf.py asks here at start-up and warns loudly when that would happen.
"""

from __future__ import annotations

from typing import Any

BANNER = "!" * 78


def unshared(config: dict[str, Any]) -> list[str]:
    """The settled settings that keep state in one process's memory."""
    kept = []
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        kept.append("rate-limit counts (RATELIMIT_STORAGE_URI=memory://)")
    if config.get("CACHE_TYPE") == "SimpleCache" and config.get("SEARCH_CACHE_SECONDS"):
        kept.append("the search cache (CACHE_TYPE SimpleCache)")
    return kept


def workers_warning(config: dict[str, Any], workers: int) -> str | None:
    """The start-up warning for `workers` processes on these settings, or None if they share."""
    kept = unshared(config)
    if workers <= 1 or not kept:
        return None
    lines = [
        BANNER,
        f"WARNING: {workers} workers, and each keeps its own {' and '.join(kept)}.",
        f"A limit of 30 a minute lets up to {workers} x 30 through. Set REDIS_URL (for example",
        "REDIS_URL=redis://127.0.0.1:6379/0) so every worker shares one count and one cache.",
        BANNER,
    ]
    return "\n".join(lines)


def settings_from_environment() -> dict[str, Any]:
    """The app's settings as the workers will settle them (without building the app)."""
    from app.config import Config, settle_config

    settings = Config.from_environment()
    config = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    settle_config(config)
    return config
