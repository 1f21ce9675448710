"""The decision engine: each rule, in order, with the path it reports (pure: no app)."""

from datetime import UTC, datetime, time

import pytest

from app.routing.destinations import Destination
from app.routing.engine import Routing, Target, Window, decide

SIP = Destination("sip", "sip:front-desk@sip.vapi.ai")
HOOK = Destination("webhook", "https://agent.example.com/calls")
FALLBACK = Destination("phone", "+14155550199")
AFTER = Destination("sip", "sip:voicemail@pbx.example.com")
FRONT = Target("asst_front", "Front desk", 80, SIP)
NEW = Target("asst_new", "New prompt", 20, HOOK)
# Tuesday 1 December 2026, 15:00 UTC = 10:00 in New York.
TUESDAY_10_NY = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
OPEN = (Window("tue", time(9), time(17)), Window("wed", time(9), time(17)))


def fixed(roll: int):
    return lambda total: roll


def routing(**changes) -> Routing:
    base = dict(
        number="+14155550100",
        targets=(FRONT,),
        fallback=FALLBACK,
        blocklist=("+1900", "+14155550123"),
        allowed_countries=("US", "CA"),
        time_zone="America/New_York",
        hours=OPEN,
        after_hours=AFTER,
    )
    return Routing(**{**base, **changes})


def path(decision) -> list[tuple[str, bool, str]]:
    return [(s.rule, s.matched, s.detail) for s in decision.steps]


def test_an_allowed_caller_in_hours_reaches_the_assistant():
    decision = decide(routing(), "+14155550111", TUESDAY_10_NY)
    assert (decision.action, decision.outcome, decision.rule) == (
        "transfer",
        "answered",
        "assistant",
    )
    assert decision.assistant == FRONT
    assert decision.destination == SIP
    assert decision.fallback == FALLBACK
    assert decision.answer_timeout == 20
    assert path(decision) == [
        ("blocklist", False, "+14155550111 matches no entry"),
        ("country", False, "US is allowed (US, CA)"),
        ("hours", False, "Tuesday 10:00 America/New_York is within Tuesday 09:00–17:00"),
        ("assistant", True, "Front desk takes every call"),
        ("destination", True, "Front desk answers at sip:front-desk@sip.vapi.ai"),
    ]


@pytest.mark.parametrize(
    "caller,entry",
    [("+14155550123", "+14155550123"), ("+19005550100", "+1900")],
)
def test_a_blocked_caller_is_rejected_before_anything_else(caller, entry):
    decision = decide(routing(), caller, TUESDAY_10_NY)
    assert (decision.action, decision.outcome, decision.rule) == ("reject", "rejected", "blocklist")
    assert decision.destination is None and decision.assistant is None
    assert path(decision) == [("blocklist", True, f"{caller} matches {entry}")]


def test_a_caller_from_a_country_not_allowed_is_rejected():
    decision = decide(routing(), "+442079460000", TUESDAY_10_NY)
    assert (decision.action, decision.outcome, decision.rule) == ("reject", "rejected", "country")
    assert path(decision)[1] == ("country", True, "GB is not allowed (US, CA)")


def test_a_withheld_number_is_from_an_unknown_country():
    decision = decide(routing(), "anonymous", TUESDAY_10_NY)
    assert decision.rule == "country"
    assert path(decision)[1] == ("country", True, "an unknown country is not allowed (US, CA)")
    everywhere = decide(routing(allowed_countries=()), "anonymous", TUESDAY_10_NY)
    assert everywhere.outcome == "answered"


def test_after_hours_goes_to_the_after_hours_destination_in_the_numbers_time_zone():
    # 23:30 UTC on Tuesday is 18:30 in New York: closed (though 17:00 UTC would be open).
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    decision = decide(routing(), "+14155550111", late)
    assert (decision.action, decision.outcome, decision.rule) == ("transfer", "fallback", "hours")
    assert decision.destination == AFTER
    assert decision.assistant is None and decision.fallback is None
    assert path(decision)[2:] == [
        ("hours", True, "Tuesday 18:30 America/New_York is after hours"),
        ("destination", True, "After hours: sip:voicemail@pbx.example.com"),
    ]


def test_after_hours_without_an_after_hours_destination_uses_the_fallback_then_nothing():
    late = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Tuesday 22:00 in New York
    assert decide(routing(after_hours=None), "+14155550111", late).destination == FALLBACK
    nowhere = decide(routing(after_hours=None, fallback=None), "+14155550111", late)
    assert (nowhere.action, nowhere.outcome) == ("reject", "no_destination")


def test_the_end_of_a_window_is_closed_and_its_start_open():
    at_five = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # 17:00 New York
    at_nine = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 New York
    assert decide(routing(), "+14155550111", at_five).rule == "hours"
    assert decide(routing(), "+14155550111", at_nine).rule == "assistant"


@pytest.mark.parametrize("roll,chosen", [(0, FRONT), (79, FRONT), (80, NEW), (99, NEW)])
def test_the_split_gives_each_assistant_its_share_of_the_draw(roll, chosen):
    decision = decide(routing(targets=(FRONT, NEW)), "+14155550111", TUESDAY_10_NY, fixed(roll))
    assert decision.rule == "split"
    assert decision.assistant == chosen
    assert decision.destination == chosen.destination
    name = chosen.name
    assert path(decision)[3] == (
        "split",
        True,
        f"Split Front desk 80 / New prompt 20: drew {roll} of 100, {name}",
    )


def test_a_split_left_with_less_than_100_keeps_the_proportions():
    seen = []
    lonely = Target("asst_new", "New prompt", 20, HOOK)
    decision = decide(
        routing(targets=(lonely, Target("asst_b", "B", 20, SIP))),
        "+14155550111",
        TUESDAY_10_NY,
        lambda total: seen.append(total) or 39,
    )
    assert seen == [40]
    assert decision.assistant.name == "B"


def test_the_default_random_source_spreads_calls_by_weight():
    chosen = [
        decide(routing(targets=(FRONT, NEW)), "+14155550111", TUESDAY_10_NY).assistant.name
        for _ in range(2000)
    ]
    assert 1400 < chosen.count("Front desk") < 1800


def test_an_assistant_without_a_destination_sends_calls_to_the_fallback():
    bare = Target("asst_bare", "Front desk", 100, None)
    decision = decide(routing(targets=(bare,)), "+14155550111", TUESDAY_10_NY)
    assert (decision.action, decision.outcome, decision.rule) == (
        "transfer",
        "fallback",
        "assistant",
    )
    assert decision.assistant == bare and decision.destination == FALLBACK
    assert decision.fallback is None
    assert path(decision)[-1] == (
        "destination",
        True,
        "Front desk has no destination: the fallback, (415) 555-0199",
    )


def test_no_assistant_and_no_fallback_is_no_destination():
    decision = decide(Routing("+14155550100"), "+14155550111", TUESDAY_10_NY)
    assert (decision.action, decision.outcome, decision.rule) == (
        "reject",
        "no_destination",
        "none",
    )
    assert path(decision) == [
        ("assistant", False, "No assistant answers on this number"),
        ("destination", True, "No assistant answers on this number, and there is no fallback"),
    ]


def test_a_number_with_only_an_assistant_has_no_rules_to_report():
    decision = decide(Routing("+14155550100", (FRONT,)), "+14155550111", TUESDAY_10_NY)
    assert [s.rule for s in decision.steps] == ["assistant", "destination"]
    assert decision.fallback is None


def test_a_random_source_out_of_range_is_a_programming_error():
    with pytest.raises(ValueError):
        decide(routing(targets=(FRONT, NEW)), "+14155550111", TUESDAY_10_NY, fixed(100))


def test_the_decision_is_fast():
    import time as clock

    rules = routing(targets=(FRONT, NEW), blocklist=tuple(f"+1900{i:03d}" for i in range(200)))
    start = clock.perf_counter()
    for _ in range(1000):
        decide(rules, "+14155550111", TUESDAY_10_NY)
    per_call = (clock.perf_counter() - start) / 1000
    assert per_call < 0.002  # 2 ms, far inside the 50 ms the caller hears ringing for
