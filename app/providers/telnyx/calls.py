"""Telnyx Call Control (API v2): the application calls arrive at, numbers attached to it,
and the commands that route a call.

From Telnyx's published API reference (developers.telnyx.com/api-reference):
- `POST /call_control_applications` (`application_name`, `webhook_event_url`,
  `webhook_api_version: "2"`, `webhook_timeout_secs`) answers `201` with `data.id`;
  `GET /call_control_applications/{id}` reads it back.
- A number is attached by `PATCH /phone_numbers/{id}` with `connection_id`; reading the
  number (`GET /phone_numbers`, `GET /phone_numbers/{id}`) shows its `connection_id`.
- `POST /calls/{call_control_id}/actions/{answer|transfer|reject|hangup}` each take
  `command_id` (a repeated one is ignored by Telnyx for that call, so a command may be sent
  again safely) and `client_state` (base64, echoed in the call's later events); `transfer`
  takes `to`, `from`, `timeout_secs`, `target_leg_client_state` (echoed in the new leg's
  events) and `sip_auth_username`/`sip_auth_password`; `reject` takes `cause`. A command on
  a call that has ended answers `422`.
- `POST /calls` (`connection_id`, `to`, `from`, `timeout_secs`, `client_state`) dials out
  and answers `data.call_control_id`.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import requests

from app.providers.base import ProviderError
from app.providers.telnyx.http import TelnyxHttp, sentence

ACTIONS = frozenset({"answer", "transfer", "reject", "hangup"})


class CallEnded(ProviderError):
    """Telnyx refused a command because the call is over (HTTP 422): nothing left to do."""


class TelnyxCalls:
    """The Call Control part of one Telnyx account."""

    def __init__(self, http: TelnyxHttp):
        self.http = http

    # -- the application and the numbers' connections -------------------------------

    def create_application(self, name: str, webhook_url: str, timeout_secs: int = 5) -> str:
        """Create the Call Control Application whose events come to `webhook_url`; its id."""
        body = self._post(
            "/call_control_applications",
            {
                "application_name": name,
                "webhook_event_url": webhook_url,
                "webhook_api_version": "2",
                "webhook_timeout_secs": timeout_secs,
            },
        )
        data = body.get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise ProviderError("Telnyx answered nonsense: an application without an id.")
        return str(data["id"])

    def set_connection(self, provider_number_id: str, connection_id: str) -> None:
        """Attach the number to the application (PATCH; the same value twice is harmless)."""
        path = f"/phone_numbers/{quote(provider_number_id, safe='')}"
        self.http.body(self._send("PATCH", path, {"connection_id": connection_id}))

    def connections(self) -> dict[str, str | None]:
        """Every number on the account: its id -> its connection_id (None: none)."""
        found: dict[str, str | None] = {}
        for record in self.http.pages("/phone_numbers", {}):
            if isinstance(record, dict) and record.get("id"):
                connection = record.get("connection_id")
                found[str(record["id"])] = str(connection) if connection else None
        return found

    # -- calls -------------------------------------------------------------------------

    def command(self, call_control_id: str, action: str, payload: dict[str, Any]) -> None:
        """Send one command; `payload` carries its `command_id`. Raises CallEnded on 422.

        Sent twice at most on a transport failure or a 5xx: the command_id makes the second
        a no-op at Telnyx if the first arrived."""
        if action not in ACTIONS:
            raise ValueError(action)
        path = f"/calls/{quote(call_control_id, safe='')}/actions/{action}"
        for attempt in (1, 2):
            try:
                response = self._send("POST", path, payload)
            except ProviderError:
                if attempt == 2:
                    raise
                continue
            if response.status_code == 422:
                raise CallEnded(
                    sentence("Telnyx refused the command (HTTP 422)", self.http.detail(response))
                )
            if response.status_code < 500 or attempt == 2:
                self.http.body(response)
                return
            time.sleep(0.05)

    def dial(
        self, connection_id: str, to: str, from_: str, timeout_secs: int, client_state: str
    ) -> str:
        """Place an outbound call; its call_control_id."""
        body = self._post(
            "/calls",
            {
                "connection_id": connection_id,
                "to": to,
                "from": from_,
                "timeout_secs": timeout_secs,
                "client_state": client_state,
            },
        )
        data = body.get("data")
        if not isinstance(data, dict) or not data.get("call_control_id"):
            raise ProviderError("Telnyx answered nonsense: a call without a call_control_id.")
        return str(data["call_control_id"])

    # -- inside ------------------------------------------------------------------------

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.http.body(self._send("POST", path, payload))

    def _send(self, method: str, path: str, payload: dict[str, Any]) -> requests.Response:
        try:
            return self.http.send(method, path, json=payload)
        except requests.RequestException as exc:
            raise self.http.transport_error(exc) from exc
