"""A setting that cannot work stops start-up with one line naming it, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "MAIL_", "BILLING"))
        },
        "DATABASE_URL": f"sqlite:///{tmp_path}/start.db",
        "SECRET_KEY": "start-test",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"BILLING_PROVIDER": "stripe"}, "STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET"),
        ({"BILLING_PROVIDER": "paypal"}, "BILLING_PROVIDER must be sandbox or stripe"),
        ({"MAIL_PORT": "abc"}, "MAIL_PORT='abc'"),
        ({"BASE_URL": "numbers.example.com"}, "BASE_URL='numbers.example.com'"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_1(tmp_path, env, names):
    result = start(tmp_path, **env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Cannot start: ") and names in lines[0]


def test_good_settings_start(tmp_path):
    result = start(tmp_path, BASE_URL="https://numbers.example.com/")
    assert result.returncode == 0, result.stderr
