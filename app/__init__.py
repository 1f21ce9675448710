"""The application factory."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, request
from werkzeug.exceptions import HTTPException

from app.accounts import team_version  # noqa: F401  (its session events move team versions)
from app.agents import init_agents
from app.config import Config, ConfigError, settle_config
from app.extensions import cache, csrf, db, login_manager, migrate
from app.jobs import init_jobs
from app.json_provider import BoundedJSONProvider
from app.mail import init_mail
from app.mail.settings import base_url_warning, outbox_warning
from app.ratelimit import limiter
from app.security import allow_form_targets, init_security
from app.static_files import init_static_files

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] = Config) -> Flask:
    """The app; ConfigError (one line: the variable and the fix) if a setting cannot work."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_object(config_class)
    settle_config(app.config)
    app.json = BoundedJSONProvider(app)
    app.json.sort_keys = False  # keep the contract's field order: "success" first
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_class.secret_key()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Concurrent purchases wait for the team's write lock instead of failing at once.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})

    db.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    init_mail(app)
    for warning in (outbox_warning(app.config), base_url_warning(app.config)):
        if warning is not None:
            app.logger.warning(warning)
    if not app.config.get("BASE_URL"):
        from app.links import remember_served_at

        app.before_request(remember_served_at)
    init_security(app)
    init_static_files(app)
    # Batch mode lets Alembic alter SQLite tables; compare_type keeps autogenerate honest.
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    _register_blueprints(app)
    _register_error_handlers(app)

    from app import cli
    from app.billing import build_billing
    from app.numbers.queries import held_from, held_numbers
    from app.providers import build_provider

    cli.register(app)
    init_jobs(app)
    init_agents(app)
    provider = build_provider(app.config, held_numbers, lambda: held_from("sandbox"))
    app.extensions["phone_provider"] = provider
    app.extensions["billing"] = billing = build_billing(app.config)
    allow_form_targets(app, billing.redirect_origins)
    app.extensions["telnyx_webhook_key"] = _telnyx_key(app.config.get("TELNYX_PUBLIC_KEY"))
    logging.getLogger("app").setLevel(logging.INFO)
    return app


def create_app_or_exit() -> Flask:
    """For gunicorn and the flask command: a bad setting or an unreachable database is one
    line on stderr and exit status 3, not a traceback (3 is gunicorn's "worker failed to
    boot": it stops, rather than restarting workers that can never start)."""
    from dotenv import find_dotenv, load_dotenv

    # gunicorn does not read .env by itself; like `flask`, look from where it was started.
    load_dotenv(find_dotenv(usecwd=True))
    try:
        app = create_app(Config.from_environment())
        _check_database(app)
    except ConfigError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        raise SystemExit(3) from None
    if _serving_with_flask_run():
        from app.jobs.worker import start_in_process

        start_in_process(app)  # gunicorn starts it in each worker (gunicorn.conf.py)
    return app


def _serving_with_flask_run() -> bool:
    """Whether this process is `flask run`'s server (not its reloader, nor another command)."""
    import click
    from flask.helpers import get_debug_flag
    from werkzeug.serving import is_running_from_reloader

    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return False
    reload = context.params.get("reload")
    return is_running_from_reloader() or not (get_debug_flag() if reload is None else reload)


def _register_blueprints(app: Flask) -> None:
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.dashboard import bp as dashboard_bp
    from app.ids import PrefixedIdConverter
    from app.webhooks import bp as webhooks_bp

    app.url_map.converters["id"] = PrefixedIdConverter
    csrf.exempt(api_bp)  # bearer tokens, not cookies: no CSRF to forge
    csrf.exempt(webhooks_bp)  # signed by the sender instead
    login_manager.login_view = "auth.signin"
    for blueprint in (api_bp, webhooks_bp, auth_bp, dashboard_bp):
        app.register_blueprint(blueprint)


def _register_error_handlers(app: Flask) -> None:
    from app.api.envelope import http_error, internal_error
    from app.dashboard.error_pages import error_page

    def machine_request() -> bool:
        return request.path.startswith(("/api/", "/webhooks/")) or request.path in ("/api", "/mcp")

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        return http_error(error) if machine_request() else error_page(error)

    @app.errorhandler(Exception)
    def handle_exception(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_error(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if machine_request():
            return internal_error(error)
        if app.debug:
            raise error  # the interactive debugger, locally
        return error_page(error)


def _telnyx_key(text: str | None):
    if not text:
        return None
    from app.providers.telnyx.webhooks import public_key

    try:
        return public_key(text)
    except ValueError as error:
        raise ConfigError(
            f"TELNYX_PUBLIC_KEY is {error}: copy the public key from the Telnyx portal."
        ) from None


def _check_database(app: Flask) -> None:
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
        raise ConfigError(
            f"DATABASE_URL: cannot connect to {url.render_as_string(hide_password=True)} "
            f"({reason}): start the database or fix DATABASE_URL."
        ) from None
