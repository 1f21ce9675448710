"""One function per email the product sends; plain arguments in, one Email out.

Each names templates/email/<name>.txt and .html and what they show. The mail job composes
them when it sends (app.mail.outgoing); sending.send renders and sends one.
"""

from __future__ import annotations

from datetime import datetime

from app.accounts.roles import with_article
from app.mail.sending import Email, display_number, utc_time
from app.text import one_line

SUBJECT_PART = 40  # names run to 120 characters; a subject should fit a phone's inbox line


def invitation(
    to: str, inviter_name: str, team_name: str, role: str, accept_url: str, expires_at: datetime
) -> Email:
    """Invite someone to join a team in the given role."""
    return _email(
        to,
        f"{_short(inviter_name)} invited you to {_short(team_name)}",
        "invitation",
        inviter_name=inviter_name,
        team_name=team_name,
        role=with_article(role),
        accept_url=accept_url,
        expires=utc_time(expires_at),
    )


def password_reset(to: str, name: str, reset_url: str, expires_at: datetime) -> Email:
    """A link to choose a new password; it works for an hour."""
    return _email(
        to,
        "Reset your password",
        "password_reset",
        name=name,
        reset_url=reset_url,
        expires=utc_time(expires_at),
    )


def email_verification(to: str, name: str, verify_url: str) -> Email:
    """A link that proves the address belongs to the person who signed up."""
    return _email(
        to, "Confirm your email address", "email_verification", name=name, verify_url=verify_url
    )


def signup_attempt(to: str, name: str, signin_url: str, reset_url: str) -> Email:
    """Someone signed up with an address that already has an account: tell its owner only."""
    return _email(
        to,
        "Someone tried to sign up with your email",
        "signup_attempt",
        name=name,
        signin_url=signin_url,
        reset_url=reset_url,
    )


def trial_expiring(
    to: str, name: str, team_name: str, phone_number: str, expires_at: datetime, plans_url: str
) -> Email:
    """The day before: the team's trial number is about to be released."""
    number = display_number(phone_number)
    return _email(
        to,
        f"Your trial number {number} ends tomorrow",
        "trial_expiring",
        name=name,
        team_name=team_name,
        phone_number=number,
        expires=utc_time(expires_at),
        plans_url=plans_url,
    )


def trial_expired(to: str, name: str, team_name: str, phone_number: str, plans_url: str) -> Email:
    """The trial is over and its number has been released."""
    number = display_number(phone_number)
    return _email(
        to,
        f"Your trial number {number} has ended",
        "trial_expired",
        name=name,
        team_name=team_name,
        phone_number=number,
        plans_url=plans_url,
    )


def purchase_request(
    to: str,
    name: str,
    asker: str,
    team_name: str,
    phone_number: str,
    cost: str,
    held_until: datetime,
    requests_url: str,
) -> Email:
    """A member asked to buy a number: an owner or admin approves or denies it."""
    number = display_number(phone_number)
    return _email(
        to,
        f"{_short(asker)} asks to buy {number}",
        "purchase_request",
        name=name,
        asker=asker,
        team_name=team_name,
        phone_number=number,
        cost=cost,
        held_until=utc_time(held_until),
        requests_url=requests_url,
    )


# What became of a request, as its subject says it.
DECISIONS = {
    "approved": "was approved",
    "denied": "was denied",
    "failed": "could not be bought",
}


def request_decided(
    to: str,
    name: str,
    decider: str,
    team_name: str,
    phone_number: str,
    outcome: str,
    detail: str | None,
    requests_url: str,
) -> Email:
    """The member who asked: approved (and bought), denied (with the note), or failed."""
    number = display_number(phone_number)
    return _email(
        to,
        f"Your request for {number} {DECISIONS[outcome]}",
        "request_decided",
        name=name,
        decider=decider,
        team_name=team_name,
        phone_number=number,
        outcome=outcome,
        detail=detail,
        requests_url=requests_url,
    )


def over_limit_grace(
    to: str, name: str, team_name: str, situation: str, ends_at: datetime, keep_url: str
) -> Email:
    """A change of plan left the team over its limit: what to do, and by when."""
    return _email(
        to,
        f"{_short(team_name)} holds more numbers than its plan allows",
        "over_limit_grace",
        name=name,
        team_name=team_name,
        situation=situation,
        ends=utc_time(ends_at),
        keep_url=keep_url,
    )


def over_limit_released(
    to: str, name: str, team_name: str, phone_number: str, reason: str, plans_url: str
) -> Email:
    """A number beyond the team's limit was released at the end of its grace."""
    number = display_number(phone_number)
    return _email(
        to,
        f"{number} was released: {_short(team_name)} was over its plan",
        "over_limit_released",
        name=name,
        team_name=team_name,
        phone_number=number,
        reason=reason,
        plans_url=plans_url,
    )


def _email(to: str, subject: str, template: str, **context) -> Email:
    return Email(to, subject, template, context)


def _short(text: str) -> str:
    text = one_line(text)
    return text if len(text) <= SUBJECT_PART else text[: SUBJECT_PART - 1].rstrip() + "…"


def webhook_disabled(
    to: str, name: str, team_name: str, url: str, reason: str, webhooks_url: str
) -> Email:
    """A webhook endpoint was turned off because deliveries to it kept failing."""
    return _email(
        to,
        f"Webhooks to {_short(url)} are turned off for {_short(team_name)}",
        "webhook_disabled",
        name=name,
        team_name=team_name,
        url=url,
        reason=reason,
        webhooks_url=webhooks_url,
    )


def email_change(to: str, name: str, confirm_url: str, expires_at: datetime) -> Email:
    """To the new address: follow the link to make it the account's email."""
    return _email(
        to,
        "Confirm your new email address",
        "email_change",
        name=name,
        confirm_url=confirm_url,
        expires=utc_time(expires_at),
    )


def email_change_notice(to: str, name: str, new_email: str) -> Email:
    """To the old address: someone asked to move the account to another email."""
    return _email(
        to,
        "Your account's email is being changed",
        "email_change_notice",
        name=name,
        new_email=new_email,
    )


def health_alert(
    to: str, name: str, team_name: str, phone_number: str, detail: str, page_url: str
) -> Email:
    """A number's spam risk rose, or it called past its warm-up ramp."""
    return _email(
        to,
        f"Health alert for {phone_number} ({_short(team_name)})",
        "health_alert",
        name=name,
        team_name=team_name,
        phone_number=phone_number,
        detail=detail,
        page_url=page_url,
    )
