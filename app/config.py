"""Configuration read from the environment (a .env file is honoured by flask and gunicorn).

Values are read as text at import and checked in `settle_config` when the app is made, so a
bad value stops start-up with one line that names the variable and the fix.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.plans.catalog import PRICE_SETTINGS

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(Exception):
    """A setting that cannot work; the message is one line: the variable, and the fix."""


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


def environment_settings() -> dict[str, Any]:
    """Every setting read from the environment as it is now (as text; checked later)."""
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "PHONE_PROVIDER": os.environ.get("PHONE_PROVIDER", "sandbox"),
        "TELNYX_API_KEY": os.environ.get("TELNYX_API_KEY"),
        "TELNYX_API_BASE": os.environ.get("TELNYX_API_BASE", "https://api.telnyx.com/v2"),
        "TELNYX_CONNECTION_ID": os.environ.get("TELNYX_CONNECTION_ID"),
        # Seconds a purchase waits for Telnyx to settle an order before answering "pending".
        "TELNYX_ORDER_WAIT": os.environ.get("TELNYX_ORDER_WAIT", "3"),
        # 1: read spam risk from Telnyx's Number Reputation (the account must be approved
        # for it and the numbers added to its monitoring); 0: no reputation service.
        "TELNYX_REPUTATION": os.environ.get("TELNYX_REPUTATION", "0"),
        # The account's webhook public key (base64), from the Telnyx portal.
        "TELNYX_PUBLIC_KEY": os.environ.get("TELNYX_PUBLIC_KEY"),
        # USD per unit of another currency ("EUR=1.08,GBP=1.27"); quotes in others are left out.
        "PRICE_RATES": os.environ.get("PRICE_RATES", ""),
        # "https" behind TLS: Secure cookies and HSTS.
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        # How many proxies in front may be believed about X-Forwarded-For/-Proto/-Host (0: none).
        "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES", "0"),
        # Telnyx searches are cached per filter set this many seconds (0 turns it off).
        "SEARCH_CACHE_SECONDS": os.environ.get("SEARCH_CACHE_SECONDS", "30"),
        # The list's serialised answer is kept per team version this many seconds at most (0
        # turns it off). Safe in each process's memory too: a write moves the version.
        "LIST_CACHE_SECONDS": os.environ.get("LIST_CACHE_SECONDS", "300"),
        # The rendered Numbers and search pages likewise (app.dashboard.page_cache; 0: off).
        "PAGE_CACHE_SECONDS": os.environ.get("PAGE_CACHE_SECONDS", "300"),
        # Minutes a released number stays the team's, undoable, before the release sweep gives
        # it back to the provider (0: released at once).
        "RELEASE_GRACE_MINUTES": os.environ.get("RELEASE_GRACE_MINUTES", "60"),
        # Days a campaign keeps calling a recipient from the number it called them from last.
        "CAMPAIGN_STICKY_DAYS": os.environ.get("CAMPAIGN_STICKY_DAYS", "30"),
        # One Redis for everything several workers must share: the search cache and the rate
        # limits. CACHE_REDIS_URL and RATELIMIT_STORAGE_URI, when set, still win for their part.
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "CACHE_REDIS_URL": os.environ.get("CACHE_REDIS_URL"),
        "CACHE_TYPE": None,  # settled: RedisCache with a Redis URL, else SimpleCache
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "pn:"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI"),
        "RATELIMIT_API_SEARCH": os.environ.get("RATELIMIT_API_SEARCH", "120 per minute"),
        "RATELIMIT_API_PURCHASE": os.environ.get("RATELIMIT_API_PURCHASE", "30 per minute"),
        "RATELIMIT_SIGNIN": os.environ.get("RATELIMIT_SIGNIN", "20 per minute"),
        "RATELIMIT_SIGNUP": os.environ.get("RATELIMIT_SIGNUP", "10 per minute"),
        # Per signed-in person: invitations sent (and per team, whoever sends them), and
        # current-password checks on the Account page.
        "RATELIMIT_INVITE": os.environ.get("RATELIMIT_INVITE", "20 per hour"),
        "RATELIMIT_INVITE_TEAM": os.environ.get("RATELIMIT_INVITE_TEAM", "50 per hour"),
        # Resending one invitation (each is another email to the same outside address).
        "RATELIMIT_INVITE_RESEND": os.environ.get("RATELIMIT_INVITE_RESEND", "3 per hour"),
        "RATELIMIT_PASSWORD_CHANGE": os.environ.get(
            "RATELIMIT_PASSWORD_CHANGE", "5 per 15 minutes"
        ),
        # Per person: authenticator or recovery codes tried (sign-in's second step, and
        # turning two-factor off or on); right or wrong, each counts.
        "RATELIMIT_TWO_FACTOR": os.environ.get("RATELIMIT_TWO_FACTOR", "10 per 5 minutes"),
        # Billing: "sandbox" changes plans at once; "stripe" sells them through Stripe Checkout.
        "BILLING_PROVIDER": os.environ.get("BILLING_PROVIDER", "sandbox"),
        "STRIPE_API_KEY": os.environ.get("STRIPE_API_KEY"),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET"),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE"),  # tests point it at a local fake
        # Each paid plan's Stripe price id: STRIPE_PRICE_STARTER, ... (from the catalog).
        **{setting: os.environ.get(setting) for setting in PRICE_SETTINGS.values()},
        # Mail: SMTP when MAIL_SERVER is set, else each message goes to MAIL_OUTBOX_DIR and the
        # log. Checked in app.mail.init_mail, so a typo fails start-up with one line.
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": os.environ.get("MAIL_PORT"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS"),
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Caller ID desk <no-reply@localhost>"
        ),
        "MAIL_TIMEOUT": os.environ.get("MAIL_TIMEOUT"),
        # CA certificates (PEM) the SMTP server's certificate is checked against, in place of
        # the system's; for a mail server with a private CA.
        "MAIL_CA_FILE": os.environ.get("MAIL_CA_FILE"),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox")),
        # An email that cannot be sent is tried again after MAIL_RETRY_DELAY seconds, then
        # twice as long each time (at most an hour apart), for MAIL_RETRY_HOURS at most.
        "MAIL_RETRY_DELAY": os.environ.get("MAIL_RETRY_DELAY"),
        "MAIL_RETRY_HOURS": os.environ.get("MAIL_RETRY_HOURS"),
        # The job queue (app.jobs): Redis when one is given, shared by `flask worker` on any
        # number of hosts; else a SQLite file, worked by the web process itself.
        "JOBS_REDIS_URL": os.environ.get("JOBS_REDIS_URL"),
        "JOBS_SQLITE_PATH": os.environ.get("JOBS_SQLITE_PATH"),
        "JOBS_IMMEDIATE": os.environ.get("JOBS_IMMEDIATE"),
        # Where people reach the site: every emailed link starts with it (never with the
        # request's Host header, which a stranger can set when asking for a password reset).
        # Unset, links follow the local address the app is served at (app.links).
        "BASE_URL": os.environ.get("BASE_URL", ""),
        # Plans: days a team over its plan after a downgrade has to choose what to keep; how
        # many teams a person may create a day; where customers past the largest plan write.
        "OVER_LIMIT_GRACE_DAYS": os.environ.get("OVER_LIMIT_GRACE_DAYS", "7"),
        "TEAMS_PER_USER_PER_DAY": os.environ.get("TEAMS_PER_USER_PER_DAY", "3"),
        "SALES_CONTACT_URL": os.environ.get("SALES_CONTACT_URL", ""),
        # Call routing: the Fernet key SIP passwords are encrypted with (derived from SECRET_KEY
        # when unset).
        "ROUTING_SECRET_KEY": os.environ.get("ROUTING_SECRET_KEY"),
        # Whether webhooks (the team's outgoing endpoints, and assistants answering at a webhook)
        # may be private, loopback or link-local addresses: a deployment's own network, or an
        # agent server on your machine; never on a shared host.
        "WEBHOOKS_ALLOW_PRIVATE": os.environ.get("WEBHOOKS_ALLOW_PRIVATE", "0"),
        # Outgoing webhooks: the key their secrets are encrypted under (default: derived from
        # SECRET_KEY); how long the old secret keeps signing after a rotation.
        "WEBHOOKS_ENCRYPTION_KEY": os.environ.get("WEBHOOKS_ENCRYPTION_KEY"),
        "WEBHOOKS_SECRET_OVERLAP_HOURS": os.environ.get("WEBHOOKS_SECRET_OVERLAP_HOURS", "24"),
        # Minutes a purchase quote (the MCP server's `quote` tool) fixes a number's price.
        "PURCHASE_QUOTE_MINUTES": os.environ.get("PURCHASE_QUOTE_MINUTES", "5"),
    }


class Config:
    SECRET_KEY = None  # filled lazily in create_app so tests never touch instance/
    MAX_CONTENT_LENGTH = 64 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A signed-in session (and "keep me signed in") lasts at most this long.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # werkzeug's method for new password hashes: scrypt, deliberately slow and memory-hard.
    PASSWORD_HASH_METHOD = "scrypt"
    TESTING = False

    @staticmethod
    def secret_key() -> str:
        return _secret_key()

    @classmethod
    def from_environment(cls) -> type[Config]:
        """This configuration with the environment read again now (after a .env is loaded)."""
        return type(cls.__name__, (cls,), environment_settings())


for _name, _value in environment_settings().items():
    setattr(Config, _name, _value)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PHONE_PROVIDER = "sandbox"
    TELNYX_PUBLIC_KEY = None
    PRICE_RATES = ""
    BILLING_PROVIDER = "sandbox"
    WTF_CSRF_ENABLED = True
    # Kept in memory (app.extensions["mailman"].outbox): a developer's MAIL_SERVER is never
    # used by tests, and nothing is written to instance/. The mail tests pick SMTP themselves.
    MAIL_BACKEND = "locmem"
    BASE_URL = "http://127.0.0.1:5000"
    # Each job runs at once, where it is queued: a test sees the email its request caused.
    # The job tests run real workers instead.
    JOBS_IMMEDIATE = "1"
    # Users are made by the hundred in tests: a cheap hash there, scrypt everywhere else.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Tests write rows behind the services' backs (factories, a trial's clock moved), which
    # move no team version: pages are rendered each time, except in the page-cache tests.
    PAGE_CACHE_SECONDS = "0"


def settle_config(config: dict[str, Any]) -> None:
    """Turn the text settings into values, or raise ConfigError naming the one that is wrong."""
    config["TELNYX_ORDER_WAIT"] = _number(config, "TELNYX_ORDER_WAIT", float, "3")
    config["SEARCH_CACHE_SECONDS"] = _number(config, "SEARCH_CACHE_SECONDS", int, "30")
    config["LIST_CACHE_SECONDS"] = _number(config, "LIST_CACHE_SECONDS", int, "300")
    config["PAGE_CACHE_SECONDS"] = _number(config, "PAGE_CACHE_SECONDS", int, "300")
    config["PRICE_RATES"] = _rates(config.get("PRICE_RATES"))
    config["TRUSTED_PROXIES"] = _number(config, "TRUSTED_PROXIES", int, "1", "a count of proxies")
    # A week at most: a release nobody can see happening for longer is a number forgotten.
    config["RELEASE_GRACE_MINUTES"] = _whole(
        config, "RELEASE_GRACE_MINUTES", "minutes", 0, 7 * 24 * 60, 60
    )
    config["CAMPAIGN_STICKY_DAYS"] = _whole(config, "CAMPAIGN_STICKY_DAYS", "days", 0, 365, 30)
    _shared_storage(config)
    for name in (
        "RATELIMIT_API_SEARCH",
        "RATELIMIT_API_PURCHASE",
        "RATELIMIT_SIGNIN",
        "RATELIMIT_SIGNUP",
        "RATELIMIT_INVITE",
        "RATELIMIT_INVITE_TEAM",
        "RATELIMIT_INVITE_RESEND",
        "RATELIMIT_PASSWORD_CHANGE",
        "RATELIMIT_TWO_FACTOR",
    ):
        _rate_limit(name, config.get(name))
    if config.get("PREFERRED_URL_SCHEME") not in ("http", "https"):
        raise ConfigError(
            f"PREFERRED_URL_SCHEME={config.get('PREFERRED_URL_SCHEME')!r} must be http or https."
        )
    config["BASE_URL"] = _base_url(config.get("BASE_URL")) if config.get("BASE_URL") else None
    config["OVER_LIMIT_GRACE_DAYS"] = _whole(config, "OVER_LIMIT_GRACE_DAYS", "days", 1, 90, 7)
    config["TEAMS_PER_USER_PER_DAY"] = _whole(config, "TEAMS_PER_USER_PER_DAY", "teams", 1, 1000, 3)
    config["PURCHASE_QUOTE_MINUTES"] = _whole(config, "PURCHASE_QUOTE_MINUTES", "minutes", 1, 60, 5)
    config["SALES_CONTACT_URL"] = _contact_url(config.get("SALES_CONTACT_URL"))
    config["ROUTING_SECRET_KEY"] = _fernet_key(config.get("ROUTING_SECRET_KEY"))
    config["WEBHOOKS_ALLOW_PRIVATE"] = _switch(config, "WEBHOOKS_ALLOW_PRIVATE")
    config["TELNYX_REPUTATION"] = _switch(config, "TELNYX_REPUTATION")
    config["WEBHOOKS_SECRET_OVERLAP_HOURS"] = _whole(
        config, "WEBHOOKS_SECRET_OVERLAP_HOURS", "hours", 0, 24 * 7, 24
    )


def _fernet_key(raw: object) -> str | None:
    """A Fernet key (32 bytes, url-safe base64), or None to derive one from SECRET_KEY."""
    text = str(raw or "").strip()
    if not text:
        return None
    from cryptography.fernet import Fernet

    try:
        Fernet(text)
    except ValueError:
        raise ConfigError(
            'ROUTING_SECRET_KEY is not a Fernet key: make one with python -c "from '
            'cryptography.fernet import Fernet; print(Fernet.generate_key().decode())".'
        ) from None
    return text


def _switch(config: dict[str, Any], name: str) -> bool:
    raw = config.get(name)
    if isinstance(raw, bool):
        return raw
    text = str(raw or "0").strip().lower()
    if text not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"{name}={raw!r} must be 0 or 1: write it like {name}=1.")
    return text in ("1", "true", "yes", "on")


def _shared_storage(config: dict[str, Any]) -> None:
    """REDIS_URL fills in the cache's and the limiter's storage unless they are set apart."""
    redis = config.get("REDIS_URL") or None
    config["CACHE_REDIS_URL"] = config.get("CACHE_REDIS_URL") or redis
    if config["CACHE_REDIS_URL"]:
        config["CACHE_TYPE"] = "RedisCache"
    config["CACHE_TYPE"] = config.get("CACHE_TYPE") or "SimpleCache"
    config["RATELIMIT_STORAGE_URI"] = config.get("RATELIMIT_STORAGE_URI") or redis or "memory://"


def _number(
    config: dict[str, Any], name: str, kind: type, example: str, what: str = "a number of seconds"
):
    raw = config.get(name)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = raw
    else:
        try:
            value = kind(str(raw).strip())
        except ValueError:
            raise ConfigError(
                f"{name}={raw!r} is not {what}: write it like {name}={example}."
            ) from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative: write it like {name}={example}.")
    return value


def _whole(config: dict[str, Any], name: str, unit: str, low: int, high: int, example: int) -> int:
    """A whole number of `unit` from low to high, in ASCII digits."""
    raw = config.get(name)
    text = str(raw).strip()
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
        raise ConfigError(
            f"{name}={raw!r} must be a whole number of {unit} from {low} to {high}: "
            f"write it like {name}={example}."
        )
    return int(text)


def _contact_url(raw: object) -> str | None:
    """Where customers past the largest plan reach sales: a mailto: or https address, or none."""
    text = str(raw or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    mail = parts.scheme == "mailto" and "@" in parts.path and not any(c in text for c in ' <>"')
    web = parts.scheme == "https" and bool(parts.netloc) and not any(c in text for c in ' <>"')
    if not (mail or web):
        raise ConfigError(
            f"SALES_CONTACT_URL={raw!r} is not a link customers can follow: write it like "
            "SALES_CONTACT_URL=mailto:sales@example.com or SALES_CONTACT_URL=https://example.com/sales."
        )
    return text


def _rates(raw: object) -> dict[str, Decimal]:
    if isinstance(raw, dict):
        return {str(k).upper(): Decimal(str(v)) for k, v in raw.items()}
    rates: dict[str, Decimal] = {}
    for part in filter(None, (p.strip() for p in str(raw or "").split(","))):
        code, _, rate = part.partition("=")
        try:
            value = Decimal(rate.strip())
        except InvalidOperation:
            value = Decimal(0)
        code = code.strip().upper()
        if len(code) != 3 or not code.isalpha() or not value.is_finite() or value <= 0:
            raise ConfigError(
                f"PRICE_RATES has {part!r}: write USD per unit as CODE=RATE, like "
                "PRICE_RATES=EUR=1.08,GBP=1.27."
            )
        rates[code] = value
    return rates


def _rate_limit(name: str, value: object) -> None:
    from limits import parse_many

    try:
        parse_many(str(value))
    except ValueError:
        raise ConfigError(
            f"{name}={value!r} is not a rate limit: write it like {name}='30 per minute'."
        ) from None


def _base_url(raw: object) -> str:
    text = str(raw or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"BASE_URL={raw!r} is not the site's address: write it like "
            "BASE_URL=https://numbers.example.com (emailed links start with it)."
        )
    return text
