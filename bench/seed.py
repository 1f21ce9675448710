"""The benchmark's rows: accounts made through the app's services, numbers bulk-inserted, and
the sandbox's numbers it buys. Its own (not the tests' factories): bench/ stands alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import phonenumbers
import sqlalchemy as sa
from flask import Flask

from app.accounts import onboarding, teams, tokens, users
from app.accounts.roles import Actor
from app.extensions import db
from app.ids import new_id
from app.models import Assistant, PhoneNumber, User, utcnow

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Member:
    """A user in a team, with a live API token (every scope)."""

    team_id: str
    user_id: str
    email: str
    token: str
    role: str = "owner"

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def create_account(app: Flask, name: str, plan: str, email: str) -> Member:
    """A team on `plan`, an owner (named `name` too) who signs in with PASSWORD, and a token."""
    with app.app_context():
        team = teams.create_team(name, plan)
        user = users.create_user(email, name, PASSWORD)
        teams.add_member(user, team, "owner")
        # A settled team, as the goals are about: a new team's getting-started checklist
        # reads a query of its own on the Numbers page until it is dismissed or done.
        onboarding.dismiss(teams.actor_for(user, team.id))
        token = tokens.issue_token(user, "bench", scopes=None).plain
        return Member(team.id, user.id, user.email, token)


def add_team(app: Flask, owner: Member, name: str, plan: str) -> Member:
    """Another team owned by the same user: one token acts on all its user's teams."""
    with app.app_context():
        team = teams.create_team(name, plan)
        user = db.session.get(User, owner.user_id)
        teams.add_member(user, team, "owner")
        onboarding.dismiss(teams.actor_for(user, team.id))
        return Member(team.id, owner.user_id, owner.email, owner.token)


def add_member(app: Flask, team_id: str, email: str, role: str = "admin") -> Member:
    """Another user (with a token) in an existing team; admins may buy, members may not."""
    with app.app_context():
        user = users.create_user(email, email.split("@")[0], PASSWORD)
        teams.add_member(user, teams.team_by_id(team_id), role)
        token = tokens.issue_token(user, "bench", scopes=None).plain
        return Member(team_id, user.id, user.email, token, role)


def actor_of(member: Member) -> Actor:
    """The member acting for their team (inside an app context)."""
    return teams.actor_for(db.session.get(User, member.user_id), member.team_id)


# Seeded numbers use 555 lines 0200-9999: never the sandbox's 555-01XX, so its searches and
# purchases are not affected by them.
SEED_AREAS = ("212", "312", "646", "206", "303", "404", "512", "617")
FIRST_LINE, LINES = 200, 9800


def add_numbers(app: Flask, member: Member, count: int, offset: int = 0) -> list[str]:
    """`count` active numbers for the member's team in bulk INSERTs (their ids); half have an
    assistant, a third a label. `offset` keeps teams' numbers apart."""
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
        return [row["id"] for row in rows]


def _seed_numbers(offset: int, count: int) -> Iterator[str]:
    if offset + count > len(SEED_AREAS) * LINES:
        raise ValueError(f"at most {len(SEED_AREAS) * LINES} seeded numbers")
    for index in range(offset, offset + count):
        area, line = divmod(index, LINES)
        yield f"+1{SEED_AREAS[area]}555{FIRST_LINE + line:04d}"


@cache
def sandbox_areas() -> tuple[str, ...]:
    """US area codes whose 555-01XX numbers phonenumbers calls valid: what the sandbox sells."""
    areas = []
    for area in range(201, 990):
        number = phonenumbers.parse(f"+1{area}5550100")
        if phonenumbers.is_valid_number_for_region(number, "US"):
            areas.append(str(area))
    return tuple(areas)


def sandbox_numbers(area: str) -> list[str]:
    """The hundred numbers the sandbox sells in an area code, in its order."""
    return [f"+1{area}55501{line:02d}" for line in range(100)]
