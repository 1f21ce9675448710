"""The OpenAPI document, served at /api/openapi.json."""

from app.api import bp
from app.api.openapi.document import DOCUMENT


@bp.get("/openapi.json")
def openapi_document():
    return DOCUMENT
