"""Figures the pages and messages state are read from the constants that set them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from app.phone import AREA_CODE_TYPES, SEARCH_TYPES, TOLL_FREE, TOLL_FREE_PREFIXES, in_words
from app.providers.base import SearchFilters
from app.providers.sandbox_numbers import matching_numbers
from app.timefmt import duration

ROOT = Path(__file__).resolve().parent.parent

# (length, as the pages say it)
DURATIONS = [
    (timedelta(minutes=30), "30 minutes"),
    (timedelta(minutes=1), "1 minute"),
    (timedelta(hours=1), "1 hour"),
    (timedelta(hours=36), "36 hours"),
    (timedelta(days=7), "7 days"),
    (timedelta(days=1), "1 day"),
    (timedelta(seconds=90), "90 seconds"),
]


@pytest.mark.parametrize(("length", "words"), DURATIONS, ids=[w for _, w in DURATIONS])
def test_a_length_in_words(length, words):
    assert duration(length) == words


def test_the_number_types_in_words():
    assert in_words(SEARCH_TYPES) == '"local", "toll-free", "mobile" or "national"'
    assert in_words(AREA_CODE_TYPES) == '"local" or "toll-free"'
    assert in_words(("local",)) == '"local"'


def test_no_template_types_a_length_its_constant_sets():
    # The hold (HOLD_LENGTH) and an invitation's life (INVITATION_LIFETIME) reach templates
    # as hold_length and invitation_lifetime.
    typed = re.compile(r"\b(30 minutes|7 days)\b")
    found = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if typed.search(path.read_text())
    ]
    assert found == []


def test_the_sandbox_offers_toll_free_numbers_in_the_prefixes_the_search_takes():
    # One list (app.phone): the sandbox's toll-free ranges are the prefixes a search may name.
    assert TOLL_FREE_PREFIXES == ("800", "833", "844", "855", "866", "877", "888")
    offered = matching_numbers(SearchFilters("US", None, TOLL_FREE, 100))
    assert {number[2:5] for number in offered} == set(TOLL_FREE_PREFIXES)
