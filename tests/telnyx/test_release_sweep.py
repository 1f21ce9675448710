"""A scheduled release on Telnyx: the number keeps working there through its grace window, the
sweep gives it back after, and Undo racing the sweep's DELETE loses cleanly (or wins, before)."""

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from app.extensions import db
from app.models import PhoneNumber, utcnow
from app.numbers.sweeps import release_due
from tests.helpers import assert_error, bought_id, listed
from tests.invariants import assert_accounts_agree
from tests.support import wait_until
from tests.telnyx import NUMBER

NUMBERS = "/v2/phone_numbers/*"
ROOT = Path(__file__).resolve().parent.parent.parent


def release(client, member, number_id):
    return client.delete(
        f"/api/phone-numbers/{number_id}",
        query_string={"teamId": member.team_id},
        headers=member.headers,
    )


def undo(client, member, number_id):
    return client.post(
        f"/api/phone-numbers/{number_id}/undo-release",
        json={"teamId": member.team_id},
        headers=member.headers,
    )


def sweep(app) -> int:
    with app.app_context():
        return release_due(utcnow() + timedelta(minutes=61))


def state(app, number_id) -> tuple[str, str | None]:
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        return number.status, number.status_reason


def deletes(fake) -> int:
    return sum(1 for r in fake.requests if r.method == "DELETE")


def test_the_number_works_at_telnyx_until_the_sweep_releases_it(app, client, factory, fake):
    member = factory.member("growth")
    number_id = bought_id(client, member, NUMBER)
    assert release(client, member, number_id).get_json()["phoneNumber"]["status"] == "releasing"
    assert deletes(fake) == 0  # nothing asked of Telnyx yet: it still answers calls
    assert_accounts_agree(app, fake)
    assert sweep(app) == 1
    assert deletes(fake) == 1 and [r["status"] for r in fake.owned.values()] == ["deleted"]
    assert state(app, number_id) == ("released", None)
    assert_accounts_agree(app, fake)


def test_undo_before_the_sweep_asks_telnyx_nothing(app, client, factory, fake):
    member = factory.member("growth")
    number_id = bought_id(client, member, NUMBER)
    release(client, member, number_id)
    assert undo(client, member, number_id).status_code == 200
    assert sweep(app) == 0 and deletes(fake) == 0
    assert state(app, number_id) == ("active", None)
    assert_accounts_agree(app, fake)


def test_undo_while_the_sweeps_delete_is_in_flight_is_too_late(app, client, factory, fake):
    member = factory.member("growth")
    number_id = bought_id(client, member, NUMBER)
    release(client, member, number_id)
    answer = threading.Event()  # Telnyx takes the DELETE; its answer waits for the test
    fake.fail("DELETE", NUMBERS, until=answer, process=True)
    counts: list[int] = []
    sweeper = threading.Thread(target=lambda: counts.append(sweep(app)))
    sweeper.start()
    try:
        wait_until(lambda: deletes(fake) == 1)
        body = assert_error(undo(client, member, number_id), 409, "number_unavailable")
        assert body["error"]["message"] == (
            f"Too late to undo: {NUMBER} is being released at the provider now. "
            "Search for it again once it is released, if you want it back."
        )
        row = listed(client, member).get_json()["numbers"][0]
        assert (row["state"], row["release_at"]) == ("releasing", None)  # no longer undoable
    finally:
        answer.set()
        sweeper.join(30)
    assert counts == [1] and state(app, number_id) == ("released", None)
    assert_accounts_agree(app, fake)


def test_a_deletion_lock_keeps_it_scheduled_and_still_undoable(app, client, factory, fake):
    member = factory.member("growth")
    number_id = bought_id(client, member, NUMBER)
    release(client, member, number_id)
    (owned_id,) = fake.owned
    fake.owned[owned_id]["deletion_lock_enabled"] = True
    assert sweep(app) == 0 and deletes(fake) == 1
    assert state(app, number_id) == ("releasing", "scheduled")  # for the next run
    assert_accounts_agree(app, fake)
    assert undo(client, member, number_id).status_code == 200
    assert state(app, number_id) == ("active", None)
    assert_accounts_agree(app, fake)


def test_an_answer_that_never_came_is_finished_by_sync(app, client, factory, fake, sync):
    member = factory.member("growth")
    number_id = bought_id(client, member, NUMBER)
    release(client, member, number_id)
    fake.fail("DELETE", NUMBERS, delay=1.0, drop=True, process=True, effect_later=True)
    assert sweep(app) == 0
    assert state(app, number_id) == ("releasing", "release")
    assert_error(undo(client, member, number_id), 409, "number_unavailable")
    assert sync() == "1 of 1 pending numbers settled"
    assert state(app, number_id) == ("released", None)
    assert_accounts_agree(app, fake)


def test_a_sweep_killed_mid_release_is_finished_by_sync(app, client, factory, fake, sync):
    """`flask numbers release-due` killed (SIGKILL) while Telnyx holds its DELETE's answer."""
    member = factory.member("growth")
    number_id = bought_id(client, member, NUMBER)
    release(client, member, number_id)
    answer = threading.Event()
    fake.fail("DELETE", NUMBERS, until=answer, process=True)
    later = (utcnow() + timedelta(minutes=61)).isoformat()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "sweep-test",
        "PHONE_PROVIDER": "telnyx",
        "TELNYX_API_KEY": "key-for-tests",
        "TELNYX_API_BASE": fake.base_url,
    }
    flask = Path(sys.executable).parent / "flask"
    run = subprocess.Popen(
        [str(flask), "--app", "wsgi", "numbers", "release-due", "--now", later],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: deletes(fake) == 1, timeout=30)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(15)
    finally:
        answer.set()
    assert state(app, number_id) == ("releasing", "release")  # claimed, never confirmed
    assert_error(undo(client, member, number_id), 409, "number_unavailable")
    assert sweep(app) == 0  # not the sweep's any more
    assert sync() == "1 of 1 pending numbers settled"
    assert state(app, number_id) == ("released", None)
    assert_accounts_agree(app, fake)
