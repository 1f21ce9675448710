"""Acting on several of a team's numbers at once: assign, unassign, label or release a
selection, chosen by hand or as every number the list's filters match.

Each is one service call: the role is checked once, before anything changes, and every number
that changes gets its own line in History (through the single-number rules it reuses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.accounts.roles import Actor, Permission
from app.assistants import service as assistants
from app.exceptions import NotFound, ServiceError, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import NumberStatus, PhoneNumber, Team
from app.numbers.listing import NumberFilters
from app.numbers.managing import list_number_rows, set_label
from app.numbers.releasing import release_number

# "Select all N matching" takes at most this many (the README says so): every number changed
# gets its own History line, and each release its own call to the provider.
MAX_BULK = 1000


@dataclass(frozen=True)
class Outcome:
    """What happened to one number of a bulk release."""

    number_id: str
    phone_number: str
    done: bool
    message: str = ""
    # When its release falls due, if it was scheduled (undoable until then) not done at once.
    release_after: datetime | None = None


def selected_numbers(team_id: str, number_ids: Sequence[object]) -> list[PhoneNumber]:
    """The chosen numbers of this team, in the order chosen; NotFound if any is not one."""
    ids = _checked_ids(number_ids)
    found = {
        number.id: number
        for number in db.session.scalars(
            sa.select(PhoneNumber).where(
                PhoneNumber.id.in_(ids),
                PhoneNumber.team_id == team_id,
                PhoneNumber.status != NumberStatus.RELEASED,
            )
        )
    }
    if missing := [i for i in ids if i not in found]:
        raise NotFound(f"Phone number not found: {missing[0]}.")
    return [found[i] for i in ids]


def matching_ids(team: Team, filters: NumberFilters) -> list[str]:
    """Every number of the team the filters keep, in the list's order; refused past MAX_BULK."""
    page = list_number_rows(team, MAX_BULK, None, filters)
    if page.next_cursor:
        raise ValidationFailed(
            {"phoneNumberIds": f"More than {MAX_BULK:,} numbers match: narrow the filters first."}
        )
    return [number.id for number in page.numbers]


def label_selected(actor: Actor, label: object, number_ids: Sequence[object]) -> int:
    """The same label on every chosen number (an empty one removes it). Returns how many."""
    actor.require(Permission.LABEL)
    chosen = selected_numbers(actor.team.id, number_ids)
    for number in chosen:
        set_label(actor, number, label)  # checks the label before the first one changes
    return len(chosen)


def assign_selected(actor: Actor, assistant_id: object, number_ids: Sequence[object]) -> int:
    """Every chosen number to the assistant, or none of them. Returns how many were chosen."""
    actor.require(Permission.ASSIGN)
    ids = _checked_ids(number_ids)
    assistant = assistants.team_assistant(actor.team, assistant_id)
    assistants.assign_numbers(actor, assistant, ids)
    return len(ids)


def unassign_selected(actor: Actor, number_ids: Sequence[object]) -> int:
    """No assistant answers on any chosen number after this. Returns how many changed."""
    actor.require(Permission.ASSIGN)
    return assistants.unassign_numbers(actor, _checked_ids(number_ids))


def release_selected(actor: Actor, number_ids: Sequence[object]) -> list[Outcome]:
    """Release each chosen number; one the provider refuses is kept and says why, the rest go."""
    actor.require(Permission.RELEASE)
    chosen = selected_numbers(actor.team.id, number_ids)
    outcomes = []
    for number in chosen:
        try:
            released = release_number(actor, number.id)
        except ServiceError as error:  # not yours to lose: the others still go
            db.session.rollback()
            outcomes.append(Outcome(number.id, number.phone_number, False, error.message))
        else:
            due = released.release_after if released.release_scheduled else None
            outcomes.append(Outcome(released.id, released.phone_number, True, "", due))
    return outcomes


def _checked_ids(number_ids: Sequence[object]) -> list[str]:
    ids = list(dict.fromkeys(number_ids))  # keep order, drop repeats
    if not ids:
        raise ValidationFailed({"phoneNumberIds": "Choose at least one number."})
    if len(ids) > MAX_BULK:
        raise ValidationFailed({"phoneNumberIds": f"Choose at most {MAX_BULK:,} numbers at once."})
    if bad := next((i for i in ids if not is_id("pn", i)), None):
        raise NotFound(f"Phone number not found: {str(bad)[:40]}.")
    return ids
