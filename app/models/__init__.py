"""The data model: teams and their people, assistants, phone numbers and what happened to them."""

from app.models.access import Invitation, LoginSession, PendingSignup
from app.models.accounts import ApiToken, Membership, Team, User
from app.models.base import HELD, ORDERING, SCHEDULED, NumberStatus, Role, UTCDateTime, utcnow
from app.models.cart import CartItem, NumberOrder
from app.models.events import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.models.guardrails import PurchaseRequest, RequestStatus
from app.models.jobs import EmailStatus, JobFailure, OutgoingEmail, PeriodicRun
from app.models.numbers import Assistant, PhoneNumber
from app.models.records import AuditEvent, IdempotencyRecord, SentNotice, WebhookEvent

__all__ = [
    "HELD",
    "ORDERING",
    "SCHEDULED",
    "ApiToken",
    "Assistant",
    "AuditEvent",
    "CartItem",
    "DeliveryStatus",
    "EmailStatus",
    "IdempotencyRecord",
    "Invitation",
    "JobFailure",
    "LoginSession",
    "Membership",
    "NumberOrder",
    "NumberStatus",
    "OutgoingEmail",
    "PendingSignup",
    "PeriodicRun",
    "PhoneNumber",
    "PurchaseRequest",
    "RequestStatus",
    "Role",
    "SentNotice",
    "Team",
    "UTCDateTime",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "utcnow",
]
