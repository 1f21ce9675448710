"""The fake Telnyx account's number search (`GET /available_phone_numbers`).

As Telnyx's v2 OpenAPI spec and docs describe it: bracketed filters `filter[country_code]`,
`filter[national_destination_code]`, `filter[phone_number_type]` (local | toll_free | mobile
| national | shared_cost), `filter[features]` (comma-separated, all required),
`filter[locality]` and `filter[administrative_area]` (the number's `region_information`),
`filter[phone_number][contains|starts_with|ends_with]` (digits or letters, letters standing
for their keypad digits, no wildcards; matched after the area code when
`national_destination_code` is set), `filter[quickship]`, `filter[reservable]` (only numbers
a reservation can hold: each result says so in `reservable`), `filter[exclude_held_numbers]`
(numbers under anyone's reservation left out) and `filter[limit]`. The answer's
`meta.total_results` counts every match, `meta.best_effort_results` the best-effort ones.
"""

from __future__ import annotations

from typing import Any

import phonenumbers

from tests.fakes.telnyx_shapes import error_body, field

NUMBER_TYPES = ("local", "toll_free", "mobile", "national", "shared_cost")


class Search:
    """Search of the fake account (a mixin of Account: it uses the account's state)."""

    def _search(self, query: dict[str, str]) -> tuple[int, Any]:
        kind = query.get("filter[phone_number_type]")
        if kind is not None and kind not in NUMBER_TYPES:
            detail = f"phone_number_type must be one of {', '.join(NUMBER_TYPES)}."
            return 400, error_body(400, detail=detail, parameter="filter[phone_number_type]")
        patterns = {
            how: query[f"filter[phone_number][{how}]"]
            for how in ("contains", "starts_with", "ends_with")
            if f"filter[phone_number][{how}]" in query
        }
        if any(not p.isalnum() or not p.isascii() for p in patterns.values()):
            detail = "phone_number filters take digits or letters only, no wildcards."
            return 400, error_body(400, detail=detail, parameter="filter[phone_number]")
        taken = {r["phone_number"] for r in self.owned.values() if r["status"] != "deleted"}
        if query.get("filter[exclude_held_numbers]") == "true":
            taken |= self.reserved_numbers()
        wanted = {
            "country_code": query.get("filter[country_code]"),
            "national_destination_code": query.get("filter[national_destination_code]"),
            "phone_number_type": kind,
        }
        quickship = query.get("filter[quickship]") == "true"
        reservable_only = query.get("filter[reservable]") == "true"
        features = {f for f in query.get("filter[features]", "").split(",") if f}
        found = [
            item
            for item in self.available
            if item["phone_number"] not in taken
            and all(value is None or field(item, key) == value for key, value in wanted.items())
            and (not quickship or item["quickship"])
            and (not reservable_only or item["reservable"])
            and features <= {f["name"] for f in item["features"]}
            and _in_region(item, "rate_center", query.get("filter[locality]"))
            and _in_region(item, "state", query.get("filter[administrative_area]"))
            and _matches(item, wanted["national_destination_code"], patterns)
        ]
        # total_results counts every match; the page holds at most filter[limit] of them.
        total = len(found)
        best = sum(1 for item in found if item.get("best_effort"))
        limit = query.get("filter[limit]")
        if limit is not None and limit.isdigit():
            found = found[: int(limit)]
        return 200, {
            "data": found,
            "meta": {"total_results": total, "best_effort_results": best},
        }


def _in_region(item: dict[str, Any], region_type: str, wanted: str | None) -> bool:
    """filter[locality] / filter[administrative_area]: the named region, whatever its case."""
    if not wanted:
        return True
    names = [
        r["region_name"].casefold()
        for r in item["region_information"]
        if r["region_type"] in (region_type, "location")
    ]
    return wanted.casefold() in names


def _matches(item: dict[str, Any], ndc: str | None, patterns: dict[str, str]) -> bool:
    """Vanity patterns: letters are their keypad digits, matched after the area code if given."""
    if not patterns:
        return True
    try:
        national = phonenumbers.national_significant_number(
            phonenumbers.parse(item["phone_number"])
        )
    except phonenumbers.NumberParseException:
        return False  # a garbled row some tests offer on purpose matches no pattern
    if ndc and national.startswith(ndc):
        national = national[len(ndc) :]
    keyed = {how: "".join(_KEYPAD.get(ch, ch) for ch in p.upper()) for how, p in patterns.items()}
    return (
        keyed.get("contains", "") in national
        and national.startswith(keyed.get("starts_with", ""))
        and national.endswith(keyed.get("ends_with", ""))
    )


_KEYPAD = {
    letter: digit
    for digit, letters in zip(
        "23456789", ("ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV", "WXYZ"), strict=True
    )
    for letter in letters
}
