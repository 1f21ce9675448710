"""The application factory."""

from __future__ import annotations

import logging

from flask import Flask, request

from app.config import Config
from app.extensions import cache, csrf, db, login_manager, migrate
from app.mail import init_mail
from app.ratelimit import limiter
from app.security import init_security
from app.static_files import init_static_files


def create_app(config_class: type[Config] = Config) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=False,
    )
    app.config.from_object(config_class)
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
    init_security(app)
    init_static_files(app)
    # Batch mode lets Alembic alter SQLite tables; compare_type keeps autogenerate honest.
    migrate.init_app(
        app, db, directory=str(_root() / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)

    from app.ids import PrefixedIdConverter

    app.url_map.converters["id"] = PrefixedIdConverter
    from app.api import bp as api_bp
    from app.api.errors import http_error, internal_error

    csrf.exempt(api_bp)  # bearer tokens, not cookies: no CSRF to forge
    app.register_blueprint(api_bp)

    from app.auth import bp as auth_bp
    from app.dashboard import bp as dashboard_bp
    from app.dashboard.errors import error_page

    login_manager.login_view = "auth.signin"
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)

    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if _is_api_request():
            return http_error(error)
        return error_page(error)

    @app.errorhandler(Exception)
    def handle_exception(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_error(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api_request():
            return internal_error(error)
        if app.debug:
            raise error  # the interactive debugger, locally
        return error_page(error)

    from app import cli
    from app.providers import build_provider

    cli.register(app)
    app.extensions["phone_provider"] = build_provider(app)
    logging.getLogger("app").setLevel(logging.INFO)
    return app


def _is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
