"""Teaches schemathesis the formats the OpenAPI document names but JSON Schema cannot
express: a phone number valid per phonenumbers, a page cursor this API could have made, and a
webhook URL that leads somewhere webhooks may go. Loaded by scripts/fuzz-api
(SCHEMATHESIS_HOOKS=fuzz_hooks)."""

import base64
import json
from datetime import UTC, datetime

import phonenumbers
import schemathesis
from hypothesis import strategies as st
from schemathesis.specs.openapi import stateful as _stateful

from app.ids import _CROCKFORD


def _valid_numbers() -> list[str]:
    # The sandbox's own US offers (555-01XX), and an example number of every region.
    numbers = [f"+1{area}55501{i:02d}" for area in ("415", "212", "303") for i in range(100)]
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number(region)
        if example is not None:
            numbers.append(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    return numbers


def _cursor(moment: datetime, suffix: str) -> str:
    raw = json.dumps([moment.isoformat(), "pn_" + suffix]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


schemathesis.openapi.format("phone-e164", st.sampled_from(_valid_numbers()))
schemathesis.openapi.format(
    "page-cursor",
    st.builds(
        _cursor,
        st.datetimes(
            min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
        ),
        st.text(alphabet=_CROCKFORD, min_size=26, max_size=26),
    ),
)

# A webhook URL must resolve, to an address the run allows: any other host is a lookup (which
# fails offline) and a 400 the schema cannot foresee. Every URL is on 127.0.0.1's discard port,
# which the run allows (WEBHOOKS_ALLOW_PRIVATE): a delivery fails at once, offline.
schemathesis.openapi.format(
    "uri",
    st.builds(
        "http://127.0.0.1:9/{}".format,
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~/", max_size=40),
    ),
)


# Where a stateful scenario may start. Schemathesis starts only from operations whose every input
# some answer produces; no answer here produces a team id (the run pins it in its config), so it
# would start only from "assign to assistant {id}" with a random id: a 404 every time, and no link
# ever followed. Start instead from the operations that need no id in their path (buy, create,
# list, search); the document's links lead from there to every other operation.
def _starts_a_scenario(operation, node, produced_anywhere) -> bool:
    return not operation.path_parameters and operation.method in ("get", "post")


if not hasattr(_stateful, "is_likely_root_transition"):
    raise RuntimeError("schemathesis changed how stateful scenarios start: update fuzz_hooks.py")
_stateful.is_likely_root_transition = _starts_a_scenario
