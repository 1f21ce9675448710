"""Each operation's scope in the served document, read from its view's `@token_required` line
(app.api.auth), so the scope is declared once, next to the view, and documented as enforced."""

from __future__ import annotations

import copy
import re
from typing import Any

from flask import Flask

from app.accounts.scopes import SCOPES, Scope

SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token (tt_…), made on the API tokens page or with `flask tokens "
    "create`. Each operation needs one scope, listed in its security requirement and in "
    "x-required-scope; without it the answer is 403 insufficient_scope. Scopes: "
    + "; ".join(f"{scope.name}: {scope.allows}" for scope in SCOPES.values())
    + ". Tokens made before scopes have every scope.",
}


def _shape(path: str) -> str:
    """A path with its parameters blanked: Flask's <id(pn):number_id> and OpenAPI's {numberId}
    both become <>."""
    return re.sub(r"<[^>]+>|\{\w+\}", "<>", path)


def scopes_by_operation(app: Flask) -> dict[tuple[str, str], Scope]:
    """(path shape, method) -> the scope its view requires, for every route that names one."""
    found = {}
    for rule in app.url_map.iter_rules():
        scope = getattr(app.view_functions[rule.endpoint], "required_scope", None)
        if scope is not None:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found[(_shape(rule.rule), method.lower())] = scope
    return found


def with_scopes(document: dict[str, Any], app: Flask) -> dict[str, Any]:
    """The document with every operation's scope as its bearer security requirement (OpenAPI
    3.1 lets a non-OAuth scheme list the roles it needs) and as `x-required-scope`."""
    scopes = scopes_by_operation(app)
    served = copy.deepcopy(document)
    for template, item in served["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            scope = scopes.get((_shape(template), method))
            if scope is None:
                raise LookupError(f"{method.upper()} {template} names no scope in its view")
            operation["security"] = [{"bearer": [scope.name]}]
            operation["x-required-scope"] = scope.name
    return served
