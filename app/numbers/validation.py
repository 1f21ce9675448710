"""Validation of search and purchase input, shared by the JSON API and the pages.

Messages are written once here so both surfaces say the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

from app.exceptions import ValidationFailed
from app.phone import E164, NUMBER_TYPES, canonical
from app.providers.base import SearchFilters

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
AREA_CODE_COUNTRIES = ("US", "CA")
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
        errors["filters.areaCode"] = "Area codes can only be used for US and CA."

    number_type = filters.get("numberType")
    if number_type in (None, ""):
        number_type = "local"
    elif number_type not in NUMBER_TYPES:
        errors["filters.numberType"] = 'Number type must be "local" or "toll-free".'

    limit = filters.get("limit")
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)  # 48.0 is the integer 48 in JSON (and in JSON Schema)
    if limit is None:
        limit = DEFAULT_LIMIT
    # bool is an int in Python; `true` is not a limit.
    elif isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        errors["filters.limit"] = f"Limit must be a whole number from 1 to {MAX_LIMIT}."

    if errors:
        raise ValidationFailed(errors)
    return SearchFilters(country, area_code, number_type, limit)


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
