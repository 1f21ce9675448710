"""Every write to what a team's pages show moves the team's version, in the same transaction:
lists and pages cached or tagged under the old version are stale at once.

Nothing calls for it: app.accounts.team_version moves it from the session's events. Each case
below sets its scene, then drives one write service (through the provider outcome that leads
there) and counts how many transactions moved the version. A write path the events miss (a
new table the pages show, a statement they cannot see) fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import current_app

from app.accounts import members, onboarding
from app.assistants import service as assistants
from app.billing.plan_changes import change_plan
from app.campaigns import pool
from app.campaigns import service as campaigns
from app.extensions import db
from app.guardrails import approvals
from app.guardrails.requests import ask_approval
from app.guardrails.settings import update_guardrails
from app.health.rest import rest_number, wake_number
from app.models import Assistant, PhoneNumber, Team, utcnow
from app.numbers import (
    bulk,
    managing,
    purchasing,
    reconciling,
    releasing,
    settling,
    sweeps,
    trials,
)
from app.plans.custom_limits import set_custom_limit
from app.plans.enforcement import enforce_limits
from app.plans.grace import keep_numbers
from app.providers import current_provider
from app.providers.base import OrderResult, ProviderError
from app.routing.answering import set_destination
from app.routing.store import set_routing
from tests.factories import Factory, Member, actor_of
from tests.helpers import sandbox_number

NUMBER = sandbox_number("415", 0)


def version(team_id: str) -> int:
    return db.session.scalar(sa.select(Team.version).where(Team.id == team_id))


# The team's version once the scene is set (its numbers and assistants are writes too).
_READY: dict[str, int] = {}


def ready(member: Member) -> None:
    """The scene is set: count the write's moves from here."""
    _READY[member.team_id] = version(member.team_id)


def held(factory: Factory, member: Member, **fields) -> PhoneNumber:
    number_id = factory.number(member, NUMBER, **fields)
    return db.session.get(PhoneNumber, number_id)


def refuse(error: ProviderError):
    def provider_call(*_args, **_kwargs):
        raise error

    return provider_call


def buy(factory, member, monkeypatch):
    ready(member)
    purchasing.purchase_number(actor_of(member), NUMBER)


def buy_refused(factory, member, monkeypatch):
    """The provider refuses before placing anything: the reservation is discarded."""
    monkeypatch.setattr(current_provider(), "order", refuse(ProviderError("down")))
    ready(member)
    with pytest.raises(Exception, match="down"):
        purchasing.purchase_number(actor_of(member), NUMBER)


def buy_failed(factory, member, monkeypatch):
    """The provider answers that the order failed: the reservation is forgotten."""
    monkeypatch.setattr(
        current_provider(), "order", lambda *a, **k: OrderResult("failed", detail="sold")
    )
    ready(member)
    with pytest.raises(Exception, match="did not sell"):
        purchasing.purchase_number(actor_of(member), NUMBER)


def sync_settles(factory, member, monkeypatch):
    held(factory, member, status="pending", provider_order_id="sbx-14155550100")
    ready(member)
    settling.sync(timedelta(0))


def webhook_settles(factory, member, monkeypatch):
    held(factory, member, status="pending", provider_order_id="order-1")
    ready(member)
    settling.settle_order("order-1", None, lambda _n: OrderResult("active", "order-1", "pn-1"))


def release(factory, member, monkeypatch):
    """With no grace window: done at once."""
    monkeypatch.setitem(current_app.config, "RELEASE_GRACE_MINUTES", 0)
    number = held(factory, member)
    ready(member)
    releasing.release_number(actor_of(member), number.id)


def release_refused(factory, member, monkeypatch):
    """The provider keeps the number (a deletion lock): releasing, then active again."""
    monkeypatch.setitem(current_app.config, "RELEASE_GRACE_MINUTES", 0)
    number = held(factory, member)
    monkeypatch.setattr(current_provider(), "release", refuse(ProviderError("locked")))
    ready(member)
    with pytest.raises(Exception, match="locked"):
        releasing.release_number(actor_of(member), number.id)


def schedule_release(factory, member, monkeypatch):
    """With a grace window: scheduled, and no longer counted."""
    number = held(factory, member)
    ready(member)
    releasing.release_number(actor_of(member), number.id)


def undo_release(factory, member, monkeypatch):
    number = held(factory, member, status="releasing", status_reason="scheduled")
    number.release_after = utcnow() + timedelta(minutes=5)
    db.session.commit()  # the scene
    ready(member)
    releasing.undo_release(actor_of(member), number.id)


def sweep_releases(factory, member, monkeypatch):
    number = held(factory, member, status="releasing", status_reason="scheduled")
    number.release_after = utcnow() - timedelta(minutes=1)
    db.session.commit()
    ready(member)
    assert sweeps.release_due() == 1


def label(factory, member, monkeypatch):
    number = held(factory, member)
    ready(member)
    managing.set_label(actor_of(member), number, "Support line")


def expire(factory, member, monkeypatch):
    held(factory, member, is_trial=True, trial_expires_at=utcnow() - timedelta(seconds=1))
    ready(member)
    assert trials.expire_trials() == 1


def upgrade(factory, member, monkeypatch):
    """Free to Growth: the plan, then the live trial kept as a regular number."""
    held(factory, member, is_trial=True, trial_expires_at=utcnow() + timedelta(days=1))
    ready(member)
    change_plan(db.session.get(Team, member.team_id), "growth")


def downgrade(factory, member, monkeypatch):
    """Growth to Starter holding 4: the plan and its over-limit grace, in one transaction."""
    for i in range(4):
        factory.number(member, sandbox_number("303", i))
    ready(member)
    change_plan(db.session.get(Team, member.team_id), "starter")
    assert db.session.get(Team, member.team_id).grace_ends_at is not None


def keep(factory, member, monkeypatch):
    """Owners choose the numbers to keep through the grace."""
    ids = [factory.number(member, sandbox_number("303", i)) for i in range(4)]
    _over_without_moving(member)
    ready(member)
    keep_numbers(actor_of(member), ids[:2])


def enforce(factory, member, monkeypatch):
    """The sweep at the end of a grace: claimed, released, and the grace ended."""
    for i in range(4):
        factory.number(member, sandbox_number("303", i))
    ready(member)
    _over_without_moving(member, ended=True)
    assert enforce_limits().released == 1


def custom_limit(factory, member, monkeypatch):
    ready(member)
    set_custom_limit(db.session.get(Team, member.team_id), 20)


def _over_without_moving(member: Member, ended: bool = False) -> None:
    """The team on Starter in a grace, written straight to the table (no version moved)."""
    ends = utcnow() + timedelta(days=-1 if ended else 7)
    db.session.execute(
        sa.update(Team).where(Team.id == member.team_id).values(plan="starter", grace_ends_at=ends)
    )
    db.session.commit()


def mark_missing(factory, member, monkeypatch):
    held(factory, member, activated_at=utcnow() - timedelta(minutes=1))
    monkeypatch.setattr(current_provider(), "owned_numbers", lambda: iter(()))
    ready(member)
    (finding,) = reconciling.reconcile(mark_missing=True)
    assert finding.action == "marked released"


def create_assistant(factory, member, monkeypatch):
    ready(member)
    assistants.create_assistant(actor_of(member), "Ava")


def rename_assistant(factory, member, monkeypatch):
    assistant = _assistant(factory, member)
    ready(member)
    assistants.rename_assistant(actor_of(member), assistant, "Bea")


def delete_assistant(factory, member, monkeypatch):
    assistant = _assistant(factory, member)
    ready(member)
    assistants.delete_assistant(actor_of(member), assistant)


def assign(factory, member, monkeypatch):
    number, assistant = held(factory, member), _assistant(factory, member)
    ready(member)
    assistants.assign_numbers(actor_of(member), assistant, [number.id])


def unassign(factory, member, monkeypatch):
    number = held(factory, member, assistant="Ava")
    ready(member)
    assistants.unassign_number(actor_of(member), number.assistant, number.id)


def assign_selected(factory, member, monkeypatch):
    number, assistant = held(factory, member), _assistant(factory, member)
    ready(member)
    bulk.assign_selected(actor_of(member), assistant.id, [number.id])


def unassign_selected(factory, member, monkeypatch):
    number = held(factory, member, assistant="Ava")
    ready(member)
    assert bulk.unassign_selected(actor_of(member), [number.id]) == 1


def release_selected(factory, member, monkeypatch):
    number = held(factory, member)
    ready(member)
    (outcome,) = bulk.release_selected(actor_of(member), [number.id])
    assert outcome.done


def set_guardrails(factory, member, monkeypatch):
    """A cap changes what the pages show (the month's spend and what is left)."""
    ready(member)
    update_guardrails(actor_of(member), {"spend_cap": Decimal("5.00")})


def approve_request(factory, member, monkeypatch):
    """A member's request approved: it is bought (a request and its hold move nothing)."""
    asker = factory.member(team_id=member.team_id, role="member")
    request = ask_approval(actor_of(asker), NUMBER)
    ready(member)
    approvals.approve_request(actor_of(member), request.id)


def route(factory, member, monkeypatch):
    """A weighted split between two assistants: the number's routing rows."""
    number, first = held(factory, member), _assistant(factory, member)
    second = db.session.get(Assistant, factory.assistant(member, "Bea"))
    ready(member)
    weights = [{"assistantId": a.id, "weight": w} for a, w in ((first, 80), (second, 20))]
    set_routing(actor_of(member), number, {"inbound": {"assistants": weights}})


def answer_at(factory, member, monkeypatch):
    """Where an assistant answers (its destination row)."""
    assistant = _assistant(factory, member)
    ready(member)
    set_destination(actor_of(member), assistant, {"type": "phone", "address": "+14155550199"})


def create_campaign(factory, member, monkeypatch):
    ready(member)
    campaigns.create_campaign(actor_of(member), {"name": "Spring"})


def pool_number(factory, member, monkeypatch):
    """A number added to a campaign's pool (a campaign_numbers row)."""
    number = held(factory, member)
    campaign = campaigns.create_campaign(actor_of(member), {"name": "Spring"})
    ready(member)
    assert pool.add_numbers(actor_of(member), campaign, [number.id]) == 1


def change_role(factory, member, monkeypatch):
    """The pages show what each role may do: a membership row."""
    other = factory.member(team_id=member.team_id, role="member")
    ready(member)
    members.change_role(actor_of(member), other.user_id, "admin")


def remove_member(factory, member, monkeypatch):
    other = factory.member(team_id=member.team_id, role="member")
    ready(member)
    members.remove_member(actor_of(member), other.user_id)


def ask(factory, member, monkeypatch):
    """A member's request and its hold: neither is on a cached page, so nothing moves."""
    asker = factory.member(team_id=member.team_id, role="member")
    update_guardrails(actor_of(member), {"approval_required": True})
    ready(member)
    ask_approval(actor_of(asker), NUMBER)


def rest(factory, member, monkeypatch):
    """The Numbers list shows "Resting" (a number_health row)."""
    number = held(factory, member)
    ready(member)
    rest_number(actor_of(member), number, 3, utcnow())


def wake(factory, member, monkeypatch):
    number = held(factory, member)
    rest_number(actor_of(member), number, 3, utcnow())
    ready(member)
    assert wake_number(actor_of(member), number, utcnow())


def dismiss_checklist(factory, member, monkeypatch):
    """The Numbers page shows a new team's checklist until someone dismisses it."""
    ready(member)
    onboarding.dismiss(actor_of(member))


def _assistant(factory: Factory, member: Member) -> Assistant:
    return db.session.get(Assistant, factory.assistant(member, "Ava"))


# (write, plan, transactions that change what a list or page shows)
WRITES: list[tuple[Callable, str, int]] = [
    (buy, "growth", 2),  # the reservation, then the order's answer
    (buy_refused, "growth", 2),  # the reservation, then its discard
    (buy_failed, "growth", 2),  # the reservation, then forgetting it
    (sync_settles, "growth", 1),
    (webhook_settles, "growth", 1),
    (release, "growth", 2),  # releasing, then released
    (release_refused, "growth", 2),  # releasing, then active again
    (schedule_release, "growth", 1),
    (undo_release, "growth", 1),
    (sweep_releases, "growth", 2),  # claimed, then released
    (label, "growth", 1),
    (expire, "free", 2),  # claimed (releasing), then expired
    (upgrade, "free", 2),  # the plan, then the trial kept
    (downgrade, "growth", 1),  # the plan and its grace together
    (keep, "growth", 1),
    (enforce, "growth", 3),  # claimed, released, the grace ended
    (custom_limit, "scale", 1),
    (mark_missing, "growth", 1),
    (create_assistant, "growth", 1),
    (rename_assistant, "growth", 1),
    (delete_assistant, "growth", 1),
    (assign, "growth", 1),
    (unassign, "growth", 1),
    (assign_selected, "growth", 1),
    (unassign_selected, "growth", 1),
    (release_selected, "growth", 1),  # scheduled (a window by default)
    (set_guardrails, "growth", 1),
    (approve_request, "growth", 2),  # the reservation, then the order's answer
    (route, "growth", 1),
    (answer_at, "growth", 1),
    (create_campaign, "growth", 1),
    (pool_number, "growth", 1),
    (change_role, "growth", 1),
    (remove_member, "growth", 1),
    (ask, "growth", 0),
    (rest, "growth", 1),
    (wake, "growth", 1),
    (dismiss_checklist, "growth", 1),
]


@pytest.mark.parametrize(("write", "plan", "moves"), WRITES, ids=[w.__name__ for w, *_ in WRITES])
def test_every_write_moves_the_team_version(app, factory, monkeypatch, write, plan, moves):
    member, other = factory.member(plan), factory.member(plan)
    with app.test_request_context():
        others = version(other.team_id)
        write(factory, member, monkeypatch)
        db.session.rollback()  # nothing left uncommitted counts
        assert version(member.team_id) == _READY.pop(member.team_id) + moves
        assert version(other.team_id) == others  # other teams' lists stay cached


def test_a_write_is_on_the_very_next_read(app, client, factory):
    """The list is cached; a label set through the service shows on the next request."""
    member = factory.member("growth")
    number_id = factory.number(member, NUMBER)
    query = {"teamId": member.team_id}
    first = client.get("/api/phone-numbers/purchase", query_string=query, headers=member.headers)
    assert first.get_json()["numbers"][0]["label"] is None
    with app.test_request_context():
        managing.set_label(actor_of(member), db.session.get(PhoneNumber, number_id), "Sales")
    second = client.get("/api/phone-numbers/purchase", query_string=query, headers=member.headers)
    assert second.get_json()["numbers"][0]["label"] == "Sales"
    assert second.headers["ETag"] != first.headers["ETag"]


def test_once_per_transaction_and_never_for_what_did_not_happen(app, factory):
    member = factory.member("growth")
    number_id = factory.number(member, NUMBER)
    mine = PhoneNumber.id == number_id
    with app.app_context():
        before = version(member.team_id)
        db.session.execute(sa.update(PhoneNumber).where(mine).values(label="Rolled back"))
        db.session.rollback()
        db.session.commit()
        assert version(member.team_id) == before  # the change was undone, so is its note
        gone = PhoneNumber.id == number_id + "x"
        db.session.execute(sa.update(PhoneNumber).where(gone).values(label="Nobody"))
        db.session.commit()
        assert version(member.team_id) == before  # a statement that changed no row
        db.session.execute(sa.update(PhoneNumber).where(mine).values(label="One"))
        db.session.get(PhoneNumber, number_id).label = "Two"
        db.session.commit()
        assert version(member.team_id) == before + 1  # two changes, one transaction
