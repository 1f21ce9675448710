"""Phone numbers as text: one canonical E.164 spelling, and what kind of number it is.

Everything that stores, compares or classifies a number goes through here, so the
database's uniqueness holds whatever spelling a client or a provider sent.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

LOCAL = "local"
TOLL_FREE = "toll-free"
MOBILE = "mobile"
NATIONAL = "national"  # non-geographic numbers reachable nationwide at one rate
# What a search may ask for, and what a held number is recorded as (its own type).
SEARCH_TYPES = NUMBER_TYPES = (LOCAL, TOLL_FREE, MOBILE, NATIONAL)
# The types in countries with area codes (US, CA): their numbers are not split further.
AREA_CODE_TYPES = (LOCAL, TOLL_FREE)
# NANP toll-free prefixes: the only "area codes" a toll-free search can name.
TOLL_FREE_PREFIXES = ("800", "833", "844", "855", "866", "877", "888")


def in_words(choices: tuple[str, ...]) -> str:
    """'"local", "toll-free" or "mobile"': a closed list as an error message names it."""
    quoted = [f'"{choice}"' for choice in choices]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


# phonenumbers' classes that are not local; the rest (fixed line, NANP's "fixed line or
# mobile", VoIP, ...) are what a team means by a local number.
_KINDS = {
    PhoneNumberType.TOLL_FREE: TOLL_FREE,
    PhoneNumberType.MOBILE: MOBILE,
    PhoneNumberType.UAN: NATIONAL,
}

# Parsing a number is most of a purchase's Python time, and it is asked about the same number
# many times over (the request, the quote, the order, its type and region): answers are kept.
PARSED = 4096

# ASCII digits only: Python's \d also matches Devanagari, Arabic-Indic and other digits.
E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def canonical(text: object) -> str | None:
    """The number in E.164 if `text` is a valid number written in E.164, else None."""
    if not isinstance(text, str) or not E164.fullmatch(text):
        return None
    return normalise(text)


def normalise(text: object) -> str | None:
    """Any international spelling ("+1 (415) 555-0199") as E.164, or None if not valid."""
    if not isinstance(text, str) or not text.isascii() or len(text) > 40:
        return None
    return _normalised(text)


@lru_cache(maxsize=PARSED)
def _normalised(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=PARSED)
def number_type(e164: str) -> str:
    """Local, toll-free, mobile or national: the types a team searches for and holds."""
    return _KINDS.get(phonenumbers.number_type(phonenumbers.parse(e164)), LOCAL)


@lru_cache(maxsize=PARSED)
def region(e164: str) -> str:
    """The ISO 3166-1 region a number belongs to ("" when shared, as NANP toll-free is)."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or ""


@lru_cache(maxsize=PARSED)
def national(e164: str) -> str:
    """+14155550101 → (415) 555-0101; the text as given if it does not parse.

    Kept: a Numbers page shows each number several times, and parsing is most of its cost."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def digits(e164: str) -> str:
    """A number as an id-safe token: +14155550101 → 14155550101."""
    return "".join(ch for ch in e164 if "0" <= ch <= "9")


def significant(e164: str) -> str:
    """+14155550101 → 4155550101: the national number without country code or trunk prefix."""
    return phonenumbers.national_significant_number(phonenumbers.parse(e164))
