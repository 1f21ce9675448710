"""Assistants: create, rename, delete, and assign the team's numbers to them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from app import audit
from app.accounts import team_for_user
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import Assistant, Membership, PhoneNumber, User
from app.numbers.queries import live_number
from app.text import one_line

MAX_NAME = 120
MAX_ASSIGN = 100


def list_assistants(user: User, team_id: str) -> list[tuple[Assistant, int]]:
    """The team's assistants by name, each with how many numbers it answers on."""
    team = team_for_user(user, team_id)
    counts = (
        sa.select(PhoneNumber.assistant_id, sa.func.count().label("n"))
        .where(PhoneNumber.team_id == team.id, PhoneNumber.status != "released")
        .group_by(PhoneNumber.assistant_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Assistant, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.assistant_id == Assistant.id)
        .where(Assistant.team_id == team.id)
        .order_by(sa.func.lower(Assistant.name), Assistant.id)
    )
    return [(assistant, count) for assistant, count in rows]


def create_assistant(user: User, team_id: str, name: str) -> Assistant:
    team = team_for_user(user, team_id)
    assistant = Assistant(team_id=team.id, name=clean_name(name))
    db.session.add(assistant)
    db.session.flush()
    audit.record(
        team.id, user.id, "assistant_create", subject_id=assistant.id, subject=assistant.name
    )
    db.session.commit()
    return assistant


def rename_assistant(user: User, assistant_id: str, name: str) -> Assistant:
    assistant = assistant_for_user(user, assistant_id)
    new_name = clean_name(name)
    if new_name != assistant.name:
        audit.record(
            assistant.team_id,
            user.id,
            "assistant_rename",
            subject_id=assistant.id,
            subject=new_name,
            before={"name": assistant.name},
            after={"name": new_name},
        )
        assistant.name = new_name
        db.session.commit()
    return assistant


def delete_assistant(user: User, assistant_id: str) -> None:
    """Delete it; its numbers become unassigned, never lost."""
    assistant = assistant_for_user(user, assistant_id)
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(PhoneNumber.assistant_id == assistant.id)
    ).all()
    for number in numbers:
        _unassign(user, number, assistant)
    audit.record(
        assistant.team_id,
        user.id,
        "assistant_delete",
        subject_id=assistant.id,
        subject=assistant.name,
        before={"name": assistant.name, "phone_numbers": len(numbers)},
    )
    db.session.delete(assistant)
    db.session.commit()


def assign_numbers(user: User, assistant_id: str, phone_number_ids: Sequence[str]) -> Assistant:
    """Assign every number to the assistant (moving it from another), or none at all."""
    assistant = assistant_for_user(user, assistant_id)
    ids = list(dict.fromkeys(phone_number_ids))  # keep order, drop repeats
    if bad := next((i for i in ids if not is_id("pn", i)), None):
        raise NotFound(f"Phone number not found: {bad[:40]}.")
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.id.in_(ids),
            PhoneNumber.team_id == assistant.team_id,
            PhoneNumber.status != "released",
        )
    ).all()
    found = {n.id for n in numbers}
    missing = [i for i in ids if i not in found]
    if missing:
        # All-or-nothing: one unknown or foreign id and nothing changes.
        raise NotFound(f"Phone number not found: {missing[0]}.")
    for number in numbers:
        if number.assistant_id == assistant.id:
            continue
        before = {"assistant_id": number.assistant_id, "assistant_name": _name(number.assistant)}
        number.assistant_id = assistant.id
        audit.record(
            assistant.team_id,
            user.id,
            "assign",
            subject_id=number.id,
            subject=number.phone_number,
            before=before,
            after={"assistant_id": assistant.id, "assistant_name": assistant.name},
        )
    db.session.commit()
    return assistant


def unassign_number(user: User, assistant_id: str, phone_number_id: str) -> None:
    assistant = assistant_for_user(user, assistant_id)
    number = live_number(assistant.team_id, phone_number_id)
    if number.assistant_id == assistant.id:  # already unassigned: a retry succeeds quietly
        _unassign(user, number, assistant)
        db.session.commit()


def assistant_for_user(user: User, assistant_id: str) -> Assistant:
    """The assistant if it belongs to one of the user's teams; NotFound otherwise."""
    if not is_id("asst", assistant_id):
        raise NotFound("Assistant not found.")
    assistant = db.session.scalar(
        sa.select(Assistant)
        .join(Membership, Membership.team_id == Assistant.team_id)
        .where(Assistant.id == assistant_id, Membership.user_id == user.id)
    )
    if assistant is None:
        raise NotFound("Assistant not found.")
    return assistant


def clean_name(name: object) -> str:
    if isinstance(name, str):
        name = one_line(name)
    if not isinstance(name, str) or not name:
        raise ValidationFailed({"name": "Name is required."})
    if len(name) > MAX_NAME:
        raise ValidationFailed({"name": f"Name must be at most {MAX_NAME} characters."})
    return name


def _unassign(user: User | None, number: PhoneNumber, assistant: Assistant) -> None:
    number.assistant_id = None
    audit.record(
        number.team_id,
        user.id if user else None,
        "unassign",
        subject_id=number.id,
        subject=number.phone_number,
        before={"assistant_id": assistant.id, "assistant_name": assistant.name},
        after={"assistant_id": None, "assistant_name": None},
    )


def _name(assistant: Assistant | None) -> str | None:
    return assistant.name if assistant else None
