"""The sandbox's numbers the benchmark buys. Accounts and seeded numbers come from
tests/factories.py, the one factories module of the tests and the benchmark."""

from __future__ import annotations

from functools import cache

import phonenumbers


@cache
def sandbox_areas() -> tuple[str, ...]:
    """US area codes whose 555-01XX numbers phonenumbers calls valid: what the sandbox sells."""
    areas = []
    for area in range(201, 990):
        number = phonenumbers.parse(f"+1{area}5550100")
        if phonenumbers.is_valid_number_for_region(number, "US"):
            areas.append(str(area))
    return tuple(areas)


def sandbox_numbers(area: str) -> list[str]:
    """The hundred numbers the sandbox sells in an area code, in its order."""
    return [f"+1{area}55501{line:02d}" for line in range(100)]
