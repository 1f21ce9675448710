"""An assistant's page of its own: where it answers (its destination), the numbers it may
call from, and its latest calls. Owners and admins change the destination; everyone sees it.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.assistants import service
from app.calls.log import CallFilters, list_calls
from app.dashboard import actor, bp, render
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import AssistantDestination
from app.routing import answering
from app.routing.callers import caller_numbers
from app.routing.destinations import PLATFORM_NAMES
from app.routing.secrets import signing_secret

DESTINATION = "/teams/<team_id>/assistants/<id(asst):assistant_id>/destination"
# Where each platform shows the address to send calls to (its documentation's words).
PLATFORM_HELP = {
    "vapi": "Vapi: create a SIP phone number for the assistant; its sipUri looks like "
    "sip:your-name@sip.vapi.ai (sip.eu.vapi.ai in the EU region).",
    "retell": "Retell: import this number with SIP trunking, then send calls to "
    "sip:+14155550100@sip.retellai.com (add ;transport=tcp for TCP).",
    "livekit": "LiveKit: your project's SIP URI is on Project settings, like "
    "sip:vjnxecm0tjk.sip.livekit.cloud; a call to the number goes to "
    "sip:+14155550100@vjnxecm0tjk.sip.livekit.cloud, matched by your inbound trunk.",
    "pipecat": "Pipecat: the SIP address of your bot's transport (such as a Daily room's "
    "dial-in SIP URI), or a webhook of your bot runner.",
    "other": "Any SIP URI your agent platform gives you, a phone number, or your own webhook.",
}
FORM_FIELDS = {
    "destination": "destination_type",
    "destination.type": "destination_type",
    "destination.address": "address",
    "destination.sipUsername": "sip_username",
    "destination.sipPassword": "sip_password",
    "destination.platform": "platform",
    "destination.platformId": "platform_id",
}


@bp.get(DESTINATION)
@login_required
def assistant_destination(assistant_id: str):
    assistant = service.team_assistant(actor().team, assistant_id)
    current = db.session.get(AssistantDestination, assistant.id)
    values = {
        "destination_type": current.kind if current else "",
        "address": current.address if current else "",
        "sip_username": (current.sip_username or "") if current else "",
        "platform": (current.platform or "") if current else "",
        "platform_id": (current.platform_id or "") if current else "",
    }
    return _page(assistant, current, values, {})


@bp.post(DESTINATION)
@login_required
def save_destination(assistant_id: str):
    assistant = service.team_assistant(actor().team, assistant_id)
    form = request.form
    kind = form.get("destination_type", "")
    fields = ("address", "sip_username", "sip_password", "platform", "platform_id")
    if not kind:
        given = next((f for f in fields if form.get(f, "").strip()), None)
        change = None
        if given:
            change = {"type": ""}  # refused below, beside the type
    else:
        change = {
            "type": kind,
            "address": form.get("address", ""),
            "sipUsername": form.get("sip_username", "") or None,
            "platform": form.get("platform", "") or None,
            "platformId": form.get("platform_id", "") or None,
        }
        if form.get("sip_password"):
            change["sipPassword"] = form["sip_password"]
        if form.get("forget_password"):
            change["sipPassword"] = None
    current = db.session.get(AssistantDestination, assistant.id)
    try:
        answering.set_destination(actor(), assistant, change)
    except ValidationFailed as error:
        db.session.rollback()
        errors = {FORM_FIELDS.get(k, "destination_type"): v for k, v in error.fields.items()}
        values = {f: form.get(f, "") for f in ("destination_type", *fields)}
        values.pop("sip_password")
        return _page(assistant, current, values, errors, 400)
    done = "Saved where" if change else "Cleared where"
    flash(f"{done} {assistant.name} answers.", "success")
    return redirect(
        url_for(
            "dashboard.assistant_destination", team_id=actor().team.id, assistant_id=assistant.id
        )
    )


def _page(assistant, current, values, errors, status: int = 200):
    team = actor().team
    manage = actor().can(Permission.MANAGE_ASSISTANTS)
    calls = list_calls(team.id, 20, None, CallFilters(assistant_id=assistant.id)).calls
    secret = (
        signing_secret(assistant.id) if manage and current and current.kind == "webhook" else None
    )
    return render(
        "assistants/destination.html",
        "assistants/destination.html",
        status,
        team=team,
        actor=actor(),
        assistant=assistant,
        current=current,
        label=answering.label(current),
        password_set=bool(current and current.sip_password),
        values=values,
        errors=errors,
        manage=manage,
        secret=secret,
        numbers=caller_numbers(team.id).get(assistant.id, []),
        calls=calls,
        platforms=PLATFORM_NAMES,
        platform_help=PLATFORM_HELP,
    )
