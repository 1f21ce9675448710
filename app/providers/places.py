"""Where a number is, from phonenumbers' offline geocoder, and whether it is in a place asked for.

The geocoder answers "San Francisco, CA" for some prefixes and only "Massachusetts" for
others; a locality matches the city part, a region the state part (by code or by name).
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import geocoder

# US states and Canadian provinces: the geocoder writes "City, ST" or the full name.
_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "Washington D.C.",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington State",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
}


@lru_cache(maxsize=4096)
def place_of(e164: str) -> str:
    """ "San Francisco, CA", "Massachusetts", "London"; "" when the geocoder does not know."""
    return geocoder.description_for_number(phonenumbers.parse(e164), "en")


def city_and_region(place: str) -> tuple[str, str]:
    """("San Francisco", "California") from "San Francisco, CA"; ("", "Ohio") from "Ohio"."""
    city, _, code = place.rpartition(", ")
    if city:
        return city, _STATES.get(code, code)
    if place in _STATES.values():
        return "", place
    return place, ""  # elsewhere the geocoder names a town ("London")


def in_place(place: str, locality: str | None, region: str | None) -> bool:
    """Whether a place is in the locality and region asked for (case-insensitive)."""
    city, state = city_and_region(place)
    if locality and city.casefold() != locality.casefold():
        return False
    if region:
        asked = _STATES.get(region.upper(), region).casefold()
        if asked not in (state.casefold(), state.casefold().removesuffix(" state")):
            return False
    return True
