"""A number as every list shows it: the API's list, the Numbers page and the CSV export.

One read builds it (app.numbers.queries.team_number_rows selects LIST_COLUMNS, no entity per
row), and an entity gives the same shape (ListedNumber.of) where one number is answered after
a change. A field the lists need is one more column in PHONE_COLUMNS: the rows, the entity's
copy and every reader of them have it at once (the API's JSON names its own fields).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from app.models import HELD, SCHEDULED, Assistant, NumberStatus, PhoneNumber, User, utcnow
from app.models.numbers import effective_status, public_status, trial_over

# The number's own columns the lists read, by their attribute names.
PHONE_COLUMNS = (
    PhoneNumber.id,
    PhoneNumber.phone_number,
    PhoneNumber.provider,
    PhoneNumber.status,
    PhoneNumber.status_reason,
    PhoneNumber.number_type,
    PhoneNumber.country_code,
    PhoneNumber.monthly_price,
    PhoneNumber.is_trial,
    PhoneNumber.trial_expires_at,
    PhoneNumber.provider_order_id,
    PhoneNumber.documents_deadline,
    PhoneNumber.documents_sent_at,
    PhoneNumber.created_at,
    PhoneNumber.label,
    PhoneNumber.release_after,
)
# And what they show of its assistant and its buyer (outer-joined: either may be missing).
JOINED_COLUMNS = (
    Assistant.id.label("assistant_id"),
    Assistant.name.label("assistant_name"),
    User.email.label("created_by_email"),
    User.name.label("created_by_name"),
)
LIST_COLUMNS = (*PHONE_COLUMNS, *JOINED_COLUMNS)
_OWN = tuple(column.key for column in PHONE_COLUMNS)


class Named(NamedTuple):
    """The assistant (id, name) or the buyer (email, name) as a row shows them."""

    id: str | None
    name: str | None
    email: str | None = None


class ListedNumber:
    """One row of LIST_COLUMNS, read like a PhoneNumber by the row template and the CSV
    (`number.assistant.name`, `number.effective_status(now)`): the same template renders a
    listed row and a number just changed."""

    def __init__(self, values: dict[str, Any]):
        self.__dict__.update(values)
        self.assistant = Named(values["assistant_id"], values["assistant_name"])
        if values["assistant_id"] is None:
            self.assistant = None
        email = values["created_by_email"]
        self.created_by = Named(None, values["created_by_name"], email) if email else None

    @classmethod
    def of_row(cls, row: Any) -> ListedNumber:
        return cls(row._asdict())

    @classmethod
    def of(cls, number: PhoneNumber) -> ListedNumber:
        """The entity as the list shows it (its assistant and buyer as loaded on it)."""
        values = {name: getattr(number, name) for name in _OWN}
        assistant, buyer = number.assistant, number.created_by
        values["assistant_id"] = assistant.id if assistant else None
        values["assistant_name"] = assistant.name if assistant else None
        values["created_by_email"] = buyer.email if buyer else None
        values["created_by_name"] = buyer.name if buyer else None
        return cls(values)

    @property
    def release_scheduled(self) -> bool:
        return self.status == NumberStatus.RELEASING and self.status_reason == SCHEDULED

    def effective_status(self, now: datetime | None = None) -> str:
        return effective_status(self.status, self.is_trial, self.trial_expires_at, now or utcnow())

    def public_status(self, now: datetime | None = None) -> str:
        return public_status(self.effective_status(now))

    def is_live(self, now: datetime | None = None) -> bool:
        over = trial_over(self.is_trial, self.trial_expires_at, now or utcnow())
        return self.status in HELD and self.release_after is None and not over
