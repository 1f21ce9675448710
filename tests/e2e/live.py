"""A real server on 127.0.0.1 and Debian's Chromium, for the browser tests and the screenshots."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from tests.support import build_app, teardown_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveServer:
    app: Flask
    url: str


@contextmanager
def live_server(tmp_path: Path, **overrides) -> Iterator[LiveServer]:
    """The app on a fresh database, served by werkzeug on an ephemeral port in a thread.

    `overrides` are config values (an SMTP server's, say); emailed links point at the server.
    """
    app = build_app(tmp_path, **overrides)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        teardown_app(app)


def chromium_path() -> str:
    """Debian's Chromium, or a clear error: these tests never download a browser."""
    path = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}: install it with "
            "`apt-get install -y chromium` (make browser / .ci/run do this), or set CHROMIUM."
        )
    return path


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
