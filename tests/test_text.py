"""The OpenAPI document's "visible character" class is the cleaner's own rule, character by
character: a name the document calls valid is one the server keeps, and the other way round."""

import re

import pytest

from app.text import one_line, visible_class

pytestmark = pytest.mark.any_database  # CI runs it once, not on each database


def test_the_visible_class_matches_exactly_the_characters_the_cleaner_keeps():
    visible = re.compile(visible_class())
    disagree = [
        f"U+{code:04X}"
        for code in (*range(1, 0xD800), *range(0xE000, 0x20000), *range(0xE0000, 0xE0080))
        if bool(visible.fullmatch(chr(code))) != bool(one_line(chr(code)))
    ]
    assert disagree == []


def test_a_name_of_invisible_characters_around_one_letter_matches_and_is_kept():
    pattern = re.compile(f"^[^\\u0000]*{visible_class()}[^\\u0000]*$")
    for text, kept in [("\u200bA\u200d", "A"), ("\u202e受付\u202c", "受付"), ("\u200b\u3164", "")]:
        assert bool(pattern.match(text)) == bool(kept)
        assert one_line(text) == kept
