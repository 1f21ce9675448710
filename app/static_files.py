"""Static files with a content hash in their URLs, so browsers may cache them for a year."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request

ONE_YEAR = 365 * 24 * 3600


def init_static_files(app: Flask) -> None:
    versions: dict[str, str] = {}

    def version(filename: str) -> str:
        # Hashed once per process (a deploy restarts it); recomputed in debug for live edits.
        if app.debug or filename not in versions:
            path = Path(app.static_folder or "") / filename
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            except OSError:
                digest = "missing"
            versions[filename] = digest
        return versions[filename]

    @app.url_defaults
    def hash_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            values["v"] = version(values["filename"])

    @app.after_request
    def cache_versioned_static(response: Response) -> Response:
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and request.args.get("v") == version(request.view_args["filename"])
        ):
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
