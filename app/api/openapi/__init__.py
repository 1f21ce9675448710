"""The OpenAPI document, served at /api/openapi.json with each operation's scope."""

from flask import current_app

from app.api import bp
from app.api.openapi.document import DOCUMENT
from app.api.openapi.security import with_scopes


@bp.get("/openapi.json")
def openapi_document():
    # Built once per app: the scopes come from the app's own views.
    served = current_app.extensions.get("openapi_document")
    if served is None:
        served = current_app.extensions["openapi_document"] = with_scopes(DOCUMENT, current_app)
    return served
