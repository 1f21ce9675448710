"""`flask numbers reconcile`: the Telnyx account against the platform, in one table."""

import threading

from app.extensions import db
from app.models import AuditEvent, PhoneNumber
from app.numbers.reconciling import reconcile
from tests.helpers import buy
from tests.invariants import assert_accounts_agree
from tests.telnyx import NUMBER, OTHER


def run(app, *flags):
    result = app.test_cli_runner().invoke(args=["numbers", "reconcile", *flags])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def setup_drift(app, client, factory, fake):
    """One orphan (owned at Telnyx, held by no team) and one missing (held here, gone there)."""
    member = factory.member("growth")
    assert buy(client, member, NUMBER).status_code == 200
    fake.owned[next(iter(fake.owned))]["status"] = "deleted"  # deleted in the portal
    orphan_id = fake.add_owned(OTHER)
    return member, orphan_id


def test_a_clean_account_reports_nothing(app, client, factory, fake):
    buy(client, factory.member("growth"), NUMBER)
    assert run(app) == ["0 orphaned, 0 missing"]


def test_drift_is_reported_and_nothing_changes_without_a_flag(app, client, factory, fake):
    member, orphan_id = setup_drift(app, client, factory, fake)
    lines = run(app)
    assert lines[0].split() == [
        "number",
        "finding",
        "provider",
        "id",
        "at",
        "provider",
        "team",
        "here",
        "action",
    ]
    orphan = next(line for line in lines if line.startswith(OTHER))
    missing = next(line for line in lines if line.startswith(NUMBER))
    assert orphan.split()[:3] == [OTHER, "orphan", orphan_id]
    assert missing.split()[1] == "missing" and member.team_id in missing
    assert lines[-1] == "1 orphaned, 1 missing"
    assert fake.owned[orphan_id]["status"] == "active"
    with app.app_context():
        assert db.session.scalar(db.select(PhoneNumber.status)) == "active"


def test_the_flags_release_orphans_and_mark_the_missing(app, client, factory, fake):
    member, orphan_id = setup_drift(app, client, factory, fake)
    lines = run(app, "--release-orphans", "--mark-missing")
    assert "released at provider" in next(line for line in lines if line.startswith(OTHER))
    assert "marked released" in next(line for line in lines if line.startswith(NUMBER))
    assert fake.owned[orphan_id]["status"] == "deleted"
    with app.app_context():
        assert db.session.scalar(db.select(PhoneNumber.status)) == "released"
        (event,) = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "missing"))
        assert event.subject == NUMBER
    assert run(app) == ["0 orphaned, 0 missing"]
    assert_accounts_agree(app, fake)


def test_a_purchase_in_flight_is_never_an_orphan(app, client, factory, fake):
    fake.hold_orders = True
    buy(client, factory.member("growth"), NUMBER)  # pending at Telnyx, pending here
    fake.add_owned(NUMBER, status="purchase-pending")  # Telnyx lists it while it provisions
    assert run(app) == ["0 orphaned, 0 missing"]


def test_two_hosts_marking_at_once_record_each_number_once(app, client, factory, fake):
    setup_drift(app, client, factory, fake)
    barrier = threading.Barrier(2)
    actions = []

    def host():
        with app.app_context():
            barrier.wait(timeout=10)
            actions.extend(f.action for f in reconcile(release_orphans=True, mark_missing=True))
            db.session.remove()

    threads = [threading.Thread(target=host) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert actions.count("marked released") == 1  # the other host found it changed
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "missing"))
        assert len(list(events)) == 1
    assert run(app) == ["0 orphaned, 0 missing"]
