"""What every model shares: aware UTC timestamps, and the closed sets of values columns take."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class NumberStatus(StrEnum):
    """Where a number stands; the order may exist at the provider in every held state.

    reserving: held here, the order sent or about to be, not yet confirmed by the provider.
    pending:   the provider has the order (its id is stored) and is completing it.
    active:    the provider sold it to us; it takes calls.
    releasing: we asked the provider to take it back and it has not confirmed yet; or, with
               the reason "scheduled", a person released it and the release sweep gives it
               back once its `release_after` has passed (until then it works, and Undo
               restores it).
    released / expired: given back (by a person / by the trial running out); kept as history.
    """

    RESERVING = "reserving"
    PENDING = "pending"
    ACTIVE = "active"
    RELEASING = "releasing"
    RELEASED = "released"
    EXPIRED = "expired"


# A held number may be ours at the provider: it counts toward the plan, no other team may
# hold it, and it is never forgotten until the provider says it is not (or no longer) ours.
HELD = (
    NumberStatus.RESERVING,
    NumberStatus.PENDING,
    NumberStatus.ACTIVE,
    NumberStatus.RELEASING,
)
# Still being ordered: shown as "pending" to API clients, who know only that word.
ORDERING = (NumberStatus.RESERVING, NumberStatus.PENDING)
# The reason of a releasing number whose release waits out its grace window (undoable).
SCHEDULED = "scheduled"


def check_in(column: str, values) -> str:
    """A CHECK constraint's text: the column takes one of these values."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
