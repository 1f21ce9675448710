"""`flask numbers reconcile`: the Telnyx account against the platform, in one table."""

import threading

from app.extensions import db
from app.models import AuditEvent, PhoneNumber
from app.numbers.reconciling import reconcile
from tests.helpers import buy
from tests.invariants import assert_accounts_agree
from tests.telnyx import NUMBER, OTHER

PHONES = "/v2/phone_numbers"


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


def test_a_number_shifted_off_the_paged_list_mid_scan_is_rechecked_not_marked(
    app, client, factory, fake, monkeypatch
):
    """Telnyx's list pages by offset: a number deleted between two pages shifts the next one
    onto the page already read. That one is still billed: it must not be marked released."""
    monkeypatch.setattr("app.providers.telnyx.http.PAGE_SIZE", 2)
    member = factory.member("growth")
    third, fourth = "+14155550125", "+14155550126"
    for number in (third, fourth):
        fake.add_available(number)
    for number in (NUMBER, OTHER, third, fourth):
        assert buy(client, member, number).status_code == 200
    first_id = next(i for i, r in fake.owned.items() if r["phone_number"] == NUMBER)

    def deleted_in_the_portal():
        fake.owned.pop(first_id)  # gone from the account's list: page 2 now starts at `fourth`

    fake.before("GET", "/phone_numbers", deleted_in_the_portal, query={"page[number]": "2"})
    # The first was read before it went (the next run finds it); the third was never listed.
    assert run(app, "--mark-missing") == ["0 orphaned, 0 missing"]
    with app.app_context():
        rows = db.session.execute(db.select(PhoneNumber.phone_number, PhoneNumber.status))
        statuses = {number: status for number, status in rows}
    assert statuses == {NUMBER: "active", OTHER: "active", third: "active", fourth: "active"}
    rechecked = [r.query.get("filter[phone_number]") for r in fake.requests_to("GET", PHONES)]
    assert "14155550125" in rechecked  # asked by itself before anything was marked
    lines = run(app, "--mark-missing")  # the next run: the deleted one is missing, and marked
    assert lines[-1] == "0 orphaned, 1 missing"
    assert "marked released" in next(line for line in lines if line.startswith(NUMBER))


def test_a_missing_number_the_provider_cannot_confirm_is_not_marked(app, client, factory, fake):
    member = factory.member("growth")
    assert buy(client, member, NUMBER).status_code == 200
    fake.owned[next(iter(fake.owned))]["status"] = "deleted"
    listing = {"data": [], "meta": {"total_pages": 1}}
    fake.fail("GET", "/phone_numbers", status=200, body=listing)  # the list: empty
    fake.fail("GET", "/phone_numbers", status=500, times=3)  # the recheck: no answer
    lines = run(app, "--mark-missing")
    assert "unconfirmed" in next(line for line in lines if line.startswith(NUMBER))
    with app.app_context():
        assert db.session.scalar(db.select(PhoneNumber.status)) == "active"
