"""The fake Telnyx account's Call Control: applications, numbers' connections, calls and
their commands, and the call events Telnyx would send (see tests/fakes/telnyx.py for how
they are signed and delivered).

Shapes from Telnyx's published API reference (developers.telnyx.com/api-reference:
"Create a call control application", "Update a phone number", "Dial", "Answer call",
"Transfer call", "Reject a call", "Hangup call", and the call.initiated / call.answered /
call.bridged / call.hangup webhook payloads), and the generated SDKs built from the same
spec (team-telnyx/telnyx-ruby `lib/telnyx/models/calls/action_transfer_params.rb`):
- `POST /call_control_applications` needs `application_name` and `webhook_event_url`
  (422 with a `source.pointer` otherwise) and answers 201 with `data` (`id`,
  `record_type: "call_control_application"`, `webhook_api_version`, ...).
- `PATCH /phone_numbers/{id}` sets `connection_id`; an unknown connection is a 422.
- `POST /calls` (`connection_id`, `to`, `from`) answers `data.call_control_id`,
  `call_leg_id`, `call_session_id`, `is_alive`.
- `POST /calls/{call_control_id}/actions/{answer|transfer|reject|hangup}` answers
  `{"data": {"result": "ok"}}`; a repeated `command_id` for the same call is ignored; a
  command on a call that has ended is a 422 ("Call has already ended", code 90018).
- Events: `data.event_type`, `data.id`, `data.occurred_at`, `data.record_type: "event"`,
  `data.payload` with `call_control_id`, `call_leg_id`, `call_session_id`, `connection_id`,
  `client_state` (the leg's, base64), `from`, `to`, `direction`, `state`; call.hangup adds
  `hangup_cause` (e.g. `normal_clearing`, `timeout`, `call_rejected`), `hangup_source`,
  `start_time`, `end_time`.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from tests.fakes.telnyx_shapes import error_body, now_text

ACTIONS = ("answer", "transfer", "reject", "hangup")
CALL_ENDED = "Call has already ended"


class Calls:
    """Call Control state: applications, calls (legs) and the commands each received."""

    def init_calls(self) -> None:
        self.applications: dict[str, dict[str, Any]] = {}
        self.calls: dict[str, dict[str, Any]] = {}
        self.commands: list[tuple[str, str, dict[str, Any]]] = []  # (leg, action, body)
        self._seen_commands: set[tuple[str, str]] = set()
        self._app_ids = itertools.count(2293384261075731499)

    # -- what tests do -------------------------------------------------------------------

    def ring(self, from_: str, to: str, connection_id: str | None = None) -> dict[str, Any]:
        """A call from `from_` to `to` arrives: the call.initiated event Telnyx would send."""
        with self.lock:
            leg = self._new_leg(from_, to, "incoming", connection_id, client_state=None)
            return self.call_event("call.initiated", leg["call_control_id"])

    def call_event(self, event_type: str, leg_id: str, **payload: Any) -> dict[str, Any]:
        """An event about one leg, carrying that leg's client_state as Telnyx echoes it."""
        with self.lock:
            leg = self.calls[leg_id]
            body = {
                key: leg[key]
                for key in (
                    "call_control_id",
                    "call_leg_id",
                    "call_session_id",
                    "connection_id",
                    "client_state",
                    "from",
                    "to",
                    "direction",
                    "state",
                )
            }
        if event_type == "call.hangup":
            payload.setdefault("hangup_cause", "normal_clearing")
            payload.setdefault("hangup_source", "caller")
            payload.setdefault("start_time", now_text())
            payload.setdefault("end_time", now_text())
        return {
            "data": {
                "record_type": "event",
                "event_type": event_type,
                "id": str(uuid.uuid4()),
                "occurred_at": payload.pop("occurred_at", None) or now_text(),
                "payload": {**body, **payload},
            },
            "meta": {"attempt": 1, "delivered_to": self.webhook_url},
        }

    def end_call(self, leg_id: str) -> None:
        """The leg hangs up at Telnyx: later commands on it are refused (422)."""
        with self.lock:
            self.calls[leg_id]["state"] = "hangup"

    def legs_to(self, destination: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls.values() if c["to"] == destination]

    def commands_on(self, leg_id: str) -> list[tuple[str, dict[str, Any]]]:
        with self.lock:
            return [(action, body) for leg, action, body in self.commands if leg == leg_id]

    # -- the API -------------------------------------------------------------------------

    def handle_calls(self, method: str, parts: list[str], body: Any) -> tuple[int, Any] | None:
        """Answer a Call Control request (parts: the path after /v2), or None if not one."""
        body = body if isinstance(body, dict) else {}
        if parts == ["call_control_applications"] and method == "POST":
            return self._create_application(body)
        if parts[:1] == ["call_control_applications"] and len(parts) == 2 and method == "GET":
            found = self.applications.get(parts[1])
            return (200, {"data": found}) if found else (404, error_body(404))
        if parts[:1] == ["phone_numbers"] and len(parts) == 2 and method == "PATCH":
            return self._update_number(parts[1], body)
        if parts == ["calls"] and method == "POST":
            return self._dial(body)
        if (
            parts[:1] == ["calls"]
            and len(parts) == 4
            and parts[2] == "actions"
            and (method == "POST" and parts[3] in ACTIONS)
        ):
            return self._command(parts[1], parts[3], body)
        return None

    def _create_application(self, body: dict[str, Any]) -> tuple[int, Any]:
        for field in ("application_name", "webhook_event_url"):
            if not body.get(field):
                return 422, error_body(422, detail=f"{field} is required", pointer=f"/{field}")
        app_id = str(next(self._app_ids))
        record = {
            "id": app_id,
            "record_type": "call_control_application",
            "application_name": body["application_name"],
            "webhook_event_url": body["webhook_event_url"],
            "webhook_api_version": str(body.get("webhook_api_version") or "1"),
            "webhook_timeout_secs": body.get("webhook_timeout_secs"),
            "active": True,
            "created_at": now_text(),
        }
        self.applications[app_id] = record
        self.connections.add(app_id)
        return 201, {"data": record}

    def _update_number(self, number_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        record = self.owned.get(number_id)
        if record is None or record["status"] == "deleted":
            return 404, error_body(404)
        connection = body.get("connection_id")
        if connection is not None and connection not in self.connections:
            detail = "The connection_id does not exist."
            return 422, error_body(422, detail=detail, pointer="/connection_id")
        if "connection_id" in body:
            record["connection_id"] = connection
        return 200, {"data": record}

    def _dial(self, body: dict[str, Any]) -> tuple[int, Any]:
        for field in ("connection_id", "to", "from"):
            if not body.get(field):
                return 422, error_body(422, detail=f"{field} is required", pointer=f"/{field}")
        if body["connection_id"] not in self.connections:
            return 422, error_body(422, detail="Unknown connection", pointer="/connection_id")
        leg = self._new_leg(
            body["from"], body["to"], "outgoing", body["connection_id"], body.get("client_state")
        )
        self.commands.append((leg["call_control_id"], "dial", dict(body)))
        data = {k: leg[k] for k in ("call_control_id", "call_leg_id", "call_session_id")}
        return 200, {"data": {**data, "is_alive": True, "record_type": "call"}}

    def _command(self, leg_id: str, action: str, body: dict[str, Any]) -> tuple[int, Any]:
        leg = self.calls.get(leg_id)
        if leg is None:
            return 404, error_body(404, detail="Call not found")
        command_id = body.get("command_id")
        if command_id and (leg_id, command_id) in self._seen_commands:
            return 200, {"data": {"result": "ok"}}  # a repeat: ignored
        if leg["state"] == "hangup":
            return 422, error_body(422, detail=CALL_ENDED)
        if command_id:
            self._seen_commands.add((leg_id, command_id))
        self.commands.append((leg_id, action, dict(body)))
        if "client_state" in body:
            leg["client_state"] = body["client_state"]
        if action == "answer":
            leg["state"] = "answered"
        elif action in ("reject", "hangup"):
            leg["state"] = "hangup"
        elif action == "transfer":
            if not body.get("to"):
                return 422, error_body(422, detail="to is required", pointer="/to")
            self._new_leg(
                body.get("from") or leg["to"],
                body["to"],
                "outgoing",
                leg["connection_id"],
                body.get("target_leg_client_state"),
                session=leg["call_session_id"],
            )
        return 200, {"data": {"result": "ok"}}

    def _new_leg(self, from_, to, direction, connection_id, client_state, session=None):
        leg_id = "v3:" + uuid.uuid4().hex
        self.calls[leg_id] = {
            "call_control_id": leg_id,
            "call_leg_id": str(uuid.uuid4()),
            "call_session_id": session or str(uuid.uuid4()),
            "connection_id": connection_id or next(iter(self.applications), None),
            "client_state": client_state,
            "from": from_,
            "to": to,
            "direction": direction,
            "state": "parked" if direction == "incoming" else "bridging",
        }
        return self.calls[leg_id]
