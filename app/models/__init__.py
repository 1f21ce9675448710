"""The data model: teams and their people, assistants, phone numbers and what happened to them."""

from app.models.access import Invitation, LoginSession, PendingSignup
from app.models.accounts import ApiToken, Membership, RecoveryCode, Team, User
from app.models.base import HELD, ORDERING, SCHEDULED, NumberStatus, Role, UTCDateTime, utcnow
from app.models.billing import BillingIssue, EndedSubscription
from app.models.call_control import CallControlApp, NumberConnection
from app.models.caller_names import (
    CallerName,
    CallerNameState,
    NumberReplacement,
    ReplacementStatus,
)
from app.models.campaigns import Campaign, CampaignAssistant, CampaignNumber, CampaignRecipient
from app.models.cart import CartItem, NumberOrder
from app.models.events import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.models.guardrails import PurchaseRequest, RequestStatus
from app.models.health import HealthCheck, NumberHealth
from app.models.jobs import EmailStatus, JobFailure, OutgoingEmail, PeriodicRun
from app.models.numbers import Assistant, PhoneNumber
from app.models.quotes import PurchaseQuote
from app.models.records import AuditEvent, IdempotencyRecord, SentNotice, WebhookEvent
from app.models.routing import (
    AssistantDestination,
    Call,
    NumberRouting,
    RoutingCaller,
    RoutingSplit,
)

__all__ = [
    "HELD",
    "ORDERING",
    "SCHEDULED",
    "ApiToken",
    "Assistant",
    "AssistantDestination",
    "AuditEvent",
    "BillingIssue",
    "Call",
    "CallerName",
    "CallerNameState",
    "Campaign",
    "CampaignAssistant",
    "CampaignNumber",
    "CampaignRecipient",
    "CallControlApp",
    "CartItem",
    "DeliveryStatus",
    "HealthCheck",
    "NumberHealth",
    "EmailStatus",
    "EndedSubscription",
    "IdempotencyRecord",
    "Invitation",
    "JobFailure",
    "LoginSession",
    "Membership",
    "NumberConnection",
    "NumberOrder",
    "NumberReplacement",
    "NumberRouting",
    "NumberStatus",
    "OutgoingEmail",
    "PendingSignup",
    "PeriodicRun",
    "PhoneNumber",
    "PurchaseQuote",
    "PurchaseRequest",
    "RecoveryCode",
    "ReplacementStatus",
    "RequestStatus",
    "Role",
    "RoutingCaller",
    "RoutingSplit",
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
