"""The JSON API (contract: shared/api-contract.md): bearer tokens, JSON in and out."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from app.api import assistants, errors, openapi, phone_numbers  # noqa: E402, F401  (routes)
