"""The invariant between the provider account and the platform, checked from both sides."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import HELD, SCHEDULED, NumberStatus, PhoneNumber

NOT_OURS = ("deleted", "purchase-failed")


def assert_accounts_agree(app, fake) -> None:
    """Every number the fake account owns is held by exactly one team here; every number held
    here is owned there (active ↔ active; a pending order here ↔ a pending order there)."""
    with fake.lock:
        owned = {
            r["phone_number"]: r["status"]
            for r in fake.owned.values()
            if r["status"] not in NOT_OURS
        }
        pending_orders = {
            entry["phone_number"]
            for order in fake.orders.values()
            for entry in order["phone_numbers"]
            if entry["status"] == "pending"
        }
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                PhoneNumber.phone_number,
                PhoneNumber.status,
                PhoneNumber.team_id,
                PhoneNumber.status_reason,
            ).where(PhoneNumber.status.in_(HELD))
        ).all()
    holders: dict[str, list[str]] = {}
    for number, _status, team, _reason in rows:
        holders.setdefault(number, []).append(team)
    orphans = [n for n in owned if len(holders.get(n, [])) != 1]
    assert not orphans, f"owned at the provider but not held by exactly one team: {orphans}"
    for number, status, _team, reason in rows:
        if status == NumberStatus.ACTIVE or reason == SCHEDULED:
            # A release waiting out its grace window keeps working: the provider still has it.
            assert owned.get(number) == "active", f"{number} is {status} here, not owned there"
        elif status == NumberStatus.RELEASING:
            pass  # asked back: the provider may have it still, or not any more
        else:
            assert status == NumberStatus.PENDING and number in pending_orders, (
                f"{number} is {status} here with no pending order there"
            )
