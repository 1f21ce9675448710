"""`flask teams enforce-limits` killed with SIGKILL half-way, against Telnyx (the fake, over
HTTP), then run again: exactly the numbers beyond the limit are released, each once at the
provider and once here, the account and the platform agree, and each owner is told once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.billing.plan_changes import change_plan
from app.extensions import db
from app.models import PhoneNumber, Team, utcnow
from tests.factories import Factory
from tests.fakes.telnyx import FakeTelnyx
from tests.invariants import assert_accounts_agree
from tests.pages.helpers import mailbox
from tests.support import build_app, teardown_app, wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
KEY = "sweep-key"


@pytest.fixture
def fake():
    with FakeTelnyx(api_key=KEY) as fake:
        yield fake


@pytest.fixture
def app(tmp_path, fake):
    app = build_app(
        tmp_path, PHONE_PROVIDER="telnyx", TELNYX_API_KEY=KEY, TELNYX_API_BASE=fake.base_url
    )
    yield app
    teardown_app(app)


def deletes(fake) -> list[str]:
    with fake.lock:
        return [r.path for r in fake.requests if r.method == "DELETE"]


def test_killed_mid_release_then_run_again_releases_exactly_the_excess(app, fake, tmp_path):
    factory = Factory(app)
    owner = factory.member("growth")
    ids = []
    for i in range(6):  # bought an hour apart, none assigned: the newest go first
        number = f"+1415555{i:04d}"
        provider_id = fake.add_owned(number)
        ids.append(
            factory.number(
                owner,
                number,
                provider="telnyx",
                provider_number_id=provider_id,
                created_at=utcnow() - timedelta(hours=10 - i),
            )
        )
    with app.app_context():
        team = db.session.get(Team, owner.team_id)
        change_plan(team, "starter", owner.user_id)
        team.grace_ends_at = utcnow() - timedelta(minutes=1)  # the time to choose is over
        db.session.commit()

    answer = threading.Event()  # Telnyx takes the number back, and answers only after the kill
    fake.fail("DELETE", "/phone_numbers/*", until=answer, process=True)
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "sweep-test",
        "PHONE_PROVIDER": "telnyx",
        "TELNYX_API_KEY": KEY,
        "TELNYX_API_BASE": fake.base_url,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    sweep = subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "teams", "enforce-limits"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: deletes(fake), timeout=60)
        os.kill(sweep.pid, signal.SIGKILL)
        sweep.wait(10)
    finally:
        answer.set()
        if sweep.poll() is None:
            sweep.kill()
    with app.app_context():
        states = dict(
            (row.id, row.status)
            for row in db.session.execute(sa.select(PhoneNumber.id, PhoneNumber.status))
        )
    assert sorted(states.values()) == ["active"] * 5 + ["releasing"]  # claimed, then killed

    result = app.test_cli_runner().invoke(args=["teams", "enforce-limits"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("3 numbers released")
    with app.app_context():
        states = dict(
            (row.id, row.status)
            for row in db.session.execute(sa.select(PhoneNumber.id, PhoneNumber.status))
        )
    # The three newest went (none was assigned); the three oldest stay.
    assert [states[i] for i in ids] == ["active"] * 3 + ["released"] * 3
    assert_accounts_agree(app, fake)
    # Three numbers given back; the interrupted one was asked about again (it was gone).
    assert len(deletes(fake)) == 4 and len(set(deletes(fake))) == 3
    told = [m for m in mailbox(app) if "was released" in m.subject]
    assert len(told) == 3 and {m.to[0] for m in told} == {owner.email}
