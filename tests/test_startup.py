"""Start-up: a setting that cannot work, or a database out of reach, is one clear line on
stderr naming the variable and the fix (no traceback), for the flask command and gunicorn."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError
from tests.support import build_app, free_port, listening, teardown_app, wait_until

pytestmark = pytest.mark.any_database  # CI runs it once, not on each database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run_flask(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("STRIPE_", "MAIL_", "BILL", "JOBS_", "REDIS"))
        },
        "DATABASE_URL": f"sqlite:///{tmp_path}/start.db",
        "SECRET_KEY": "s",
        **env,
    }
    environment.pop("FLASK_APP", None)
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "teams", "--help"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SEARCH_CACHE_SECONDS": "abc"}, "SEARCH_CACHE_SECONDS"),
        ({"TELNYX_ORDER_WAIT": "3s"}, "TELNYX_ORDER_WAIT"),
        ({"RATELIMIT_API_SEARCH": "lots"}, "RATELIMIT_API_SEARCH"),
        ({"PRICE_RATES": "EUR=cheap"}, "PRICE_RATES"),
        ({"PHONE_PROVIDER": "telnyx", "TELNYX_API_KEY": ""}, "TELNYX_API_KEY"),
        ({"PHONE_PROVIDER": "twilio"}, "PHONE_PROVIDER"),
        ({"TELNYX_PUBLIC_KEY": "not-a-key"}, "TELNYX_PUBLIC_KEY"),
        (
            # With mail and BASE_URL set: else their warnings for a production database come first.
            {
                "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                "MAIL_BACKEND": "locmem",
                "BASE_URL": "https://numbers.example.com",
            },
            "DATABASE_URL",
        ),
        ({"BILLING_PROVIDER": "stripe"}, "STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET"),
        ({"BILLING_PROVIDER": "paypal"}, "BILLING_PROVIDER must be sandbox or stripe"),
        ({"MAIL_PORT": "abc"}, "MAIL_PORT='abc'"),
        ({"MAIL_RETRY_HOURS": "forever"}, "MAIL_RETRY_HOURS='forever'"),
        ({"JOBS_REDIS_URL": "127.0.0.1:6379"}, "JOBS_REDIS_URL='127.0.0.1:6379'"),
        ({"JOBS_IMMEDIATE": "maybe"}, "JOBS_IMMEDIATE='maybe'"),
        ({"BASE_URL": "numbers.example.com"}, "BASE_URL='numbers.example.com'"),
        ({"OVER_LIMIT_GRACE_DAYS": "0"}, "OVER_LIMIT_GRACE_DAYS='0' must be a whole number"),
        ({"OVER_LIMIT_GRACE_DAYS": "a week"}, "OVER_LIMIT_GRACE_DAYS='a week'"),
        ({"TEAMS_PER_USER_PER_DAY": "-1"}, "TEAMS_PER_USER_PER_DAY='-1'"),
        ({"SALES_CONTACT_URL": "sales@example.com"}, "SALES_CONTACT_URL='sales@example.com'"),
        ({"SALES_CONTACT_URL": "http://example.com/sales"}, "SALES_CONTACT_URL="),
        ({"SALES_CONTACT_URL": "javascript:alert(1)"}, "SALES_CONTACT_URL="),
        ({"RELEASE_GRACE_MINUTES": "1h"}, "RELEASE_GRACE_MINUTES='1h' must be a whole number"),
        ({"RELEASE_GRACE_MINUTES": "10081"}, "from 0 to 10080"),
        ({"TRUSTED_PROXIES": "x"}, "TRUSTED_PROXIES='x' is not a count of proxies"),
    ],
)
def test_a_bad_setting_is_one_line_that_names_it(tmp_path, env, names):
    result = run_flask(tmp_path, **env)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Cannot start: ") and names in lines[0]
    assert "Traceback" not in result.stderr


def test_good_settings_start(tmp_path):
    result = run_flask(
        tmp_path,
        PRICE_RATES="EUR=1.08, GBP=1.27",
        SEARCH_CACHE_SECONDS="0",
        BASE_URL="https://numbers.example.com/",
        OVER_LIMIT_GRACE_DAYS="14",
        TEAMS_PER_USER_PER_DAY="5",
        SALES_CONTACT_URL="mailto:sales@example.com",
        RELEASE_GRACE_MINUTES="0",
    )
    assert result.returncode == 0, result.stderr
    assert "create" in result.stdout


def test_gunicorn_reads_dotenv_and_refuses_a_bad_value_in_one_line(tmp_path):
    """gunicorn does not read .env itself; the app does, for it as for `flask`."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("app", "migrations", "templates", "static", "wsgi.py"):
        (project / name).symlink_to(ROOT / name)
    (project / ".env").write_text("TELNYX_ORDER_WAIT=3s\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/g.db", "SECRET_KEY": "s"}
    env.pop("TELNYX_ORDER_WAIT", None)
    port = free_port()
    result = subprocess.run(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0  # gunicorn stops instead of restarting workers forever
    ours = [line for line in result.stderr.splitlines() if line.startswith("Cannot start:")]
    assert ours and "TELNYX_ORDER_WAIT='3s'" in ours[0]
    assert "Traceback" not in result.stderr


def test_make_run_serves_on_the_port_asked_for(tmp_path):
    """`make run PORT=...` (the README's front door) serves on that port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/run.db", "SECRET_KEY": "s"}
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: listening(port), timeout=60)
    finally:
        os.killpg(server.pid, 15)
        server.wait(20)


@pytest.mark.parametrize(
    ("raw", "minutes"), [(" 90 ", 90), ("0", 0), ("10080", 10080), ("-5", None), ("1.5", None)]
)
def test_the_release_window_is_whole_minutes_up_to_a_week(tmp_path, raw, minutes):
    if minutes is None:
        with pytest.raises(ConfigError, match=f"RELEASE_GRACE_MINUTES='{raw}' must be a whole"):
            build_app(tmp_path, RELEASE_GRACE_MINUTES=raw)
        return
    app = build_app(tmp_path, RELEASE_GRACE_MINUTES=raw)
    try:
        assert app.config["RELEASE_GRACE_MINUTES"] == minutes
    finally:
        teardown_app(app)
