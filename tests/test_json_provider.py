"""The app writes JSON with orjson through Flask's provider: the same meaning as Flask's own
writer, for every kind of value the app answers with; reading keeps its depth limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask.json.provider import DefaultJSONProvider

from app.json_provider import MAX_DEPTH, TooDeep

pytestmark = pytest.mark.any_database  # CI runs it once, not on each database

VALUES = {
    "success": True,
    "count": 2,
    "label": "Ligne d'accueil — Zürich ☎",
    "nothing": None,
    "price": Decimal("1.50"),
    "when": datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
    "numbers": [{"id": "pn_1", "is_trial": False, "trial_expires_at": None}],
    "big": 2**70,  # beyond orjson's 64 bits: written the slow way, not refused
}


def test_orjson_writes_what_flask_would_mean(app):
    flask_own = DefaultJSONProvider(app)
    assert json.loads(app.json.dumps(VALUES)) == json.loads(flask_own.dumps(VALUES))
    assert list(json.loads(app.json.dumps(VALUES))) == list(VALUES)  # the order kept


def test_responses_are_compact_utf8_with_a_newline(app):
    with app.test_request_context():
        response = app.json.response(VALUES)
    assert response.mimetype == "application/json"
    body = response.get_data()
    assert body.endswith(b"\n") and b"\n" not in body[:-1]
    assert json.loads(body)["label"] == VALUES["label"]


def test_reading_still_refuses_deep_nesting(app):
    with pytest.raises(TooDeep):
        app.json.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert app.json.loads('{"a": [1, 2]}') == {"a": [1, 2]}
