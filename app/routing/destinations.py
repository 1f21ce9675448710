"""Destinations as text: SIP URIs, E.164 numbers and https webhooks, checked and spelt once.

Every surface (the API, the pages, the routing rules) parses through here, so a malformed
value is refused with its field named, whatever sent it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from app.exceptions import ValidationFailed
from app.models.routing import PLATFORMS
from app.phone import canonical, national

MAX_ADDRESS = 500
# sip:user@host[:port][;params]  (RFC 3261 §19.1.1, without a password in the URI: the SIP
# username and password are separate fields, kept encrypted).
_SIP = re.compile(
    r"(?P<scheme>sips?):"
    r"(?:(?P<user>[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+)@)?"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:.]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<params>(?:;[A-Za-z0-9\-_.!~*'()%]+(?:=[A-Za-z0-9\-_.!~*'()%]+)?)*)"
)
# Names that only ever mean this machine or its network.
_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa", ".lan")

PLATFORM_NAMES = {
    "vapi": "Vapi",
    "retell": "Retell",
    "livekit": "LiveKit",
    "pipecat": "Pipecat",
    "other": "Other",
}


@dataclass(frozen=True)
class Destination:
    """Where a call is sent: kind "sip", "phone" or "webhook", and the address."""

    kind: str
    address: str
    sip_username: str | None = None
    # Decrypted only when a call needs it; never in repr, logs or answers.
    sip_password: str | None = field(default=None, repr=False, compare=False)

    @property
    def shown(self) -> str:
        """The address as people read it: (415) 555-0101, or the URI itself."""
        return national(self.address) if self.kind == "phone" else self.address

    def as_json(self) -> dict:
        return {"type": self.kind, "address": self.address}


def clean_text(value: object, field_name: str, limit: int = MAX_ADDRESS) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed({field_name: "Required."})
    text = value.strip()
    if len(text) > limit or not text.isascii() or not text.isprintable():
        raise ValidationFailed(
            {field_name: f"Use at most {limit} printable ASCII characters, without spaces."}
        )
    return text


def parse_sip(value: object, field_name: str) -> str:
    """A sip: or sips: URI as written, or ValidationFailed naming the field."""
    text = clean_text(value, field_name)
    if " " in text:
        raise ValidationFailed({field_name: "A SIP URI has no spaces."})
    match = _SIP.fullmatch(text)
    if match is None:
        if ":" in text.split("@")[0] and text.lower().startswith(("sip:", "sips:")):
            message = (
                "Put the SIP password in its own field, not in the URI "
                "(write it like sip:assistant@sip.example.com)."
            )
        else:
            message = (
                "Enter a SIP URI that starts with sip: or sips:, "
                "like sip:assistant@sip.example.com."
            )
        raise ValidationFailed({field_name: message})
    if match["scheme"] != match["scheme"].lower():
        raise ValidationFailed({field_name: "Write the scheme in lower case: sip: or sips:."})
    if match["port"] and not 1 <= int(match["port"]) <= 65535:
        raise ValidationFailed({field_name: "The port must be from 1 to 65535."})
    host = match["host"]
    if not host.startswith("[") and "." not in host and not _is_ip(host):
        raise ValidationFailed(
            {field_name: "The SIP host must be a full domain name (sip.example.com) or an IP."}
        )
    return text


def parse_phone(value: object, field_name: str) -> str:
    if not isinstance(value, str) or canonical(value.strip()) is None:
        raise ValidationFailed({field_name: "Enter a phone number in E.164, like +14155550101."})
    return canonical(value.strip())  # type: ignore[return-value]


def parse_webhook(value: object, field_name: str, allow_private: bool) -> str:
    """An https URL to a public host (http and private hosts too when allowed by config)."""
    text = clean_text(value, field_name, 500)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        raise ValidationFailed(
            {field_name: "Enter a URL like https://agent.example.com/calls."}
        ) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or " " in text:
        raise ValidationFailed({field_name: "Enter a URL like https://agent.example.com/calls."})
    if parts.username or parts.password:
        raise ValidationFailed({field_name: "Leave credentials out of the URL."})
    private = is_private_host(host)
    if private and not allow_private:
        raise ValidationFailed(
            {field_name: "This address is on a private network: use a public https URL."}
        )
    if parts.scheme != "https" and not private:
        raise ValidationFailed({field_name: "Use https: the test event is signed, not hidden."})
    return text


def is_private_host(host: str) -> bool:
    """Whether a host name or address can only mean this machine or a private network."""
    host = host.strip("[]").lower()
    if host.endswith(_LOCAL_NAMES) or host == "localhost" or "." not in host and ":" not in host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def parse_destination(
    kind: object, address: object, field_name: str, kinds: tuple[str, ...], allow_private: bool
) -> Destination:
    """A destination of one of `kinds`; the field named is "<field_name>.type" or ".address"."""
    if kind not in kinds:
        raise ValidationFailed({f"{field_name}.type": f"Choose one of: {', '.join(kinds)}."})
    where = f"{field_name}.address"
    if kind == "sip":
        return Destination("sip", parse_sip(address, where))
    if kind == "phone":
        return Destination("phone", parse_phone(address, where))
    return Destination("webhook", parse_webhook(address, where, allow_private))


def parse_platform(value: object, field_name: str = "platform") -> str | None:
    if value in (None, ""):
        return None
    if value not in PLATFORMS:
        raise ValidationFailed({field_name: f"Choose one of: {', '.join(PLATFORMS)}."})
    return str(value)
