"""Where each assistant answers: set, read and load its destination.

A SIP password is encrypted before it is stored and never shown back; a webhook's signing
secret is derived (app.routing.secrets) and shown only to those who may manage assistants.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from app import audit
from app.accounts.roles import Actor, Permission
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import Assistant, AssistantDestination, utcnow
from app.models.routing import DESTINATION_KINDS
from app.routing import secrets
from app.routing.destinations import (
    PLATFORM_NAMES,
    Destination,
    clean_text,
    parse_destination,
    parse_platform,
)
from app.text import unstorable

NO_DESTINATION = "Calls to its numbers go to the fallback"
KEYS = {"type", "address", "sipUsername", "sipPassword", "platform", "platformId"}


def destinations(team_id: str) -> dict[str, AssistantDestination]:
    """The team's assistants' destinations, by assistant id (one query)."""
    rows = db.session.scalars(
        sa.select(AssistantDestination).where(AssistantDestination.team_id == team_id)
    )
    return {row.assistant_id: row for row in rows}


def destination_of(row: AssistantDestination | None, *, with_password: bool = False):
    """The engine's Destination for a stored row (the password decrypted only if asked)."""
    if row is None:
        return None
    password = secrets.decrypt(row.sip_password) if with_password else None
    return Destination(row.kind, row.address, row.sip_username, password)


def parse_body(value: object, current: AssistantDestination | None) -> dict[str, Any] | None:
    """The `destination` object of a request, checked; None clears it. Fields left out of a
    change keep their values (the SIP password especially: it is never sent back)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationFailed({"destination": "Send an object, or null to clear it."})
    if unknown := sorted(set(value) - KEYS):
        raise ValidationFailed({f"destination.{unknown[0][:40]}": "Unknown field."})
    allow = current_app.config["WEBHOOKS_ALLOW_PRIVATE"]
    kind = value.get("type", current.kind if current else None)
    address = value.get("address", current.address if current else None)
    place = parse_destination(kind, address, "destination", DESTINATION_KINDS, allow)
    same_kind = current is not None and current.kind == place.kind
    username = value.get("sipUsername", current.sip_username if same_kind else None)
    if username not in (None, ""):
        username = clean_text(username, "destination.sipUsername", 200)
    password = value.get("sipPassword")
    if password not in (None, "") and (
        not isinstance(password, str) or len(password) > 200 or unstorable(password)
    ):
        raise ValidationFailed(
            {"destination.sipPassword": "At most 200 characters, and no NUL or broken text."}
        )
    if place.kind != "sip" and (username or password):
        field = "sipUsername" if username else "sipPassword"
        raise ValidationFailed({f"destination.{field}": "Only a SIP destination takes these."})
    if "sipPassword" in value:
        stored = secrets.encrypt(password) if password else None
    else:
        stored = current.sip_password if same_kind else None
    platform_id = value.get("platformId", current.platform_id if current else None)
    if platform_id not in (None, ""):
        platform_id = clean_text(platform_id, "destination.platformId", 200)
    return {
        "kind": place.kind,
        "address": place.address,
        "sip_username": username or None,
        "sip_password": stored,
        "platform": parse_platform(
            value.get("platform", current.platform if current else None), "destination.platform"
        ),
        "platform_id": platform_id or None,
    }


def set_destination(
    actor: Actor, assistant: Assistant, value: object
) -> AssistantDestination | None:
    """Set (or with None clear) where the assistant answers; a History line says so."""
    actor.require(Permission.MANAGE_ASSISTANTS)
    current = db.session.get(AssistantDestination, assistant.id)
    fields = parse_body(value, current)
    before = _summary(current)
    if fields is None:
        if current is not None:
            db.session.delete(current)
        current = None
    elif current is None:
        current = AssistantDestination(
            assistant_id=assistant.id, team_id=assistant.team_id, **fields
        )
        db.session.add(current)
    else:
        for key, field_value in fields.items():
            setattr(current, key, field_value)
        current.updated_at = utcnow()
    after = _summary(current)
    if before != after:
        audit.record(
            assistant.team_id,
            actor.user.id,
            audit.Action.DESTINATION_CHANGE,
            subject_id=assistant.id,
            subject=assistant.name,
            before=before,
            after=after,
        )
    db.session.commit()
    return current


def _summary(row: AssistantDestination | None) -> dict[str, Any] | None:
    """What History keeps of a destination: never the password, only that one changed."""
    if row is None:
        return None
    return {
        "type": row.kind,
        "address": row.address,
        "sip_username": row.sip_username,
        "sip_password": secrets.digest_of(row.sip_password),
        "platform": row.platform,
        "platform_id": row.platform_id,
    }


def destination_json(
    row: AssistantDestination | None, assistant_id: str, *, secret: bool = False
) -> dict[str, Any] | None:
    """The assistant's `destination` as the API shows it (null without one)."""
    if row is None:
        return None
    answer: dict[str, Any] = {
        "type": row.kind,
        "address": row.address,
        "sipUsername": row.sip_username,
        "sipPassword": secrets.masked(row.sip_password),
        "platform": row.platform,
        "platformId": row.platform_id,
    }
    if secret and row.kind == "webhook":
        answer["signingSecret"] = secrets.signing_secret(assistant_id)
    return answer


def label(row: AssistantDestination | None) -> str:
    """One line for pages: "SIP · sip:…@sip.vapi.ai · Vapi", or the fallback sentence."""
    if row is None:
        return NO_DESTINATION
    kind = {"sip": "SIP", "phone": "Phone", "webhook": "Webhook"}[row.kind]
    shown = destination_of(row).shown  # type: ignore[union-attr]
    platform = f" · {PLATFORM_NAMES[row.platform]}" if row.platform else ""
    return f"{kind} · {shown}{platform}"
