"""The list's services beyond reading: bulk changes, monthly costs and the CSV export."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.exceptions import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.models import AuditEvent, PhoneNumber, utcnow
from app.numbers import bulk
from app.numbers.costs import monthly_costs
from app.numbers.export import numbers_csv
from app.numbers.queries import team_numbers
from app.plans.rules import held_count
from tests.factories import actor_of, seed


def ids_of(app, member) -> list[str]:
    with app.app_context():
        return [n.id for n in team_numbers(member.team_id)]


def history(app, team_id: str, action: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.subject).where(
                    AuditEvent.team_id == team_id, AuditEvent.action == action
                )
            )
        )


def test_assign_then_unassign_a_selection_each_in_history(app, factory):
    owner = factory.member("scale")
    seed(app, owner, 6)  # odd ones answered by Ava
    chosen = ids_of(app, owner)[:4]
    nova = factory.assistant(owner, "Nova")
    with app.app_context():
        assert bulk.assign_selected(actor_of(owner), nova, chosen) == 4
        names = {n.id: n.assistant.name for n in team_numbers(owner.team_id) if n.assistant}
    assert all(names[i] == "Nova" for i in chosen)
    assert len(history(app, owner.team_id, "assign")) == 4
    with app.app_context():
        assert bulk.unassign_selected(actor_of(owner), chosen[:3]) == 3
        left = {n.id: n.assistant_id for n in team_numbers(owner.team_id)}
    assert [left[i] for i in chosen] == [None, None, None, nova]
    assert len(history(app, owner.team_id, "unassign")) == 3


def test_a_foreign_number_in_the_selection_changes_nothing(app, factory):
    owner, stranger = factory.member("scale"), factory.member("scale")
    seed(app, owner, 2)
    seed(app, stranger, 1, area="212")
    nova = factory.assistant(owner, "Nova")
    chosen = [*ids_of(app, owner), *ids_of(app, stranger)]
    with app.app_context(), pytest.raises(NotFound):
        bulk.assign_selected(actor_of(owner), nova, chosen)
    with app.app_context(), pytest.raises(NotFound):
        bulk.release_selected(actor_of(owner), chosen)
    with app.app_context():
        assert all(n.assistant_id != nova for n in team_numbers(owner.team_id))
        assert len(team_numbers(owner.team_id)) == 2
    assert history(app, owner.team_id, "assign") == []


def test_release_a_selection_at_once(app, factory, release_at_once):
    owner = factory.member("scale")
    seed(app, owner, 5)
    chosen = ids_of(app, owner)[1:3]
    with app.app_context():
        outcomes = bulk.release_selected(actor_of(owner), chosen)
        left = [n.id for n in team_numbers(owner.team_id)]
    assert [o.number_id for o in outcomes] == chosen and all(o.done for o in outcomes)
    assert len(left) == 3 and not set(chosen) & set(left)
    assert len(history(app, owner.team_id, "release")) == 2


def test_release_a_selection_with_a_grace_window(app, factory):
    owner = factory.member("scale")
    seed(app, owner, 5)
    chosen = ids_of(app, owner)[1:3]
    with app.app_context():
        outcomes = bulk.release_selected(actor_of(owner), chosen)
        assert held_count(owner.team_id) == 3  # freed at once
        assert len(team_numbers(owner.team_id)) == 5  # still listed: they work until then
    assert [o.number_id for o in outcomes] == chosen and all(o.done for o in outcomes)
    due = [o.release_after - utcnow() for o in outcomes]
    assert all(timedelta(minutes=59) < d <= timedelta(minutes=60) for d in due)
    assert len(history(app, owner.team_id, "release_schedule")) == 2
    assert history(app, owner.team_id, "release") == []


def test_members_may_not_release_in_bulk(app, factory):
    owner = factory.member("scale")
    member = factory.member(team_id=owner.team_id, role="member")
    seed(app, owner, 2)
    with app.app_context(), pytest.raises(PermissionDenied):
        bulk.release_selected(actor_of(member), ids_of(app, owner))
    assert len(ids_of(app, owner)) == 2


@pytest.mark.parametrize(
    ("chosen", "error"),
    [
        ([], ValidationFailed),
        (["pn_x"], NotFound),
        ([f"pn_{i}" for i in range(1001)], ValidationFailed),  # past MAX_BULK (1,000)
    ],
)
def test_a_selection_must_be_some_real_ids(app, factory, chosen, error):
    owner = factory.member("scale")
    with app.app_context(), pytest.raises(error):
        bulk.unassign_selected(actor_of(owner), chosen)


def test_monthly_costs_in_all_and_per_assistant(app, factory):
    owner = factory.member("scale")
    seed(app, owner, 5)  # 1 and 3 answered by Ava
    with app.app_context():
        numbers = {n.phone_number: n for n in team_numbers(owner.team_id)}
        for index, price in enumerate(["1.00", "2.50", "1.00", None, "7.00"]):
            numbers[f"+1415555000{index}"].monthly_price = price and Decimal(price)
        numbers["+14155550004"].is_trial = True  # free while it lasts
        numbers["+14155550004"].trial_expires_at = utcnow() + timedelta(days=2)
        db.session.commit()
        costs = monthly_costs(owner.team_id, utcnow())
    assert (costs.monthly, costs.numbers, costs.unpriced, costs.trials) == (
        Decimal("4.50"),
        5,
        1,
        1,
    )
    ava, unassigned = costs.per_assistant
    assert (ava.assistant_name, ava.numbers, ava.monthly, ava.unpriced) == (
        "Ava",
        2,
        Decimal("2.50"),
        1,
    )
    assert (unassigned.assistant_id, unassigned.numbers, unassigned.monthly) == (
        None,
        3,
        Decimal("2.00"),
    )


def test_csv_has_a_row_per_number_and_no_formulas(app, factory):
    owner = factory.member("scale")
    seed(app, owner, 2)
    with app.app_context():
        first = db.session.scalar(
            sa.select(PhoneNumber).where(PhoneNumber.phone_number == "+14155550000")
        )
        first.label = "=HYPERLINK(1)"
        first.monthly_price = Decimal("1.5")
        db.session.commit()
        rows = list(csv.reader(io.StringIO(numbers_csv(team_numbers(owner.team_id), utcnow()))))
    assert rows[0][:3] == ["phone_number", "label", "status"]
    by_number = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_number) == {"+14155550000", "+14155550001"}
    assert by_number["+14155550000"]["label"] == "'=HYPERLINK(1)"
    assert by_number["+14155550000"]["monthly_price_usd"] == "1.50"
    assert by_number["+14155550001"]["assistant"] == "Ava"


def test_numbers_still_being_ordered_are_counted_apart_from_the_monthly_cost(app, factory):
    owner = factory.member("scale")
    seed(app, owner, 3)
    with app.app_context():
        numbers = {n.phone_number: n for n in team_numbers(owner.team_id)}
        for index, price in enumerate(["1.00", "2.50", "4.00"]):
            numbers[f"+1415555000{index}"].monthly_price = Decimal(price)
        waiting = numbers["+14155550002"]  # a regulated order waiting for documents
        waiting.status, waiting.status_reason = "pending", "documents"
        waiting.provider_order_id = "order-1"
        db.session.commit()
        costs = monthly_costs(owner.team_id, utcnow())
    assert (costs.monthly, costs.numbers, costs.pending, costs.pending_monthly) == (
        Decimal("3.50"),
        2,
        1,
        Decimal("4.00"),
    )
    assert sum(cost.numbers for cost in costs.per_assistant) == 2
