"""The fake Telnyx account's voice settings: a number's caller-ID name (`cnam_listing`).

Shaped after Telnyx's published API (team-telnyx/telnyx-java `docs/CnamListing.md` and
`docs/NumberConfigurationsApi.md`; team-telnyx/telnyx-ruby
`lib/telnyx/models/phone_numbers/voice_update_response.rb`):
- `GET /phone_numbers/{id}/voice` and `PATCH /phone_numbers/{id}/voice` answer
  `{"data": {"id", "phone_number", "record_type": "voice_settings", "cnam_listing":
  {"cnam_listing_enabled", "cnam_listing_details"}, ...}}`; an unknown id is a 404.
- `cnam_listing_details`: "alphanumeric characters or spaces with a maximum length of 15",
  and it needs `cnam_listing_enabled: true` (and the other way round). The fake refuses
  anything else with a 422 pointing at the field, so a name with a period or a comma (which
  the CNAM character set, and our rules, allow) is refused here: the awkward case of a
  provider narrower than the rules, which the client must show in the provider's words.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.telnyx_shapes import error_body

DETAILS = re.compile(r"[A-Za-z0-9 ]{1,15}")
POINTER = "/cnam_listing/cnam_listing_details"


class Voice:
    """Voice settings of the account's numbers (kept on each owned record)."""

    owned: dict[str, dict[str, Any]]

    def cnam_of(self, provider_number_id: str) -> dict[str, Any]:
        """The number's cnam_listing as Telnyx would show it."""
        record = self.owned[provider_number_id]
        return dict(
            record.get("_cnam") or {"cnam_listing_enabled": False, "cnam_listing_details": None}
        )

    def handle_voice(self, method: str, number_id: str, body: Any) -> tuple[int, Any]:
        record = self.owned.get(number_id)
        if record is None or record.get("status") == "deleted":
            return 404, error_body(404)
        if method == "PATCH":
            listing = body.get("cnam_listing") if isinstance(body, dict) else None
            if listing is not None:
                refusal = _refusal(listing)
                if refusal:
                    return 422, error_body(422, detail=refusal, pointer=POINTER)
                record["_cnam"] = {
                    "cnam_listing_enabled": listing.get("cnam_listing_enabled") is True,
                    "cnam_listing_details": listing.get("cnam_listing_details"),
                }
        elif method != "GET":
            return 404, error_body(404)
        return 200, {"data": self._voice_settings(record)}

    def _voice_settings(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": record["id"],
            "phone_number": record["phone_number"],
            "record_type": "voice_settings",
            "connection_id": record.get("connection_id"),
            "tech_prefix_enabled": False,
            "translated_number": "",
            "call_forwarding": {"call_forwarding_enabled": True, "forwards_to": None},
            "cnam_listing": self.cnam_of(record["id"]),
        }


def _refusal(listing: Any) -> str | None:
    if not isinstance(listing, dict):
        return "cnam_listing must be an object"
    enabled, details = listing.get("cnam_listing_enabled"), listing.get("cnam_listing_details")
    if enabled is True and not details:
        return "cnam_listing_details is required when cnam_listing_enabled is true"
    if details is not None and (not isinstance(details, str) or not DETAILS.fullmatch(details)):
        return "cnam_listing_details must be alphanumeric characters or spaces, at most 15"
    if details and enabled is not True:
        return "cnam_listing_enabled must be true when cnam_listing_details is set"
    return None
