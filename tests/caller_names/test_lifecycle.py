"""A caller name's life on the sandbox, with a frozen clock: submitted, propagating with its
expect-by date, listed at that date; a refused name shown as failed; the one-line summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.caller_names import lifecycle
from app.caller_names.lifecycle import advance_caller_names, caller_name_line, set_caller_name
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import AuditEvent, CallerName, PhoneNumber
from tests.caller_names.helpers import toll_free_number
from tests.factories import actor_of
from tests.helpers import sandbox_number

SUBMITTED = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The time set_caller_name sees: frozen at SUBMITTED."""
    monkeypatch.setattr(lifecycle, "utcnow", lambda: SUBMITTED)


def named(app, member, number_id, name):
    with app.app_context():
        number = db.session.get(PhoneNumber, number_id)
        set_caller_name(actor_of(member), number, name)


def line_at(app, number_id, now):
    with app.app_context():
        advance_caller_names(now)
        number = db.session.get(PhoneNumber, number_id)
        row = db.session.get(CallerName, number_id)
        return row.state, caller_name_line(number)


def test_a_name_goes_from_submitted_to_listed(app, factory, clock):
    owner = factory.member("growth")
    number_id = factory.number(owner, sandbox_number("415", 1))
    with app.app_context():
        assert caller_name_line(db.session.get(PhoneNumber, number_id)) == "Not set"
    named(app, owner, number_id, "acme  support")

    # The sandbox lists in minutes, so `make run` shows every state (Telnyx: the expect-by
    # time, tests/telnyx/test_caller_names.py).
    steps = [
        (SUBMITTED + timedelta(minutes=1), "submitted", "Submitted: acme support"),
        (SUBMITTED + timedelta(minutes=6), "propagating", "Propagating, expect by 9 Dec"),
        (SUBMITTED + timedelta(minutes=12), "propagating", "Propagating, expect by 9 Dec"),
        (SUBMITTED + timedelta(minutes=18), "listed", "Listed: acme support"),
        (SUBMITTED + timedelta(days=9), "listed", "Listed: acme support"),
    ]
    assert [line_at(app, number_id, at) for at, _s, _l in steps] == [
        (state, line) for _at, state, line in steps
    ]
    with app.app_context():
        row = db.session.get(CallerName, number_id)
        assert row.listed_at == SUBMITTED + timedelta(minutes=18)
        assert row.expect_by == datetime(2026, 12, 9, 9, 30, tzinfo=UTC)
        history = db.session.scalars(
            sa.select(AuditEvent.after).where(AuditEvent.action == "caller_name_set")
        ).all()
    assert history == [{"name": "acme support"}]


def test_a_refused_name_is_shown_failed_and_can_be_set_again(app, factory, clock):
    owner = factory.member("growth")
    number_id = factory.number(owner, sandbox_number("415", 2))
    named(app, owner, number_id, "TEST LINE")
    state, line = line_at(app, number_id, SUBMITTED + timedelta(minutes=6))
    assert (state, line) == (
        "failed",
        "Failed: The carriers' CNAM databases refused a generic name (TEST).",
    )
    named(app, owner, number_id, "ACME SUPPORT")
    assert line_at(app, number_id, SUBMITTED + timedelta(minutes=1)) == (
        "submitted",
        "Submitted: ACME SUPPORT",
    )


def test_the_same_name_again_changes_nothing(app, factory, clock):
    owner = factory.member("growth")
    number_id = factory.number(owner, sandbox_number("415", 3))
    named(app, owner, number_id, "ACME")
    line_at(app, number_id, SUBMITTED + timedelta(minutes=6))  # propagating now
    named(app, owner, number_id, "ACME")
    with app.app_context():
        row = db.session.get(CallerName, number_id)
        assert (row.state, row.submitted_at) == ("propagating", SUBMITTED)
        count = db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "caller_name_set")
        )
    assert count == 1


def test_a_check_too_soon_asks_nothing(app, factory, clock):
    owner = factory.member("growth")
    number_id = factory.number(owner, sandbox_number("415", 4))
    named(app, owner, number_id, "ACME")
    with app.app_context():
        first = advance_caller_names(SUBMITTED + timedelta(minutes=6))
        again = advance_caller_names(SUBMITTED + timedelta(minutes=7))
    assert (first, again) == (
        "checked 1 caller names, 1 moved on",
        "checked 0 caller names, 0 moved on",
    )


def test_toll_free_numbers_and_numbers_not_active_are_refused(app, factory, clock):
    owner = factory.member("growth")
    toll_free = toll_free_number(app, factory, owner)
    pending = factory.number(owner, sandbox_number("415", 5), status="pending")
    with app.app_context():
        number = db.session.get(PhoneNumber, toll_free)
        with pytest.raises(ValidationFailed) as refused:
            set_caller_name(actor_of(owner), number, "ACME")
        assert refused.value.fields == {
            "name": "Toll-free numbers have no caller name listing: carriers do not look one up."
        }
        assert caller_name_line(number) == "No caller name listing for toll-free numbers"
        waiting = db.session.get(PhoneNumber, pending)
        with pytest.raises(Exception, match="is not active: set its caller name once it is"):
            set_caller_name(actor_of(owner), waiting, "ACME")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CallerName)) == 0
