"""Finding numbers in a team's list: search, filters and sort as `where` and `order by` clauses.

Each clause reads only `phone_numbers` columns (an assistant's name through a subquery), so the
same filters compose with a select of ORM rows or of bare columns. The page and the API parse
the same parameters here, and both leave the documented answer alone when none is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from app.exceptions import ValidationFailed
from app.models import ORDERING, Assistant, NumberStatus, PhoneNumber
from app.phone import NUMBER_TYPES
from app.text import one_line

MAX_QUERY = 80
UNASSIGNED = "none"
# What a person calls a state (the list's `status` word for live ones, with "expired" for a trial
# past its end even before the expiry job ran).
STATUSES = ("active", "pending", "releasing", "expired")
# Sort keys: a column, and "-" for descending. Keyset paging needs a total order: id breaks ties.
SORTS = {"created": PhoneNumber.created_at, "number": PhoneNumber.phone_number}
DEFAULT_SORT = "-created"
SORT_CHOICES = tuple(f"{sign}{key}" for key in SORTS for sign in ("-", ""))  # cursor.SORTS too
# Query-string names, the API's and the page's alike.
PARAMS = {
    "query": "q",
    "status": "status",
    "assistant": "assistantId",
    "number_type": "numberType",
    "country": "countryCode",
    "sort": "sort",
}
_PHONE_PUNCTUATION = re.compile(r"[\s()+.\-]")
ASSISTANT_ID = re.compile(r"asst_[0-9a-z]{26}")


@dataclass(frozen=True)
class NumberFilters:
    """What the list is narrowed to; empty strings mean "any"."""

    query: str = ""
    status: str = ""
    assistant: str = ""  # an assistant's id, or UNASSIGNED
    number_type: str = ""
    country: str = ""
    sort: str = DEFAULT_SORT

    @property
    def narrowed(self) -> bool:
        """Whether any filter (not the sort) leaves numbers out."""
        return any(value for key, value in asdict(self).items() if key != "sort")

    def params(self, **changes: str) -> dict[str, str]:
        """The query-string parameters that give these filters back (defaults left out)."""
        chosen = asdict(replace(self, **changes))
        return {
            PARAMS[key]: value
            for key, value in chosen.items()
            if value and not (key == "sort" and value == DEFAULT_SORT)
        }


def parse_filters(args: Mapping[str, str]) -> NumberFilters:
    """The filters in a query string; ValidationFailed naming each parameter that is wrong."""
    errors: dict[str, str] = {}
    values = {key: (args.get(name) or "").strip() for key, name in PARAMS.items()}
    try:
        query = one_line(values["query"], PARAMS["query"])
    except ValidationFailed as error:
        errors.update(error.fields)
        query = ""
    if len(values["query"]) > MAX_QUERY:  # as sent (what the OpenAPI maxLength counts)
        errors["q"] = f"Search text must be at most {MAX_QUERY} characters."
    if values["status"] and values["status"] not in STATUSES:
        errors["status"] = f"Status must be one of: {', '.join(STATUSES)}."
    assistant = values["assistant"]
    # The documented shape, a little wider than the ids we make: one that cannot exist just
    # matches no number, as an assistant of another team does.
    if assistant and assistant != UNASSIGNED and not ASSISTANT_ID.fullmatch(assistant):
        errors["assistantId"] = f"assistantId must be an assistant's id, or {UNASSIGNED!r}."
    if values["number_type"] and values["number_type"] not in NUMBER_TYPES:
        errors["numberType"] = f"numberType must be one of: {', '.join(NUMBER_TYPES)}."
    country = values["country"].upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        errors["countryCode"] = "countryCode must be two letters (ISO 3166-1 alpha-2)."
    sort = values["sort"] or DEFAULT_SORT
    if sort not in SORT_CHOICES:
        errors["sort"] = f"Sort must be one of: {', '.join(SORT_CHOICES)}."
    if errors:
        raise ValidationFailed(errors)
    return NumberFilters(query, values["status"], assistant, values["number_type"], country, sort)


def filter_clauses(team_id: str, filters: NumberFilters, now: datetime) -> list:
    """The `where` clauses for these filters (the team and "not released" are the caller's)."""
    clauses: list = []
    if filters.query:
        clauses.append(_matches(team_id, filters.query))
    if filters.status:
        clauses.append(_in_state(filters.status, now))
    if filters.assistant == UNASSIGNED:
        clauses.append(PhoneNumber.assistant_id.is_(None))
    elif filters.assistant:
        clauses.append(PhoneNumber.assistant_id == filters.assistant)
    if filters.number_type:
        clauses.append(PhoneNumber.number_type == filters.number_type)
    if filters.country:
        clauses.append(PhoneNumber.country_code == filters.country)
    return clauses


def order_by(sort: str) -> list:
    column, descending = _sort_column(sort)
    if descending:
        return [column.desc(), PhoneNumber.id.desc()]
    return [column.asc(), PhoneNumber.id.asc()]


def after(sort: str, position: tuple[object, str]) -> sa.ColumnElement[bool]:
    """Rows past `position` (the sort value and id of a page's last row), in the sort's order."""
    column, descending = _sort_column(sort)
    key = sa.tuple_(column, PhoneNumber.id)
    return key < position if descending else key > position


def reversed_order(sort: str) -> list:
    """The sort's order read backwards (for the page before a position)."""
    column, descending = _sort_column(sort)
    if descending:
        return [column.asc(), PhoneNumber.id.asc()]
    return [column.desc(), PhoneNumber.id.desc()]


def up_to(sort: str, position: tuple[object, str]) -> sa.ColumnElement[bool]:
    """Rows at or before `position` in the sort's order: the pages before a cursor's page."""
    return sa.not_(after(sort, position))


def sort_value(sort: str, number: PhoneNumber) -> object:
    """The value a number sorts by, as a cursor keeps it."""
    return number.created_at if sort.lstrip("-") == "created" else number.phone_number


def _sort_column(sort: str):
    return SORTS[sort.lstrip("-")], sort.startswith("-")


def _matches(team_id: str, query: str) -> sa.ColumnElement[bool]:
    """Digits match inside the number; any text matches the label or the assistant's name."""
    needle = query.lower()
    named = sa.select(Assistant.id).where(
        Assistant.team_id == team_id,
        sa.func.lower(Assistant.name).contains(needle, autoescape=True),
    )
    either = [
        sa.func.lower(PhoneNumber.label).contains(needle, autoescape=True),
        PhoneNumber.assistant_id.in_(named),
    ]
    digits = _PHONE_PUNCTUATION.sub("", query)
    if digits.isascii() and digits.isdigit():
        either.append(PhoneNumber.phone_number.contains(digits, autoescape=True))
    return sa.or_(*either)


def _in_state(status: str, now: datetime) -> sa.ColumnElement[bool]:
    # The NULL test keeps the clause true/false (never NULL), so NOT(trial_over) stays exact.
    trial_over = sa.and_(
        PhoneNumber.is_trial.is_(True),
        PhoneNumber.trial_expires_at.is_not(None),
        PhoneNumber.trial_expires_at <= now,
    )
    if status == "active":
        return sa.and_(PhoneNumber.status == NumberStatus.ACTIVE, sa.not_(trial_over))
    if status == "pending":
        return PhoneNumber.status.in_(ORDERING)
    if status == "releasing":
        return PhoneNumber.status == NumberStatus.RELEASING
    return sa.or_(
        PhoneNumber.status == NumberStatus.EXPIRED,
        sa.and_(PhoneNumber.status == NumberStatus.ACTIVE, trial_over),
    )
