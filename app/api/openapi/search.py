"""The search in the OpenAPI document: its filters (the contract's four, then the newer
optional ones) and its answer (extra fields only for requests that use the newer filters)."""

from __future__ import annotations

from functools import cache
from typing import Any

import phonenumbers

from app.api.openapi.schemas import MONEY, obj, ref
from app.numbers.validation import (
    AREA_CODE_COUNTRIES,
    MAX_LIMIT,
    MAX_PATTERN,
    MAX_PLACE,
    SORTS,
)
from app.phone import AREA_CODE_TYPES, SEARCH_TYPES, TOLL_FREE_PREFIXES
from app.providers.base import FEATURES

# Exactly what the server takes: null or "" is "not given"; a place is printable text with
# something besides spaces (Python's own test, as a character class built from its tables).
PATTERN = {
    "type": ["string", "null"],
    "pattern": f"^([A-Za-z0-9]{{1,{MAX_PATTERN}}})?$",
    "description": "Digits or letters; a letter stands for its keypad digit (CAFE = 2233)",
}


@cache
def _printable() -> str:
    """The characters str.isprintable() accepts, but the space, as regex class ranges."""
    ranges: list[tuple[int, int]] = []
    # Planes 4-13 are unassigned and 15-16 private use (neither printable): skipped.
    for code in (*range(0x40000), *range(0xE0000, 0xF0000)):
        ch = chr(code)
        if ch == " " or "\ud800" <= ch <= "\udfff" or not ch.isprintable():
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(_escaped(a) + ("" if a == b else "-" + _escaped(b)) for a, b in ranges)


def _escaped(code: int) -> str:
    # \uXXXX reads the same in Python and ECMA-262 regexes; astral characters stay literal.
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


def _place(description: str) -> dict[str, Any]:
    printable = _printable()
    return {
        "type": ["string", "null"],
        "maxLength": MAX_PLACE,
        "pattern": f"^([ {printable}]*[{printable}][ {printable}]*)?$",
        "description": description,
    }


SEARCH_SCHEMAS: dict[str, Any] = {
    "SearchRequest": obj(
        ["filters"],
        filters={
            **obj(
                ["countryCode"],
                countryCode={
                    "enum": sorted(phonenumbers.SUPPORTED_REGIONS),
                    "description": "ISO 3166-1 alpha-2 (any case), a region phonenumbers knows",
                },
                areaCode={
                    "type": ["string", "null"],
                    "pattern": "^([0-9]{3})?$",
                    "description": "Three ASCII digits; US and CA only (null or empty: any)",
                },
                numberType={
                    "enum": [*SEARCH_TYPES, "", None],
                    "default": "local",
                    "description": "mobile and national where the country has them (not US/CA)",
                },
                limit={
                    "type": ["integer", "null"],
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": 20,
                },
                locality=_place("A city, as the provider names it"),
                region=_place("A state or province: a code or a name"),
                features={
                    "type": ["array", "string", "null"],
                    "maxLength": 0,  # "" is "not given", like null and []
                    "items": {"enum": list(FEATURES)},
                    "description": "Capabilities every result must have",
                },
                contains=PATTERN,
                startsWith=PATTERN,
                endsWith=PATTERN,
                sort={"enum": [*SORTS, "", None], "description": "Order of the results shown"},
            ),
            "allOf": [
                # An area code only with a country that has them. Null or empty is "not given",
                # as for every optional filter (a form's empty field arrives as "").
                {
                    "if": {
                        "not": {"properties": {"countryCode": {"enum": list(AREA_CODE_COUNTRIES)}}}
                    },
                    "then": {"properties": {"areaCode": {"enum": ["", None]}}},
                },
                # A toll-free search's area code is a toll-free prefix.
                {
                    "if": {
                        "properties": {"numberType": {"const": "toll-free"}},
                        "required": ["numberType", "areaCode"],
                    },
                    "then": {"properties": {"areaCode": {"enum": [*TOLL_FREE_PREFIXES, "", None]}}},
                },
                # US and CA numbers are not split into mobile and national.
                {
                    "if": {"properties": {"countryCode": {"enum": list(AREA_CODE_COUNTRIES)}}},
                    "then": {"properties": {"numberType": {"enum": [*AREA_CODE_TYPES, "", None]}}},
                },
            ],
        },
    ),
    "AvailableNumber": obj(
        ["phoneNumber", "monthlyPrice", "setupPrice", "features"],
        phoneNumber={"type": "string", "pattern": r"^\+[1-9][0-9]{1,14}$"},
        monthlyPrice=MONEY,
        setupPrice=MONEY,
        features={"type": "array", "items": {"type": "string"}},
        reservable={
            "type": "boolean",
            "enum": [False],
            "description": "Present (false) only when the provider will not hold the number "
            "(POST /api/phone-numbers/holds refuses it); it can still be bought",
        },
        quotedCurrency={
            "type": "string",
            "description": "The currency the provider quoted in; prices are converted to USD",
        },
        region={
            "type": ["string", "null"],
            "description": "Where the number is (city, state); only when a newer filter is sent",
        },
        match=obj(
            ["start", "end"],
            start={"type": "integer", "minimum": 0},
            end={"type": "integer", "minimum": 0},
        )
        | {"description": "Where the pattern matched in the national number (digit offsets)"},
    ),
    "SearchResponse": obj(
        ["success", "numbers", "provider", "count"],
        success={"const": True},
        numbers={"type": "array", "items": ref("AvailableNumber")},
        provider={"enum": ["telnyx", "sandbox"]},
        count={"type": "integer", "minimum": 0},
        documentsRequired={
            "type": "array",
            "description": "What the provider needs before it sells numbers of this kind",
            "items": obj(["name"], name={"type": "string"}, description={"type": "string"}),
        },
        leftOut=obj(
            ["count", "reason"],
            count={"type": "integer", "minimum": 1},
            reason={"type": "string"},
        ),
        available={
            "type": ["integer", "null"],
            "minimum": 0,
            "description": "How many match in all (null: the provider did not say); "
            "only when a newer filter is sent",
        },
        relax={
            "type": "array",
            "items": {"type": "string"},
            "description": "With no results: the filters that narrowed the search, in words",
        },
    ),
}
