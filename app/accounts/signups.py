"""Signing up by email: the account exists once its owner follows the emailed link.

The sign-up form answers the same, in the same time, whether or not the address has an
account (no one learns who is a customer): both save the sign-up and queue one email, and
the mail job decides what it says. A new address gets a confirmation link; an address with
an account gets a note that someone tried, with links to sign in or reset the password (and
its saved sign-up can never be confirmed: no link to it is sent).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import links
from app.accounts.teams import clean_team_name, found_team
from app.accounts.users import (
    clean_new_user,
    default_team_name,
    hash_password,
    insert_user,
    user_by_email,
)
from app.extensions import db
from app.ids import is_id
from app.mail import messages, outgoing
from app.mail.sending import Email
from app.models import PendingSignup, User, utcnow

CONFIRM_PURPOSE = "confirm-email"
CONFIRM_LIFETIME = timedelta(days=2)
SIGN_UP_EMAIL = "sign_up"
EXPIRED = "This confirmation link has expired. Sign up again to get a new one."
USED = (
    "This confirmation link was already used, or a newer sign-up replaced it. "
    "Sign in, or use the newest email."
)


def request_sign_up(email: str, name: str, password: str, team_name: str = "") -> str:
    """Check the form, save the sign-up and queue its email; returns the normalised address.

    ValidationFailed for a malformed field. Whether the address has an account is looked up
    by the mail job, not here: every address costs this request the same work.
    """
    email, name = clean_new_user(email, name, password)
    if team_name.strip():
        team_name = clean_team_name(team_name)
    pending = _save_pending(email, name, hash_password(password), team_name)
    outgoing.queue(SIGN_UP_EMAIL, email, pending_id=pending.id, asked_at=utcnow().isoformat())
    return email


@outgoing.composer(SIGN_UP_EMAIL, useful_for=CONFIRM_LIFETIME)
def sign_up_email(to: str, pending_id: str, asked_at: str) -> Email | None:
    """The note to an account's owner, or the confirmation link (signed when sent)."""
    user = user_by_email(to)
    if user is not None and user.created_at >= datetime.fromisoformat(asked_at):
        return None  # made since, from an earlier email of this sign-up: nothing to say
    if user is not None:
        # Saved only so that this request cost what a new address costs; never confirmable.
        db.session.execute(sa.delete(PendingSignup).where(PendingSignup.id == pending_id))
        db.session.commit()
        return messages.signup_attempt(
            user.email,
            user.name,
            links.external_url("auth.signin"),
            links.external_url("auth.forgot_password"),
        )
    pending = db.session.get(PendingSignup, pending_id)
    if pending is None:
        return None  # confirmed meanwhile (from an earlier email): nothing left to confirm
    token = links.sign(CONFIRM_PURPOSE, {"s": pending.id, "p": links.stamp(pending.password_hash)})
    return messages.email_verification(
        to, pending.name, links.external_url("auth.confirm_email", token=token)
    )


def _save_pending(email: str, name: str, password_hash: str, team_name: str) -> PendingSignup:
    # The latest sign-up wins; its new password hash voids any link sent before.
    for _attempt in range(2):
        pending = db.session.scalar(sa.select(PendingSignup).where(PendingSignup.email == email))
        if pending is None:
            pending = PendingSignup(email=email)
            db.session.add(pending)
        pending.name, pending.password_hash, pending.team_name = name, password_hash, team_name
        pending.created_at = utcnow()
        try:
            db.session.flush()  # committed with its email
            return pending
        except IntegrityError:  # the same address signed up twice at once: update theirs
            db.session.rollback()
    raise RuntimeError(f"could not save the sign-up for {email}")


def pending_sign_up(token: str) -> PendingSignup:
    """The sign-up a live confirmation link is for; LinkInvalid if it is not live."""
    payload = links.unsign(CONFIRM_PURPOSE, token, int(CONFIRM_LIFETIME.total_seconds()), EXPIRED)
    pending_id = payload.get("s")
    pending = db.session.get(PendingSignup, pending_id) if is_id("sgn", pending_id) else None
    if pending is None or payload.get("p") != links.stamp(pending.password_hash):
        raise links.LinkInvalid(USED)
    return pending


def confirm_sign_up(token: str) -> User:
    """Make the account and its Free team from a confirmation link; LinkInvalid if it is not
    live. Works once: the pending sign-up is gone afterwards."""
    pending = pending_sign_up(token)
    if user_by_email(pending.email) is not None:  # made meanwhile (an invitation, say)
        db.session.delete(pending)
        db.session.commit()
        raise links.LinkInvalid("This address already has an account: sign in.")
    email, name, password_hash, team_name = (
        pending.email,
        pending.name,
        pending.password_hash,
        pending.team_name,
    )
    db.session.delete(pending)
    try:
        user = insert_user(email, name, password_hash)  # commits the delete with it
    except IntegrityError:  # the same link clicked twice at once: the other click won
        db.session.rollback()
        raise links.LinkInvalid(USED) from None
    found_team(user, default_team_name(user, team_name))
    return user
