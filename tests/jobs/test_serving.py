"""`flask run` (what `make run` serves with) works the job queue itself when there is no Redis:
a password reset asked for on the page lands in the outbox folder. `flask worker` refuses to
start when jobs run where they are queued."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import requests

from tests.factories import Factory
from tests.jobs.helpers import ROOT, eventually
from tests.support import build_app, free_port, listening, teardown_app

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_flask_run_sends_a_reset_email_with_no_redis(tmp_path):
    app = build_app(tmp_path)
    outbox = tmp_path / "outbox"
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "MAIL_", "JOBS_"))},
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "flask-run",
        "MAIL_OUTBOX_DIR": str(outbox),
        "JOBS_SQLITE_PATH": str(tmp_path / "queue.db"),  # on PostgreSQL: not under instance/
        "FLASK_SKIP_DOTENV": "1",
    }
    environment.pop("FLASK_DEBUG", None)
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    server = subprocess.Popen(
        [flask, "--app", "wsgi", "run", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        user = Factory(app).member()
        eventually(lambda: listening(port), timeout=30)
        session = requests.Session()
        url = f"http://127.0.0.1:{port}/forgot-password"
        token = CSRF.search(session.get(url, timeout=10).text).group(1)
        answer = session.post(url, data={"email": user.email, "csrf_token": token}, timeout=10)
        assert answer.status_code == 200
        eventually(lambda: outbox.exists() and any(outbox.iterdir()))
        [sent] = list(outbox.iterdir())
        assert sent.name.endswith("-reset-your-password.eml")
        assert f"To: {user.email}" in sent.read_text()
    finally:
        server.terminate()
        server.wait(10)
        teardown_app(app)


def test_flask_worker_refuses_when_jobs_run_where_queued(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code == 1
    assert "JOBS_IMMEDIATE is on" in result.output
