"""Where a North American number is: its area code's state or province, and how far apart two
of those are. Embedded and offline.

The area code -> region table (area_code_table.py) is generated from phonenumbers' offline
geocoder (scripts/area_codes.py), the source app.providers.places reads. The centres below are
approximate geographic centres of each US state, Canadian province and NANP territory (rounded
to a tenth of a degree, from public gazetteer figures): "nearest" means the nearest region
centre, never a finer guess than the table can back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from app.campaigns.area_code_table import AREA_CODE_REGIONS

# (latitude, longitude) of each region's centre.
REGION_CENTRES: dict[str, tuple[float, float]] = {
    "US-AL": (32.8, -86.8),
    "US-AK": (64.7, -152.0),
    "US-AZ": (34.3, -111.7),
    "US-AR": (34.9, -92.4),
    "US-CA": (37.2, -119.4),
    "US-CO": (39.0, -105.5),
    "US-CT": (41.6, -72.7),
    "US-DE": (39.0, -75.5),
    "US-DC": (38.9, -77.0),
    "US-FL": (28.6, -82.4),
    "US-GA": (32.7, -83.4),
    "US-HI": (20.3, -156.4),
    "US-ID": (44.4, -114.6),
    "US-IL": (40.0, -89.2),
    "US-IN": (39.9, -86.3),
    "US-IA": (42.1, -93.5),
    "US-KS": (38.5, -98.4),
    "US-KY": (37.5, -85.3),
    "US-LA": (31.1, -92.0),
    "US-ME": (45.4, -69.2),
    "US-MD": (39.1, -76.8),
    "US-MA": (42.3, -71.8),
    "US-MI": (44.3, -85.4),
    "US-MN": (46.3, -94.3),
    "US-MS": (32.7, -89.7),
    "US-MO": (38.4, -92.5),
    "US-MT": (47.0, -109.6),
    "US-NE": (41.5, -99.8),
    "US-NV": (39.3, -116.6),
    "US-NH": (43.7, -71.6),
    "US-NJ": (40.2, -74.7),
    "US-NM": (34.4, -106.1),
    "US-NY": (42.9, -75.5),
    "US-NC": (35.6, -79.4),
    "US-ND": (47.5, -100.5),
    "US-OH": (40.3, -82.8),
    "US-OK": (35.6, -97.5),
    "US-OR": (43.9, -120.6),
    "US-PA": (40.9, -77.8),
    "US-RI": (41.7, -71.5),
    "US-SC": (33.9, -80.9),
    "US-SD": (44.4, -100.2),
    "US-TN": (35.9, -86.4),
    "US-TX": (31.5, -99.3),
    "US-UT": (39.3, -111.7),
    "US-VT": (44.1, -72.7),
    "US-VA": (37.5, -78.9),
    "US-WA": (47.4, -120.5),
    "US-WV": (38.6, -80.6),
    "US-WI": (44.6, -89.9),
    "US-WY": (43.0, -107.6),
    "CA-AB": (55.0, -115.0),
    "CA-BC": (53.7, -127.6),
    "CA-MB": (55.0, -97.0),
    "CA-NB": (46.5, -66.2),
    "CA-NL": (53.1, -57.7),
    "CA-NS": (45.0, -63.0),
    "CA-ON": (50.0, -85.0),
    "CA-PE": (46.4, -63.2),
    "CA-QC": (52.9, -73.5),
    "CA-SK": (55.0, -106.0),
    "CA-NT": (64.8, -124.8),
    "CA-NU": (70.3, -83.1),
    "CA-YT": (64.3, -135.0),
    "PR": (18.2, -66.5),
    "VI": (18.3, -64.9),
    "GU": (13.4, 144.8),
    "MP": (15.1, 145.7),
    "AS": (-14.3, -170.7),
    "AG": (17.1, -61.8),
    "AI": (18.2, -63.1),
    "BB": (13.2, -59.5),
    "BM": (32.3, -64.8),
    "BS": (24.7, -78.0),
    "DM": (15.4, -61.4),
    "DO": (18.7, -70.2),
    "GD": (12.1, -61.7),
    "JM": (18.1, -77.3),
    "KN": (17.3, -62.7),
    "KY": (19.3, -81.3),
    "LC": (13.9, -61.0),
    "MS": (16.7, -62.2),
    "SX": (18.0, -63.1),
    "TC": (21.7, -71.8),
    "TT": (10.7, -61.2),
    "VC": (13.3, -61.2),
    "VG": (18.4, -64.6),
}


@dataclass(frozen=True)
class Place:
    """Where a number is, as far as choosing a caller ID cares."""

    country: str  # ISO region code ("US"), "" when unknown
    area_code: str | None  # NANP numbers only
    region: str | None  # the area code's state/province (NANP numbers the table knows)


@lru_cache(maxsize=65536)
def place_of(e164: str) -> Place:
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return Place("", None, None)
    country = phonenumbers.region_code_for_number(parsed) or ""
    if parsed.country_code != 1:
        return Place(country, None, None)
    area_code = str(parsed.national_number)[:3]
    return Place(country, area_code, AREA_CODE_REGIONS.get(area_code))


def region_of_area_code(area_code: str) -> str | None:
    return AREA_CODE_REGIONS.get(area_code)


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between two regions' centres; infinite when either is unknown."""
    if a not in REGION_CENTRES or b not in REGION_CENTRES:
        return math.inf
    (lat1, lon1), (lat2, lon2) = REGION_CENTRES[a], REGION_CENTRES[b]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def nearest(region: str | None, candidates: set[str]) -> str | None:
    """The candidate region nearest to `region` (ties by name, so the answer is stable)."""
    if region is None or not candidates:
        return None
    best = min(candidates, key=lambda c: (distance_km(region, c), c))
    return best if distance_km(region, best) < math.inf else None
