"""Rows for the tests: made through the real services, or written straight to the tables for
states (and sizes) a purchase cannot make quickly. (The benchmark has its own, bench/seed.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from app.accounts import teams, tokens, users
from app.accounts.roles import Actor
from app.extensions import db
from app.ids import new_id
from app.models import Assistant, PhoneNumber, Role, Team, User, utcnow

PASSWORD = "correct horse battery"
# Tokens with every scope (as tokens made before scopes have): the matrices that use these
# test roles, which scopes must not mask; tests/api/test_scope_matrix.py tests the scopes.
FULL = None


@dataclass(frozen=True)
class Member:
    """A user in a team, with a live API token."""

    team_id: str
    user_id: str
    email: str
    token: str
    role: str = "owner"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    """Small helpers that create rows through the real services."""

    def __init__(self, app: Flask):
        self.app = app
        self._count = 0

    def member(self, plan: str = "free", *, team_id: str | None = None, role="owner") -> Member:
        self._count += 1
        with self.app.app_context():
            team = (
                db.session.get(Team, team_id)
                if team_id
                else teams.create_team(f"Team {self._count}", plan)
            )
            email = f"user{self._count}@example.com"
            user = users.create_user(email, f"User {self._count}", PASSWORD)
            teams.add_member(user, team, role)
            token = tokens.issue_token(user, "test", scopes=FULL).plain
            return Member(team.id, user.id, email, token, role)

    def token(self, member: Member, scopes: list[str] | None, name: str = "scoped") -> str:
        """Another token for the member, with these scopes (checked against their roles)."""
        with self.app.app_context():
            user = db.session.get(User, member.user_id)
            return tokens.issue_token(user, name, scopes=scopes).plain

    def assistant(self, member: Member, name: str = "Sales Agent", numbers=()) -> str:
        """An assistant made by the member (through the service), answering on `numbers`."""
        from app.assistants import service

        with self.app.app_context():
            actor = actor_of(member)
            assistant = service.create_assistant(actor, name)
            if numbers:
                service.assign_numbers(actor, assistant, list(numbers))
            return assistant.id

    def number(self, member: Member, e164: str, **fields) -> str:
        """A held number of the member's team, bought by them; returns its id."""
        fields.setdefault("created_by_id", member.user_id)
        return insert_number(self.app, member.team_id, e164, **fields)

    def approving_team(self, plan: str = "growth") -> tuple[Member, Member, Member]:
        """A team whose members' purchases wait for approval: its owner, an admin, a member."""
        owner = self.member(plan)
        admin = self.member(team_id=owner.team_id, role="admin")
        member = self.member(team_id=owner.team_id, role="member")
        guard(self.app, owner, approval_required=True)
        return owner, admin, member

    def over_limit(self, held: int = 6, to: str = "starter", area: str = "303"):
        """A Growth team holding `held` numbers bought an hour apart (the first the oldest;
        the even ones answered by "Ava", the odd ones unassigned), moved to `to` through the
        plan service: over its limit, in its grace. (member, number ids, oldest first)."""
        from app.billing.plan_changes import change_plan

        member = self.member("growth")
        ava = self.assistant(member, "Ava")
        start = utcnow() - timedelta(days=30)
        ids = [
            self.number(
                member,
                f"+1{area}55502{i:02d}",
                assistant_id=ava if i % 2 == 0 else None,
                created_at=start + timedelta(hours=i),
            )
            for i in range(held)
        ]
        with self.app.app_context():
            change_plan(db.session.get(Team, member.team_id), to, member.user_id)
        return member, ids

    def many_numbers(self, member: Member, count: int, area: str = "415") -> None:
        """`count` active numbers at once (fast), every other one answered by "Ava"."""
        seed_numbers(self.app, member.team_id, member.user_id, count, area)


def insert_number(
    app: Flask, team_id: str, e164: str, *, assistant: str | None = None, **fields
) -> str:
    """A held number written straight to the table, for states a purchase cannot make (an
    active sandbox number unless `fields` say otherwise; `assistant` names a new one to
    answer it); returns its id. The one number factory: Factory.number and the pages'
    add_number call it."""
    with app.app_context():
        if assistant:
            row = Assistant(team_id=team_id, name=assistant)
            db.session.add(row)
            db.session.flush()
            fields["assistant_id"] = row.id
        status = fields.pop("status", "active")
        fields.setdefault("activated_at", utcnow() if status == "active" else None)
        number = PhoneNumber(
            team_id=team_id,
            phone_number=e164,
            provider=fields.pop("provider", "sandbox"),
            provider_number_id=fields.pop("provider_number_id", f"sandbox-{e164[1:]}"),
            customer_reference=fields.pop("customer_reference", f"ref-{e164}"),
            number_type="local",
            country_code=fields.pop("country_code", "US"),
            status=status,
            **fields,
        )
        db.session.add(number)
        db.session.commit()
        return number.id


def hold(app: Flask, member: Member, e164: str) -> str:
    """Put a number in the member's team cart (held for 30 minutes); returns the hold's id."""
    from app.numbers.cart import hold_number

    with app.app_context():
        return hold_number(actor_of(member), e164).id


def guard(app: Flask, owner: Member, **columns) -> None:
    """Set the team's guardrails as its owner would (app.guardrails.settings): spend_cap,
    approval_required, approval_above; amounts as text ("5.00") or None."""
    from decimal import Decimal

    from app.guardrails.settings import update_guardrails

    values = {k: Decimal(v) if isinstance(v, str) else v for k, v in columns.items()}
    with app.app_context():
        update_guardrails(actor_of(owner), values)


def ask(app: Flask, member: Member, e164: str) -> str:
    """The member asks for the number to be bought (held for their team, waiting for an
    owner's or admin's approval); returns the purchase request's id."""
    from app.guardrails.requests import ask_approval

    with app.app_context():
        return ask_approval(actor_of(member), e164).id


def actor_of(member: Member) -> Actor:
    """The member acting for their team (inside an app context)."""
    user = db.session.get(User, member.user_id)
    return teams.actor_for(user, member.team_id)


def seed_numbers(app: Flask, team_id: str, user_id: str | None, count: int, area: str = "415"):
    """Insert numbers directly, each with the same assistant every other row."""
    with app.app_context():
        # One Ava per team (names are unique in a team): a second seeding reuses her.
        assistant = db.session.scalar(
            sa.select(Assistant).where(Assistant.team_id == team_id, Assistant.name == "Ava")
        )
        if assistant is None:
            assistant = Assistant(team_id=team_id, name="Ava")
            db.session.add(assistant)
            db.session.flush()
        now = utcnow()
        db.session.add_all(
            PhoneNumber(
                team_id=team_id,
                phone_number=f"+1{area}555{i:04d}",
                provider="sandbox",
                provider_number_id=f"sandbox-{team_id}-{area}-{i}",
                customer_reference=f"ref-{team_id}-{area}-{i}",
                number_type="local",
                country_code="US",
                status="active",
                features=[],
                assistant_id=assistant.id if i % 2 else None,
                created_by_id=user_id,
                activated_at=now,
            )
            for i in range(count)
        )
        db.session.commit()


def create_account(app: Flask, name: str, plan: str, email: str) -> Member:
    """A team on `plan`, an owner (named `name` too) who signs in with PASSWORD, and a token."""
    with app.app_context():
        team = teams.create_team(name, plan)
        user = users.create_user(email, name, PASSWORD)
        teams.add_member(user, team, "owner")
        token = tokens.issue_token(user, "bench", scopes=FULL).plain
        return Member(team.id, user.id, user.email, token)


def add_team(app: Flask, owner: Member, name: str, plan: str) -> Member:
    """Another team owned by the same user: one token acts on all its user's teams."""
    with app.app_context():
        team = teams.create_team(name, plan)
        teams.add_member(db.session.get(User, owner.user_id), team, "owner")
        return Member(team.id, owner.user_id, owner.email, owner.token)


def found(app: Flask, person: Member, name: str, now=None) -> Member:
    """A team the person creates (as the new-team page does): they found and own it."""
    with app.app_context():
        user = db.session.get(User, person.user_id)
        team = teams.found_team(user, name, now)
        return Member(team.id, person.user_id, person.email, person.token)


def downgraded(
    app: Flask, owner: Member, held: int, to: str = "starter", area: str = "628"
) -> Member:
    """Another team of the owner's, on Growth with `held` numbers (every other one answered by
    "Ava"), then moved to `to` through the plan service: over its limit, in its grace."""
    from app.billing.plan_changes import change_plan

    member = add_team(app, owner, f"Downgraded {area}", "growth")
    seed_numbers(app, member.team_id, owner.user_id, held, area)
    with app.app_context():
        change_plan(db.session.get(Team, member.team_id), to)
    return member


def add_member(app: Flask, team_id: str, email: str, role: str = "admin") -> Member:
    """Another user (with a token) in an existing team; admins may buy, members may not."""
    with app.app_context():
        team = db.session.get(Team, team_id)
        user = users.create_user(email, email.split("@")[0], PASSWORD)
        teams.add_member(user, team, role)
        token = tokens.issue_token(user, "bench", scopes=FULL).plain
        return Member(team_id, user.id, user.email, token, role)


# The benchmark's numbers use 555 lines 0200-9999: never the sandbox's 555-01XX, so its
# searches and purchases are not affected by them.
SEED_AREAS = ("212", "312", "646", "206", "303", "404", "512", "617")
FIRST_LINE, LINES = 200, 9800


def add_numbers(app: Flask, member: Member, count: int, offset: int = 0) -> None:
    """`count` active numbers for the member's team in bulk INSERTs; half have an assistant,
    a third a label. `offset` keeps teams' numbers apart (one team holds a number at a time)."""
    now = utcnow()
    with app.app_context():
        assistant = Assistant(team_id=member.team_id, name="Ava")
        db.session.add(assistant)
        db.session.flush()
        rows = [
            {
                "id": new_id("pn"),
                "team_id": member.team_id,
                "phone_number": number,
                "provider": "sandbox",
                "provider_number_id": f"sandbox-{number.lstrip('+')}",
                "customer_reference": f"pnr_seed_{number.lstrip('+')}",
                "number_type": "local",
                "country_code": "US",
                "status": "active",
                "is_trial": False,
                "monthly_price": "1.00",
                "setup_price": "1.00",
                "features": ["voice", "sms"],
                "label": f"Line {i}" if i % 3 == 0 else None,
                "assistant_id": assistant.id if i % 2 else None,
                "created_by_id": member.user_id,
                "created_at": now - timedelta(minutes=i),
            }
            for i, number in enumerate(_seed_numbers(offset, count))
        ]
        for start in range(0, len(rows), 2000):
            db.session.execute(sa.insert(PhoneNumber), rows[start : start + 2000])
        db.session.commit()


def _seed_numbers(offset: int, count: int) -> Iterator[str]:
    if offset + count > len(SEED_AREAS) * LINES:
        raise ValueError(f"at most {len(SEED_AREAS) * LINES} seeded numbers")
    for index in range(offset, offset + count):
        area, line = divmod(index, LINES)
        yield f"+1{SEED_AREAS[area]}555{FIRST_LINE + line:04d}"


@contextmanager
def counting(app: Flask):
    """The SQL statements run inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


ROLES = [role.value for role in Role]


def seed(app: Flask, member: Member, count: int, area: str = "415") -> None:
    seed_numbers(app, member.team_id, member.user_id, count, area)
