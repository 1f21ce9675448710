"""Validation of search and purchase input, shared by the JSON API and the pages.

Messages are written once here so both surfaces say the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

from app.exceptions import ValidationFailed
from app.phone import (
    AREA_CODE_TYPES,
    E164,
    LOCAL,
    SEARCH_TYPES,
    TOLL_FREE,
    TOLL_FREE_PREFIXES,
    canonical,
    in_words,
)
from app.providers.base import FEATURES, SearchFilters

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
AREA_CODE_COUNTRIES = ("US", "CA")
SORTS = ("number", "price")
MAX_PLACE, MAX_PATTERN = 60, 10
PATTERNS = {"contains": "contains", "startsWith": "starts_with", "endsWith": "ends_with"}
PATTERN_WORDS = {"contains": "contain", "startsWith": "start with", "endsWith": "end with"}
_MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class PurchaseRequest:
    phone_number: str
    team_id: str
    connection_id: str | None = None


def parse_search_filters(filters: Any) -> SearchFilters:
    """Validate the `filters` object of a search; raise ValidationFailed naming each bad field."""
    if not isinstance(filters, dict):
        raise ValidationFailed({"filters": "Filters must be an object."})
    errors: dict[str, str] = {}

    country = filters.get("countryCode")
    if country is None or country == "":
        errors["filters.countryCode"] = "Country code is required."
    elif not isinstance(country, str) or country.upper() not in phonenumbers.SUPPORTED_REGIONS:
        errors["filters.countryCode"] = (
            "Country code must be a two-letter ISO 3166-1 code, such as US or GB."
        )
    else:
        country = country.upper()

    area_code = filters.get("areaCode")
    if area_code in (None, ""):
        area_code = None
    elif not isinstance(area_code, str) or not re.fullmatch(r"[0-9]{3}", area_code):
        errors["filters.areaCode"] = 'Area code must be exactly three digits, such as "415".'
    elif "filters.countryCode" not in errors and country not in AREA_CODE_COUNTRIES:
        errors["filters.areaCode"] = (
            "Area codes can only be used for US and CA. "
            f"For {country}, leave it empty and search by city instead."
        )

    number_type = filters.get("numberType")
    if number_type in (None, ""):
        number_type = LOCAL
    elif number_type not in SEARCH_TYPES:
        errors["filters.numberType"] = f"Number type must be {in_words(SEARCH_TYPES)}."
    elif number_type not in AREA_CODE_TYPES and country in AREA_CODE_COUNTRIES:
        errors["filters.numberType"] = (
            f"{country} numbers are not split into {number_type} and landline: "
            'search "local" (they take calls and texts) or "toll-free".'
        )

    if "filters.areaCode" not in errors and area_code and number_type == TOLL_FREE:  # noqa: SIM102
        if area_code not in TOLL_FREE_PREFIXES:
            errors["filters.areaCode"] = (
                f"{area_code} is a local area code; toll-free numbers start with "
                f"{', '.join(TOLL_FREE_PREFIXES)}. Leave the area code empty or choose local."
            )

    limit = filters.get("limit")
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)  # 48.0 is the integer 48 in JSON (and in JSON Schema)
    if limit is None:
        limit = DEFAULT_LIMIT
    # bool is an int in Python; `true` is not a limit.
    elif isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        errors["filters.limit"] = f"Limit must be a whole number from 1 to {MAX_LIMIT}."

    place = {key: _place(filters, key, errors) for key in ("locality", "region")}
    features = _features(filters.get("features"), errors)
    patterns = {key: _pattern(filters, key, errors) for key in PATTERNS}

    sort = filters.get("sort")
    if sort in (None, ""):
        sort = None
    elif sort not in SORTS:
        errors["filters.sort"] = 'Sort must be "number" or "price".'

    if errors:
        raise ValidationFailed(errors)
    return SearchFilters(
        country,
        area_code,
        number_type,
        limit,
        locality=place["locality"],
        region=place["region"],
        features=features,
        contains=patterns["contains"],
        starts_with=patterns["startsWith"],
        ends_with=patterns["endsWith"],
        sort=sort,
    )


def _place(filters: dict, key: str, errors: dict[str, str]) -> str | None:
    value = filters.get(key)
    if value in (None, ""):
        return None
    what = "City" if key == "locality" else "Region"
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        errors[f"filters.{key}"] = f"{what} must be a name, such as " + (
            '"Chicago".' if key == "locality" else '"IL" or "Illinois".'
        )
    elif len(value) > MAX_PLACE:
        errors[f"filters.{key}"] = f"{what} must be at most {MAX_PLACE} characters."
    else:
        return " ".join(value.split())
    return None


def _features(value: Any, errors: dict[str, str]) -> tuple[str, ...]:
    if value in (None, [], ""):
        return ()
    if not isinstance(value, list) or not all(isinstance(f, str) and f in FEATURES for f in value):
        errors["filters.features"] = (
            f'Features must be a list of {", ".join(FEATURES)}, such as ["voice", "sms"].'
        )
        return ()
    return tuple(f for f in FEATURES if f in value)


def _pattern(filters: dict, key: str, errors: dict[str, str]) -> str | None:
    value = filters.get(key)
    if value in (None, ""):
        return None
    if (
        not isinstance(value, str)
        or not value.isascii()
        or not value.isalnum()
        or len(value) > MAX_PATTERN
    ):
        errors[f"filters.{key}"] = (
            f"Numbers that {PATTERN_WORDS[key]} a pattern: use 1 to {MAX_PATTERN} digits or "
            'letters (letters stand for their keypad digits), such as "CAFE" or "2233".'
        )
        return None
    return value.upper()


def parse_purchase(body: dict[str, Any]) -> PurchaseRequest:
    """Validate a purchase body; the number must be E.164 and valid per phonenumbers."""
    errors: dict[str, str] = {}

    phone_number = body.get("phoneNumber")
    if phone_number is None or phone_number == "":
        errors["phoneNumber"] = "Phone number is required."
    elif not isinstance(phone_number, str) or not E164.fullmatch(phone_number):
        errors["phoneNumber"] = "Phone number must be in E.164 format, such as +14155550101."
    elif (phone_number := canonical(phone_number)) is None:
        errors["phoneNumber"] = "Phone number is not a valid number."

    team_id = body.get("teamId")
    if team_id is None or team_id == "":
        errors["teamId"] = "Team id is required."
    elif not isinstance(team_id, str) or len(team_id) > _MAX_ID_LENGTH:
        errors["teamId"] = "Team id must be a string, such as team_01j..."

    connection_id = body.get("connectionId")
    if connection_id == "":
        connection_id = None
    elif connection_id is not None and (
        not isinstance(connection_id, str)
        or len(connection_id) > _MAX_ID_LENGTH
        or not connection_id.isprintable()
    ):
        errors["connectionId"] = (
            f"Connection id must be a string of at most {_MAX_ID_LENGTH} printable characters."
        )

    if errors:
        raise ValidationFailed(errors)
    return PurchaseRequest(phone_number, team_id, connection_id)
