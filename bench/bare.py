"""The bare endpoint: a Flask app that serves, from memory, the exact bytes the real app answered.

Served by the same gunicorn layout as the app, it is the ceiling the benchmark compares
against: HTTP, WSGI and Flask routing, and nothing else (no auth, no database, no JSON).

BENCH_BARE_DIR holds NAME.body and NAME.type files; GET /NAME answers them.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, abort


def create_bare_app(directory: Path) -> Flask:
    bodies = {
        path.stem: (path.read_bytes(), path.with_suffix(".type").read_text())
        for path in directory.glob("*.body")
    }
    bare = Flask(__name__)

    @bare.get("/")
    def ready():
        return "ok"

    @bare.get("/<name>")
    def body(name: str):
        if name not in bodies:
            abort(404)
        content, content_type = bodies[name]
        return Response(content, content_type=content_type)

    return bare


app = create_bare_app(Path(os.environ.get("BENCH_BARE_DIR", ".")))
