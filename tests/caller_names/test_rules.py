"""The caller-name rule, one table: what is taken (and as what), and what is refused, why."""

from __future__ import annotations

import pytest

from app.caller_names.rules import clean_caller_name, takes_caller_name
from app.exceptions import ValidationFailed

LENGTH = "A caller name has at most 15 characters"
SHAPE = "Use letters, digits, spaces, periods and commas only, starting with a letter."
EMPTY = "Enter a caller name (up to 15 characters)."

TAKEN = [
    ("ACME SUPPORT", "ACME SUPPORT"),
    ("Acme", "Acme"),
    ("A", "A"),
    ("ACME, INC.", "ACME, INC."),
    ("Dr. Smith 24", "Dr. Smith 24"),
    ("ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO"),  # 15: the most
    ("  acme   support ", "acme support"),  # spaces trimmed and single
    ("B2B SALES", "B2B SALES"),
]

REFUSED = [
    ("ABCDEFGHIJKLMNOP", LENGTH + " (16 sent)."),
    ("ACME SUPPORT TEAM", LENGTH + " (17 sent)."),
    ("1800 FLOWERS", SHAPE),  # must start with a letter
    (".ACME", SHAPE),
    (" ,ACME", SHAPE),
    ("ACME & CO", SHAPE),
    ("ACME-SUPPORT", SHAPE),
    ("ACME'S", SHAPE),
    ("ÉCOLE", SHAPE),  # letters are A-Z: CNAM databases are ASCII
    ("", EMPTY),
    ("   ", EMPTY),
    (None, EMPTY),
    (42, EMPTY),
    (["ACME"], EMPTY),
]


@pytest.mark.parametrize(("sent", "listed"), TAKEN)
def test_names_taken(sent, listed):
    assert clean_caller_name(sent) == listed


@pytest.mark.parametrize(("sent", "message"), REFUSED)
def test_names_refused(sent, message):
    with pytest.raises(ValidationFailed) as refused:
        clean_caller_name(sent)
    assert refused.value.fields == {"name": message}


def test_whitespace_inside_is_one_space():
    assert clean_caller_name("ACME\tLINE") == "ACME LINE"


@pytest.mark.parametrize(
    ("number_type", "takes"),
    [("local", True), ("mobile", True), ("national", True), ("toll-free", False)],
)
def test_toll_free_numbers_take_no_name(number_type, takes):
    assert takes_caller_name(number_type) is takes
