"""A regulated order's documents: what the provider asks for, giving it, or cancelling.

In some countries (DE, FR, IT, ES, BE in the sandbox) an order waits until the team gives the
regulator's documents and an address; the provider cancels it at its deadline otherwise. The
pending number counts toward the plan meanwhile, so cancelling the order frees its place.
Files go straight to the provider (nothing is kept here); the row keeps only when they were
sent, so the page can say they are being reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.accounts.roles import Actor, Permission
from app.exceptions import Conflict, ValidationFailed
from app.extensions import db
from app.models import NumberStatus, PhoneNumber, utcnow
from app.numbers.failures import provider_failure
from app.numbers.queries import team_number
from app.numbers.searching import requirements_for
from app.numbers.settling import DOCUMENTS, settle_from_provider
from app.providers import current_provider
from app.providers.base import (
    Address,
    Provided,
    ProviderError,
    ProviderRefusedInput,
    Requirement,
    SearchFilters,
)

MAX_DOCUMENT = 5 * 1024 * 1024  # bytes: a scan or a photo of a bill; the provider takes 20 MB
# What a document may be: PDF, JPEG or PNG, told by its first bytes (not its name).
SIGNATURES = {b"%PDF-": "PDF", b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
ADDRESS_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "business_name": "Business name",
    "street_address": "Street and number",
    "locality": "City",
    "postal_code": "Postal code",
}


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass
class Answers:
    """What a team filled in, by requirement id: files, address fields, texts."""

    files: dict[str, Upload] = field(default_factory=dict)
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Needed:
    number: PhoneNumber
    requirements: list[Requirement]
    deadline: datetime | None
    sent_at: datetime | None


def waiting_number(actor: Actor, number_id: str) -> PhoneNumber:
    """The team's number whose order waits for documents; Conflict if it no longer does."""
    number = team_number(actor.team.id, number_id)
    if number.status != NumberStatus.PENDING or number.status_reason != DOCUMENTS:
        raise Conflict(f"The order for {number.phone_number} is not waiting for documents.")
    return number


def documents_needed(actor: Actor, number_id: str) -> Needed:
    number = waiting_number(actor, number_id)
    filters = SearchFilters(number.country_code, number_type=number.number_type)
    return Needed(
        number, requirements_for(filters), number.documents_deadline, number.documents_sent_at
    )


def provide_documents(actor: Actor, number_id: str, answers: Answers) -> PhoneNumber:
    """Check what the team gave against what the provider asks, then send it all at once."""
    actor.require(Permission.BUY)
    needed = documents_needed(actor, number_id)
    number = needed.number
    provided = [_provided(r, answers, number.country_code) for r in needed.requirements]
    problems = dict(item for item in provided if isinstance(item, tuple))
    if problems:
        raise ValidationFailed(problems, "Some of what the provider asks for is missing.")
    order_id, phone_number = number.provider_order_id, number.phone_number
    reference = number.customer_reference
    db.session.rollback()  # no transaction open across the provider's calls
    try:
        current_provider().provide_documents(
            order_id or "",
            phone_number,
            [item for item in provided if isinstance(item, Provided)],
            customer_reference=reference,
        )
    except ProviderRefusedInput as error:
        raise ValidationFailed({"documents": error.message}, error.message) from error
    except ProviderError as error:
        raise provider_failure(error, "Check the order before sending them again.") from error
    now = utcnow()
    sent = db.session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == number_id, PhoneNumber.status == NumberStatus.PENDING)
        .values(documents_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if sent.rowcount == 1:
        audit.record(
            actor.team.id,
            actor.user.id,
            audit.Action.DOCUMENTS_SENT,
            subject_id=number_id,
            subject=phone_number,
            after={"requirements": [r.name for r in needed.requirements]},
        )
    db.session.commit()
    number = db.session.get(PhoneNumber, number_id)
    if number is not None:
        db.session.refresh(number)
        settle_from_provider(number)  # the sandbox approves at once; Telnyx reviews later
    return number


def cancel_order(actor: Actor, number_id: str) -> str:
    """Cancel a pending order at the provider; the number leaves the team and frees its
    place on the plan. Answers the phone number."""
    actor.require(Permission.BUY)
    number = team_number(actor.team.id, number_id)
    if number.status != NumberStatus.PENDING or not number.provider_order_id:
        raise Conflict(f"The order for {number.phone_number} is not pending: nothing to cancel.")
    order_id, phone_number = number.provider_order_id, number.phone_number
    db.session.rollback()
    try:
        current_provider().cancel_order(order_id, phone_number)
    except ProviderError as error:
        raise provider_failure(error, "The order may still complete.") from error
    gone = db.session.execute(
        sa.delete(PhoneNumber).where(
            PhoneNumber.id == number_id, PhoneNumber.status == NumberStatus.PENDING
        )
    )
    if gone.rowcount == 1:
        audit.record(
            actor.team.id,
            actor.user.id,
            audit.Action.ORDER_CANCELLED,
            subject_id=number_id,
            subject=phone_number,
        )
    db.session.commit()
    return phone_number


def _provided(
    requirement: Requirement, answers: Answers, country_code: str
) -> Provided | tuple[str, str]:
    """The requirement's answer, or (field, why) when it is missing or unfit."""
    key = requirement.id
    if requirement.kind == "document":
        upload = answers.files.get(key)
        if upload is None or not upload.content:
            return f"file-{key}", f"Choose a file for “{requirement.name}”."
        if len(upload.content) > MAX_DOCUMENT:
            return f"file-{key}", f"“{requirement.name}” is larger than 5 MB."
        if not any(upload.content.startswith(magic) for magic in SIGNATURES):
            return f"file-{key}", f"“{requirement.name}” must be a PDF, JPEG or PNG file."
        name = "".join(ch for ch in upload.filename if ch.isprintable())[:200] or "document"
        return Provided(requirement, filename=name, content=upload.content)
    if requirement.kind == "address":
        given = answers.addresses.get(key, {})
        for name, label in ADDRESS_FIELDS.items():
            value = given.get(name, "").strip()
            if not value or len(value) > 120 or not value.isprintable():
                return f"address-{key}-{name}", f"{label} is required (at most 120 characters)."
        fields = {name: given[name].strip() for name in ADDRESS_FIELDS}
        return Provided(requirement, address=Address(**fields, country_code=country_code))
    text = answers.texts.get(key, "").strip()
    if not text or len(text) > 200 or not text.isprintable():
        return f"text-{key}", f"Fill in “{requirement.name}” (at most 200 characters)."
    return Provided(requirement, text=text)
