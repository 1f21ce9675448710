"""What a webhook endpoint is asked to be, checked: the fields the API's JSON and the
Webhooks page's forms send, turned into the changes app.events.endpoints saves, or a
ValidationFailed naming each bad field in words a person can act on.
"""

from __future__ import annotations

from app.events import addresses
from app.events.catalog import EVENT_TYPES
from app.exceptions import ValidationFailed
from app.text import one_line

MAX_DESCRIPTION = 200


def parse_endpoint(body: dict, *, partial: bool = False) -> dict:
    """The fields asked for, checked: url (resolved now: a private address is refused),
    events, description, enabled. ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    changes: dict = {}
    if "url" in body or not partial:
        try:
            addresses.check(body.get("url"))
            changes["url"] = body["url"].strip()
        except addresses.AddressRefused as refused:
            errors["url"] = str(refused)
    if "events" in body or not partial:
        changes["events"] = _events(body.get("events"), errors)
    if "description" in body:
        changes["description"] = _description(body.get("description"), errors)
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            errors["enabled"] = "enabled must be true or false."
        changes["enabled"] = body["enabled"]
    if errors:
        raise ValidationFailed(errors)
    if not changes:
        raise ValidationFailed({}, "Send at least one of url, events, description, enabled.")
    return changes


def _events(value: object, errors: dict[str, str]) -> list[str]:
    names = ", ".join(EVENT_TYPES)
    if not isinstance(value, list) or not value:
        errors["events"] = f"Choose at least one event type: {names}."
        return []
    for item in value:
        if not isinstance(item, str) or item not in EVENT_TYPES:
            shown = repr(item[:40]) if isinstance(item, str) else "that"
            errors["events"] = f"No event type is called {shown}; event types: {names}."
            return []
    return [name for name in EVENT_TYPES if name in value]


def _description(value: object, errors: dict[str, str]) -> str:
    # null is refused as the document says (a string): "" is how to have none.
    if not isinstance(value, str):
        errors["description"] = 'A description is text: send "" for none.'
        return ""
    try:
        text = one_line(value, "description")
    except ValidationFailed as error:
        errors.update(error.fields)
        return ""
    if len(text) > MAX_DESCRIPTION:
        errors["description"] = f"A description is at most {MAX_DESCRIPTION} characters."
    return text
