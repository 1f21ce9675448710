"""Configuration read from the environment (a .env file is honoured by `flask`)."""

import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'phonenumbers.db'}"
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    SECRET_KEY = None  # filled lazily in create_app so tests never touch instance/
    SQLALCHEMY_DATABASE_URI = _database_url()
    PHONE_PROVIDER = os.environ.get("PHONE_PROVIDER", "sandbox")
    TELNYX_API_KEY = os.environ.get("TELNYX_API_KEY")
    TELNYX_API_BASE = os.environ.get("TELNYX_API_BASE", "https://api.telnyx.com/v2")
    TELNYX_CONNECTION_ID = os.environ.get("TELNYX_CONNECTION_ID")
    # Seconds a purchase waits for Telnyx to settle an order before answering "pending".
    TELNYX_ORDER_WAIT = float(os.environ.get("TELNYX_ORDER_WAIT", "3"))
    MAX_CONTENT_LENGTH = 64 * 1024
    # "https" behind a TLS-terminating proxy: Secure cookies, HSTS, X-Forwarded-* trusted.
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Telnyx searches are cached per filter set this many seconds (0 turns it off);
    # in process memory by default, in Redis when CACHE_REDIS_URL is set.
    SEARCH_CACHE_SECONDS = int(os.environ.get("SEARCH_CACHE_SECONDS", "30"))
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_TYPE = "RedisCache" if CACHE_REDIS_URL else "SimpleCache"
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "pn:")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_API_SEARCH = os.environ.get("RATELIMIT_API_SEARCH", "120 per minute")
    RATELIMIT_API_PURCHASE = os.environ.get("RATELIMIT_API_PURCHASE", "30 per minute")
    RATELIMIT_SIGNIN = os.environ.get("RATELIMIT_SIGNIN", "20 per minute")
    RATELIMIT_SIGNUP = os.environ.get("RATELIMIT_SIGNUP", "10 per minute")
    # Mail: SMTP when MAIL_SERVER is set, else each message goes to MAIL_OUTBOX_DIR and the log.
    # Kept as text here and checked in app.mail.init_mail, so a typo fails start-up with one line.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = os.environ.get("MAIL_PORT")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Caller ID desk <no-reply@localhost>"
    )
    MAIL_TIMEOUT = os.environ.get("MAIL_TIMEOUT")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    TESTING = False

    @staticmethod
    def secret_key() -> str:
        return _secret_key()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PHONE_PROVIDER = "sandbox"
    WTF_CSRF_ENABLED = True
    # Kept in memory (app.extensions["mailman"].outbox): a developer's MAIL_SERVER is never
    # used by tests, and nothing is written to instance/. The mail tests pick SMTP themselves.
    MAIL_BACKEND = "locmem"
