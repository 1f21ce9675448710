"""Assistants: create, rename, delete, and assign the team's numbers to them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import audit, events
from app.accounts.lookups import find_for_user, find_in_team
from app.accounts.roles import Actor, Permission
from app.events import payloads
from app.exceptions import NameTaken, NotFound, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import Assistant, NumberStatus, PhoneNumber, Team, User
from app.models.numbers import name_key
from app.numbers.queries import team_number
from app.routing.store import clear_split, forget_assistant
from app.text import one_line

MAX_NAME = 120
MAX_ASSIGN = 100
MISSING = "Assistant not found."
GONE = "Assistant not found (it may have just been deleted)."


def list_assistants(team: Team) -> list[tuple[Assistant, int]]:
    """The team's assistants by name, each with how many numbers it answers on."""
    counts = (
        sa.select(PhoneNumber.assistant_id, sa.func.count().label("n"))
        .where(PhoneNumber.team_id == team.id, PhoneNumber.status != NumberStatus.RELEASED)
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


def find_assistant(user: User, assistant_id: object) -> tuple[Actor, Assistant]:
    """The assistant and the user acting for its team; NotFound if it is not in their teams."""
    return find_for_user(Assistant, "asst", user, assistant_id, MISSING)


def team_assistant(team: Team, assistant_id: object) -> Assistant:
    """An assistant of this team; NotFound for any other (even one of the user's other teams)."""
    return find_in_team(Assistant, "asst", team.id, assistant_id, MISSING)


def create_assistant(actor: Actor, name: object) -> Assistant:
    actor.require(Permission.MANAGE_ASSISTANTS)
    assistant = Assistant(team_id=actor.team.id, name=_unique_name(actor.team, name))
    db.session.add(assistant)
    _flush_name(assistant.name)
    audit.record(
        actor.team.id,
        actor.user.id,
        audit.Action.ASSISTANT_CREATE,
        subject_id=assistant.id,
        subject=assistant.name,
    )
    db.session.commit()
    return assistant


def rename_assistant(actor: Actor, assistant: Assistant, name: object) -> Assistant:
    actor.require(Permission.MANAGE_ASSISTANTS)
    _hold(assistant, exclusive=True)
    new_name = _unique_name(actor.team, name, assistant)
    if new_name != assistant.name:
        audit.record(
            assistant.team_id,
            actor.user.id,
            audit.Action.ASSISTANT_RENAME,
            subject_id=assistant.id,
            subject=new_name,
            before={"name": assistant.name},
            after={"name": new_name},
        )
        assistant.name = new_name
        _flush_name(new_name)
        _commit_or_gone()
    return assistant


def delete_assistant(actor: Actor, assistant: Assistant) -> int:
    """Delete it; its numbers become unassigned, never lost. Returns how many it answered on."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    _hold(assistant, exclusive=True)
    forget_assistant(assistant.id)
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(PhoneNumber.assistant_id == assistant.id)
    ).all()
    for number in numbers:
        _unassign(actor, number, assistant)
    audit.record(
        assistant.team_id,
        actor.user.id,
        audit.Action.ASSISTANT_DELETE,
        subject_id=assistant.id,
        subject=assistant.name,
        before={"name": assistant.name, "phone_numbers": len(numbers)},
    )
    # A statement, not session.delete: its row count says whether another request was first.
    deleted = db.session.execute(sa.delete(Assistant).where(Assistant.id == assistant.id))
    if deleted.rowcount != 1:
        db.session.rollback()
        raise NotFound(GONE)
    _commit_or_gone()
    return len(numbers)


def assign_numbers(actor: Actor, assistant: Assistant, phone_number_ids: Sequence[str]) -> None:
    """Assign every number to the assistant (moving it from another), or none at all."""
    actor.require(Permission.ASSIGN)
    ids = list(dict.fromkeys(phone_number_ids))  # keep order, drop repeats
    if bad := next((i for i in ids if not is_id("pn", i)), None):
        raise NotFound(f"Phone number not found: {bad[:40]}.")
    _hold(assistant, exclusive=False)
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.id.in_(ids),
            PhoneNumber.team_id == assistant.team_id,
            PhoneNumber.status.not_in((NumberStatus.RELEASED, NumberStatus.EXPIRED)),
        )
    ).all()
    found = {n.id for n in numbers}
    if missing := [i for i in ids if i not in found]:
        # All-or-nothing: one unknown, foreign or released id and nothing changes.
        raise NotFound(f"Phone number not found: {missing[0]}.")
    moved = [n for n in numbers if n.assistant_id != assistant.id]
    for number in moved:
        _assign(actor, number, assistant)
    _commit_or_gone()


def assign_number(actor: Actor, number: PhoneNumber, assistant: Assistant | None) -> None:
    """The numbers table's picker: one number to one assistant, or to none."""
    if assistant is not None:
        assign_numbers(actor, assistant, [number.id])
    elif number.assistant is not None:
        unassign_number(actor, number.assistant, number.id)


def unassign_number(actor: Actor, assistant: Assistant, phone_number_id: str) -> None:
    actor.require(Permission.ASSIGN)
    _hold(assistant, exclusive=False)
    number = team_number(assistant.team_id, phone_number_id)
    if number.assistant_id == assistant.id:  # already unassigned: a retry succeeds quietly
        _unassign(actor, number, assistant)
        _commit_or_gone()


def unassign_numbers(actor: Actor, phone_number_ids: Sequence[str]) -> int:
    """No assistant answers on any of these numbers, or nothing changes. Returns how many did."""
    actor.require(Permission.ASSIGN)
    ids = list(dict.fromkeys(phone_number_ids))
    numbers = db.session.scalars(
        sa.select(PhoneNumber).where(
            PhoneNumber.id.in_(ids),
            PhoneNumber.team_id == actor.team.id,
            PhoneNumber.status != NumberStatus.RELEASED,
        )
    ).all()
    if missing := [i for i in ids if i not in {n.id for n in numbers}]:
        raise NotFound(f"Phone number not found: {missing[0]}.")
    answered = [n for n in numbers if n.assistant is not None]
    # Assistants before numbers, in one order, as every writer locks them.
    for assistant in sorted({n.assistant for n in answered}, key=lambda a: a.id):
        _hold(assistant, exclusive=False)
    for number in answered:
        _unassign(actor, number, number.assistant)
    _commit_or_gone()
    return len(answered)


def clean_name(name: object) -> str:
    cleaned = one_line(name, "name") if isinstance(name, str) else ""
    if not cleaned:
        raise ValidationFailed({"name": "Name is required."})
    # The limit holds for the text as sent too (the OpenAPI document's maxLength says so).
    if max(len(name) if isinstance(name, str) else 0, len(cleaned)) > MAX_NAME:
        raise ValidationFailed({"name": f"Name must be at most {MAX_NAME} characters."})
    return cleaned


def _unique_name(team: Team, name: object, renaming: Assistant | None = None) -> str:
    """Names are unique in a team whatever their case: "Sales" and "sales" would confuse."""
    cleaned = clean_name(name)
    clash = db.session.scalar(
        sa.select(Assistant.name).where(
            Assistant.team_id == team.id,
            Assistant.name_key == name_key(cleaned),
            Assistant.id != (renaming.id if renaming else ""),
        )
    )
    if clash is not None:
        raise NameTaken({"name": f"This team already has an assistant called {clash}."})
    return cleaned


def _flush_name(name: str) -> None:
    """Write the name now: a request that raced past the check meets the unique key here."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise NameTaken({"name": f"This team already has an assistant called {name}."}) from None
    except StaleDataError:  # renaming one that a delete took first
        db.session.rollback()
        raise NotFound(GONE) from None


def _hold(assistant: Assistant, *, exclusive: bool) -> None:
    """Lock the assistant's row before its numbers' rows, in every writer: a delete and an
    assignment then queue one behind the other instead of deadlocking. NotFound if it is gone.

    PostgreSQL takes the row lock (shared for assignments, exclusive to rename or delete);
    SQLite has no row locks, and its single writer serialises the same way.
    """
    lock = sa.select(Assistant.id).where(Assistant.id == assistant.id)
    if db.session.scalar(lock.with_for_update(read=not exclusive)) is None:
        db.session.rollback()
        raise NotFound(GONE)


def _commit_or_gone() -> None:
    """Commit; NotFound if the assistant went.

    On SQLite the assistant can still go between our read and our write: the foreign key
    (an assignment) or a DELETE/UPDATE matching no row (a rename or second delete) says so,
    at the flush (which the commit's own flush, app.accounts.team_version, may set off).
    """
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise NotFound(GONE) from None


def _assign(actor: Actor, number: PhoneNumber, assistant: Assistant) -> None:
    was = number.assistant
    audit.record(
        assistant.team_id,
        actor.user.id,
        audit.Action.ASSIGN,
        subject_id=number.id,
        subject=number.phone_number,
        before={"assistant_id": number.assistant_id, "assistant_name": was.name if was else None},
        after={"assistant_id": assistant.id, "assistant_name": assistant.name},
    )
    _routing_changed(number, assistant.id, number.assistant_id)
    number.assistant = assistant  # the relationship, so the row shows it without a reload
    clear_split(number.id)


def _unassign(actor: Actor, number: PhoneNumber, assistant: Assistant) -> None:
    number.assistant = None
    clear_split(number.id)
    _routing_changed(number, None, assistant.id)
    audit.record(
        number.team_id,
        actor.user.id,
        audit.Action.UNASSIGN,
        subject_id=number.id,
        subject=number.phone_number,
        before={"assistant_id": assistant.id, "assistant_name": assistant.name},
        after={"assistant_id": None, "assistant_name": None},
    )


def _routing_changed(number: PhoneNumber, now: str | None, was: str | None) -> None:
    events.emit(
        number.team_id,
        "number.routing_changed",
        payloads.number(number, assistantId=now, previousAssistantId=was),
    )
