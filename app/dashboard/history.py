"""The History page: the team's audit events, newest first, as sentences a person reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import request
from flask_login import login_required

from app import audit
from app.dashboard import actor, bp, render
from app.models import AuditEvent
from app.phone import national
from app.timefmt import parse_iso

PER_PAGE = 50


@dataclass(frozen=True)
class Line:
    """One event as shown: who, a sentence, and the change where one helps."""

    event: AuditEvent
    who: str
    what: str
    before: str | None = None
    after: str | None = None
    due: datetime | None = None  # when a scheduled release falls due, shown in local time


@bp.get("/teams/<team_id>/history")
@login_required
def history():
    team = actor().team
    events = audit.history(team.id, _page_number(), PER_PAGE)
    return render(
        "history/page.html",
        "history/_list.html",
        team=team,
        events=events,
        lines=[describe(event) for event in events.events],
    )


def describe(event: AuditEvent) -> Line:
    before, after = event.before or {}, event.after or {}
    number = national(event.subject) if event.subject.startswith("+") else event.subject
    who = (event.actor.name or event.actor.email) if event.actor else "System"
    action = event.action
    if action == "purchase":
        trial = " as a trial" if after.get("is_trial") else ""
        return Line(event, who, f"Bought {number}{trial}")
    if action == "assign":
        was, now = before.get("assistant_name"), after.get("assistant_name")
        if was:
            return Line(event, who, f"Moved {number} from {was} to {now}")
        return Line(event, who, f"Assigned {number} to {now}")
    if action == "unassign":
        return Line(event, who, f"Unassigned {number} from {before.get('assistant_name')}")
    if action == "label":
        old, new = before.get("label"), after.get("label")
        if new is None:
            return Line(event, who, f"Removed the label “{old}” from {number}")
        if old is None:
            return Line(event, who, f"Labelled {number} “{new}”")
        return Line(event, who, f"Changed the label of {number}", f"“{old}”", f"“{new}”")
    if action == "order_failed":
        detail = after.get("detail")
        return Line(event, who, f"The order for {number} failed; nothing was bought", None, detail)
    if action == "missing":
        return Line(event, who, f"{number} is no longer on the provider account")
    if action == "plan_change":
        if event.actor is None and after.get("via"):
            who = after["via"].capitalize()  # "Stripe": the provider's webhook changed it
        return Line(event, who, "Changed the plan", before.get("plan"), after.get("plan"))
    if action == "release":
        if after.get("scheduled"):
            return Line(event, who, f"Released {number}, as scheduled")
        return Line(event, who, f"Released {number}")
    if action == "release_schedule":
        due = parse_iso(after["release_after"]) if after.get("release_after") else None
        return Line(event, who, f"Scheduled the release of {number}", due=due)
    if action == "release_undo":
        lost = after.get("lost_assistant")
        if lost:
            return Line(
                event, who, f"Undid the release of {number}; back unassigned ({lost} was deleted)"
            )
        return Line(event, who, f"Undid the release of {number}")
    if action == "expire":
        return Line(event, who, f"Trial number {number} expired and went back to the provider")
    if action == "convert_trial":
        return Line(event, who, f"Kept trial number {number} as a regular number")
    if action == "assistant_create":
        return Line(event, who, f"Created assistant {event.subject}")
    if action == "assistant_rename":
        return Line(event, who, "Renamed an assistant", before.get("name"), after.get("name"))
    if action == "assistant_delete":
        count = before.get("phone_numbers") or 0
        freed = f"; {count} number{'' if count == 1 else 's'} became unassigned" if count else ""
        return Line(event, who, f"Deleted assistant {before.get('name', event.subject)}{freed}")
    if line := _people(event, who, before, after):
        return line
    return Line(event, who, f"{action.replace('_', ' ').capitalize()} {event.subject}".strip())


def _people(event: AuditEvent, who: str, before: dict, after: dict) -> Line | None:
    """The team's own changes: made, invited, joined, left, roles."""
    action, person = event.action, event.subject
    if action == "team_create":
        return Line(event, who, f"Created the team {event.subject}")
    if action == "member_invite":
        return Line(event, who, f"Invited {person} as {after.get('role')}")
    if action == "invite_revoke":
        return Line(event, who, f"Withdrew the invitation to {person}")
    if action == "member_join":
        return Line(event, who, f"Joined the team as {after.get('role')}")
    if action == "member_remove":
        return Line(event, who, f"Removed {person} from the team")
    if action == "member_leave":
        return Line(event, who, "Left the team")
    if action == "role_change":
        return Line(
            event, who, f"Changed the role of {person}", before.get("role"), after.get("role")
        )
    if action == "ownership_transfer":
        return Line(event, who, f"Handed the team over to {person}; now an admin")
    return None


def _page_number() -> int:
    raw = request.args.get("page", "1")
    # isdigit() accepts "²", which int() refuses: ASCII digits only.
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1
