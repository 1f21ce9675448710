"""A number's caller-ID name (CNAM) at Telnyx: its voice settings' `cnam_listing`.

From Telnyx's published API (team-telnyx/telnyx-java `docs/NumberConfigurationsApi.md` and
`docs/CnamListing.md`; team-telnyx/telnyx-ruby
`lib/telnyx/models/phone_numbers/voice_update_response.rb`):
- `PATCH /phone_numbers/{id}/voice` with `{"cnam_listing": {"cnam_listing_enabled": true,
  "cnam_listing_details": "ACME SUPPORT"}}` answers `{"data": <the number with its voice
  settings>}`; `GET /phone_numbers/{id}/voice` reads them back.
- `cnam_listing_details` is documented as "alphanumeric characters or spaces with a maximum
  length of 15", and needs `cnam_listing_enabled: true`. Our rules also allow periods and
  commas (the CNAM character set); whether Telnyx takes them is UNCONFIRMED, so a 4xx about
  the name is shown to the user in Telnyx's words.
- Telnyx exposes no listing state: the carriers' databases take days. A name Telnyx holds is
  "accepted" (spreading); one its record no longer carries is "rejected".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from app.providers.base import CallerNameCheck, ProviderError, ProviderRefusedInput
from app.providers.telnyx.http import TelnyxHttp, sentence


class TelnyxVoice:
    """The caller-ID name part of the provider (mixed into TelnyxProvider)."""

    http: TelnyxHttp

    def set_caller_name(self, provider_number_id: str, name: str) -> None:
        path = f"/phone_numbers/{quote(provider_number_id, safe='')}/voice"
        payload = {"cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": name}}
        try:
            response = self.http.send("PATCH", path, json=payload)
        except requests.RequestException as exc:
            raise self.http.transport_error(exc) from exc
        if response.status_code in (400, 422):
            raise ProviderRefusedInput(
                sentence("Telnyx refused the caller name", self.http.detail(response))
            )
        self.http.body(response)  # another failure raises its mapped error

    def check_caller_name(
        self, provider_number_id: str, name: str, submitted_at: datetime, now: datetime
    ) -> CallerNameCheck:
        path = f"/phone_numbers/{quote(provider_number_id, safe='')}/voice"
        response = self.http.get_response(path)
        if response.status_code == 404:
            return CallerNameCheck("rejected", "The number is no longer on the Telnyx account.")
        data = self.http.body(response).get("data")
        listing: Any = data.get("cnam_listing") if isinstance(data, dict) else None
        if not isinstance(listing, dict):
            raise ProviderError("Telnyx answered nonsense: voice settings without cnam_listing.")
        shown = listing.get("cnam_listing_details")
        if listing.get("cnam_listing_enabled") is True and shown == name:
            return CallerNameCheck("accepted")
        if not listing.get("cnam_listing_enabled"):
            return CallerNameCheck("rejected", "Telnyx shows the caller name listing turned off.")
        return CallerNameCheck("rejected", f"Telnyx now lists another name ({str(shown)[:15]}).")
