"""Rows for tests and the benchmark: made through the real services, or written straight
to the tables for states (and sizes) a purchase cannot make quickly."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from app.accounts import teams, tokens, users
from app.accounts.roles import Actor
from app.extensions import db
from app.models import Assistant, PhoneNumber, Role, Team, User, utcnow

PASSWORD = "correct horse battery"


@dataclass
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
            token = tokens.issue_token(user, "test").plain
            return Member(team.id, user.id, email, token, role)

    def assistant(self, member: Member, name: str = "Sales Agent", numbers=()) -> str:
        """An assistant made by the member (through the service), answering on `numbers`."""
        from app.assistants import service

        with self.app.app_context():
            actor = actor_of(member)
            assistant = service.create_assistant(actor, name)
            if numbers:
                service.assign_numbers(actor, assistant, list(numbers))
            return assistant.id

    def number(self, member: Member, e164: str, *, assistant: str | None = None, **fields) -> str:
        """A held number written straight to the table; returns its id."""
        with self.app.app_context():
            assistant_id = None
            if assistant:
                row = Assistant(team_id=member.team_id, name=assistant)
                db.session.add(row)
                db.session.flush()
                assistant_id = row.id
            status = fields.pop("status", "active")
            number = PhoneNumber(
                team_id=member.team_id,
                phone_number=e164,
                provider=fields.pop("provider", "sandbox"),
                provider_number_id=fields.pop("provider_number_id", f"sandbox-{e164[1:]}"),
                customer_reference=fields.pop("customer_reference", f"ref-{e164}"),
                number_type="local",
                country_code="US",
                status=status,
                activated_at=fields.pop("activated_at", utcnow() if status == "active" else None),
                created_by_id=fields.pop("created_by_id", member.user_id),
                assistant_id=assistant_id,
                **fields,
            )
            db.session.add(number)
            db.session.commit()
            return number.id

    def many_numbers(self, member: Member, count: int, area: str = "415") -> None:
        """`count` active numbers at once (fast), every other one answered by "Ava"."""
        seed_numbers(self.app, member.team_id, member.user_id, count, area)


def hold(app: Flask, member: Member, e164: str) -> str:
    """Put a number in the member's team cart (held for 30 minutes); returns the hold's id."""
    from app.numbers.cart import hold_number

    with app.app_context():
        return hold_number(actor_of(member), e164).id


def actor_of(member: Member) -> Actor:
    """The member acting for their team (inside an app context)."""
    user = db.session.get(User, member.user_id)
    return teams.actor_for(user, member.team_id)


def seed_numbers(app: Flask, team_id: str, user_id: str | None, count: int, area: str = "415"):
    """Insert numbers directly, each with the same assistant every other row."""
    with app.app_context():
        assistant = Assistant(team_id=team_id, name="Ava")
        db.session.add(assistant)
        db.session.flush()
        now = utcnow()
        db.session.add_all(
            PhoneNumber(
                team_id=team_id,
                phone_number=f"+1{area}555{i:04d}",
                provider="sandbox",
                provider_number_id=f"sandbox-{team_id}-{i}",
                customer_reference=f"ref-{team_id}-{i}",
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
