"""Our side of routing an incoming call, timed in-process: a `call.initiated` event applied
as the call webhook applies it (recorded once, the number's routing loaded, the engine's
decision, the call logged, answer and transfer handed to the Call Control client). The client
here answers at once, so the figure is our time alone, not Telnyx's round trips; the caller
hears ringing meanwhile, so the goal is 50 ms.

The number's routing is a heavy one: a 200-entry blocklist, weekday hours, an 80/20 split
between two assistants answering at SIP addresses, and a fallback.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from app import create_app
from app.assistants import service as assistants
from app.calls.events import apply_event
from app.extensions import db
from app.numbers.purchasing import purchase_number
from app.providers import current_provider
from app.routing.answering import set_destination
from app.routing.store import set_routing
from bench.env import Database, bench_config
from bench.seed import actor_of, create_account

GOAL_MS = 50.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class DecisionTimes:
    p50_ms: float
    p99_ms: float
    runs: int
    commands: int  # handed to the client: answer + transfer for each call
    outcomes: tuple[str, ...]  # what the webhook did with the calls (all "transferred")


class InstantCalls:
    """A Call Control client whose every command is accepted at once."""

    def __init__(self) -> None:
        self.sent = 0

    def command(self, call_control_id: str, action: str, body: dict) -> None:
        self.sent += 1


def decision_times(database: Database, runs: int) -> DecisionTimes:
    app = create_app(bench_config(database))
    owner = create_account(app, "Calls", "scale", "calls@bench.example")
    with app.app_context():
        actor = actor_of(owner)
        number = purchase_number(actor, "+13125550100").number
        number.provider = "telnyx"  # bought in the sandbox; the call webhook routes Telnyx's
        db.session.commit()
        split = []
        for name, weight in (("Front desk", 80), ("New prompt", 20)):
            assistant = assistants.create_assistant(actor, name)
            place = {"type": "sip", "address": f"sip:agent-{weight}@example.com"}
            set_destination(actor, assistant, place)
            split.append({"assistantId": assistant.id, "weight": weight})
        routing = {
            "inbound": {
                "assistants": split,
                "fallback": {"type": "phone", "address": "+13125550199"},
                "blocklist": [f"+1900555{i:04d}" for i in range(200)],
                "timeZone": "America/Chicago",
                "hours": [{"day": d, "start": "00:00", "end": "23:59"} for d in WEEKDAYS],
            }
        }
        set_routing(actor, number, routing)
        client = InstantCalls()
        provider = current_provider()
        provider.calls = client  # the sandbox has none: ours answers at once
        times, outcomes = [], set()
        try:
            for i in range(runs + 5):
                event = _initiated(i, number.phone_number)
                began = time.perf_counter()
                outcomes.add(apply_event(event))
                if i >= 5:  # the first ones warm imports and statement caches
                    times.append((time.perf_counter() - began) * 1000)
        finally:
            del provider.calls
            db.session.rollback()
    times.sort()
    p99 = times[min(len(times) - 1, round(len(times) * 0.99))]
    return DecisionTimes(
        statistics.median(times), p99, len(times), client.sent, tuple(sorted(outcomes))
    )


def _initiated(i: int, to: str) -> dict:
    """A `call.initiated` as Telnyx sends it (the event's `data`), on a Tuesday at noon."""
    return {
        "id": f"bench-event-{i}",
        "event_type": "call.initiated",
        "occurred_at": datetime(2026, 12, 8, 18, 0, tzinfo=UTC).isoformat(),
        "payload": {
            "call_control_id": f"v3:bench-{i}",
            "call_leg_id": f"leg-{i}",
            "call_session_id": f"session-{i}",
            "direction": "incoming",
            "from": f"+1773555{i % 10000:04d}",
            "to": to,
            "state": "parked",
        },
    }
