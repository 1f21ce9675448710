"""The History page: the team's audit events, newest first, as sentences a person reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import make_response, request, url_for
from flask_login import login_required

from app import audit
from app.audit_filters import ACTION_GROUPS, SYSTEM, parse_filters, people_in_history
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.guardrails import summary
from app.guardrails.rules import Limits
from app.models import AuditEvent
from app.phone import national
from app.timefmt import parse_iso, readable

PER_PAGE = 50
MAX_EXPORT = 10_000  # rows in the CSV export (app.dashboard.history_export)


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
    people = people_in_history(team.id)
    filters = parse_filters(request.args, people)  # a bad one is named, and left out
    events = audit.history(team.id, _page_number(), PER_PAGE, filters.where(team.id))
    html, status = render(
        "history/page.html",
        "history/_list.html",
        400 if filters.errors else 200,
        team=team,
        events=events,
        lines=[describe(event) for event in events.events],
        filters=filters,
        people=people,
        action_groups=ACTION_GROUPS,
        system=SYSTEM,
        max_export=MAX_EXPORT,
    )
    response = make_response(html, status)
    if is_htmx():
        # The form sends every field, empty ones too: the address bar gets the short spelling.
        page = {"page": events.page} if events.page > 1 else {}
        short = url_for("dashboard.history", team_id=team.id, **filters.params(), **page)
        response.headers["HX-Push-Url"] = short
    return response


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
    if action == "order_cancelled":
        return Line(event, who, f"Cancelled the pending order for {number}; nothing was bought")
    if action == "documents_sent":
        names = ", ".join(after.get("requirements") or [])
        return Line(event, who, f"Sent the documents for {number} to the provider", None, names)
    if action == "missing":
        return Line(event, who, f"{number} is no longer on the provider account")
    if action == "plan_change":
        if event.actor is None and after.get("via"):
            who = after["via"].capitalize()  # "Stripe": the provider's webhook changed it
        return Line(event, who, "Changed the plan", before.get("plan"), after.get("plan"))
    if action == "release":
        if after.get("reason") == "over_limit":
            return Line(event, who, f"Released {number}: over the plan's limit, and not kept")
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
    if action == "routing_change":
        return Line(
            event,
            who,
            f"Changed the routing of {number}",
            routing_words(before),
            routing_words(after),
        )
    if action == "destination_change":
        name = event.subject
        return Line(
            event, who, f"Changed where {name} answers", place_words(before), place_words(after)
        )
    if action == "caller_name_set":
        return Line(
            event, who, f"Set the caller name of {number}", before.get("name"), after.get("name")
        )
    if action in ("replace_start", "replace_done"):
        new = str(after.get("phone_number") or "")
        new = national(new) if new.startswith("+") else new
        if action == "replace_start":
            return Line(event, who, f"Put {new} in the cart to replace {number}")
        moved = ", ".join(after.get("moved") or [])
        return Line(event, who, f"Replaced {number} by {new} ({moved})")
    if line := (
        _campaigns(event, who, number, before, after)
        or _health(event, who, number, after)
        or _people(event, who, before, after)
        or _guardrails(event, who, number, after)
        or _limits(event, who, before, after)
    ):
        return line
    return Line(event, who, f"{action.replace('_', ' ').capitalize()} {event.subject}".strip())


def _campaigns(event: AuditEvent, who: str, number: str, before: dict, after: dict) -> Line | None:
    """A campaign made, changed or deleted; a number in or out of its pool; its coverage."""
    action, name = event.action, event.subject
    if action == "campaign_create":
        return Line(event, who, f"Created campaign {name}")
    if action == "campaign_change":
        return Line(event, who, f"Changed campaign {name}", _settings(before), _settings(after))
    if action == "campaign_delete":
        count = before.get("phone_numbers") or 0
        return Line(event, who, f"Deleted campaign {name}; its {count} numbers stay the team's")
    if action == "campaign_add":
        moved = f" (from {before['campaign_name']})" if before.get("campaign_name") else ""
        return Line(event, who, f"Added {number} to campaign {after.get('campaign_name')}{moved}")
    if action == "campaign_remove":
        return Line(event, who, f"Took {number} out of campaign {before.get('campaign_name')}")
    if action == "campaign_coverage":
        count = after.get("destinations", 0)
        return Line(event, who, f"Set the destinations of campaign {name} ({count:,})")
    return None


def _health(event: AuditEvent, who: str, number: str, after: dict) -> Line | None:
    """A health alert (the sweep's, so "System"), and a number rested or woken."""
    if event.action == "health_alert":
        return Line(event, who, f"Health alert for {number}: {after.get('detail', '')}")
    if event.action == "number_rest":
        until = parse_iso(after["rest_until"]) if after.get("rest_until") else None
        days = after.get("days")
        return Line(
            event, who, f"Rested {number} from campaigns for {days} days, until {readable(until)}"
        )
    if event.action == "number_wake":
        return Line(event, who, f"Woke {number} early: campaigns may call from it again")
    return None


def _settings(values: dict) -> str:
    words = []
    for key, value in sorted(values.items(), key=lambda kv: (kv[0] != "name", kv[0])):
        if key == "paused":
            words.append("paused" if value else "calling")
        elif key == "assistant_ids":
            words.append(f"{len(value)} assistant{'' if len(value) == 1 else 's'}")
        elif key == "cooldown_seconds":
            words.append(f"{value} s between calls")
        elif key == "daily_cap":
            words.append(f"{value} calls a day")
        else:
            words.append(str(value))
    return ", ".join(words)


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


def _guardrails(event: AuditEvent, who: str, number: str, after: dict) -> Line | None:
    """The spending guardrails, and members' purchase requests: asked, approved, denied."""
    action, asker = event.action, after.get("requested_by") or "someone who has left"
    if action == "guardrails_change":
        before = limits_words(event.before or {})
        return Line(event, who, "Changed the spending guardrails", before, limits_words(after))
    if action == "purchase_request":
        held = after.get("held_until")
        until = f"; held until {readable(datetime.fromisoformat(held))}" if held else ""
        return Line(event, who, f"Asked to buy {number}{until}")
    if action == "request_approve":
        return Line(event, who, f"Approved {asker}'s request to buy {number}")
    if action == "request_deny":
        note = f": “{after['note']}”" if after.get("note") else ""
        return Line(event, who, f"Denied {asker}'s request to buy {number}{note}")
    if action == "request_fail":
        reason = after.get("reason", "")
        return Line(event, who, f"Approved {asker}'s request for {number}; not bought: {reason}")
    return None


def limits_words(limits: dict) -> str:
    """The guardrails as History shows a change of them (the API's fields, as recorded)."""

    def amount(name: str) -> Decimal | None:
        return Decimal(limits[name]) if limits.get(name) else None

    return summary(
        Limits(
            amount("monthlySpendCap"),
            bool(limits.get("approvalRequired")),
            amount("approvalAbove"),
        )
    )


def _limits(event: AuditEvent, who: str, before: dict, after: dict) -> Line | None:
    """The team's limit: a custom one, and the grace after a downgrade."""
    action = event.action
    if action == "custom_limit":
        old, new = before.get("custom_limit"), after.get("custom_limit")
        was = f"{old} (custom)" if old else "the plan's"
        now = f"{new} (custom)" if new else "the plan's"
        return Line(event, who, "Changed the team's number limit", was, now)
    if action == "limit_grace_start":
        ends = readable(datetime.fromisoformat(after["ends_at"]))
        keep = after.get("keep") or 0
        choose = f"choose {keep} to keep" if keep else "choose a paid plan to keep them"
        return Line(
            event,
            who,
            f"Held {after.get('held')} numbers, over the {event.subject} plan: {choose} "
            f"by {ends}; the rest are released then",
        )
    if action == "limit_grace_end":
        return Line(event, who, "Within the plan's limit again: nothing more is released")
    if action == "keep_numbers":
        kept = [national(n) for n in after.get("kept") or []]
        return Line(event, who, f"Chose the numbers to keep: {', '.join(kept) or 'none'}")
    return None


def _page_number() -> int:
    raw = request.args.get("page", "1")
    # isdigit() accepts "²", which int() refuses: ASCII digits only.
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def routing_words(routing: dict) -> str | None:
    """A routing in a few words: "80% asst_…, 20% …; fallback +1…; 2 blocked; hours"."""
    if not routing:
        return None
    inbound, parts = routing.get("inbound", {}), []
    split = inbound.get("assistants") or []
    if len(split) > 1:
        parts.append(" / ".join(f"{a['weight']}%" for a in split) + " split")
    parts.append(
        f"fallback {inbound['fallback']['address']}" if inbound.get("fallback") else "no fallback"
    )
    if inbound.get("blocklist"):
        parts.append(f"{len(inbound['blocklist'])} blocked")
    if inbound.get("allowedCountries"):
        parts.append("from " + ", ".join(inbound["allowedCountries"]))
    if inbound.get("hours"):
        parts.append(f"hours ({inbound.get('timeZone')})")
    return "; ".join(parts)


def place_words(place: dict | None) -> str:
    if not place:
        return "nowhere (the fallback)"
    return f"{place['type']} {place['address']}"
