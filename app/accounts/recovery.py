"""Getting back into an account, and changing its password: every way ends all its sessions.

A reset link names the user and a stamp of their current password hash, signed and valid
for an hour: using it changes the hash, so the same link (and any older one) stops working.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from app import links
from app.accounts.sessions import PASSWORD_CHANGED, PASSWORD_RESET, end_all_sessions
from app.accounts.users import (
    check_password,
    email_problem,
    normalise_email,
    set_password,
    user_by_email,
)
from app.exceptions import ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.mail import messages, outgoing
from app.mail.sending import Email
from app.models import User, utcnow
from app.ratelimit import spend, wait_words
from app.text import unstorable

log = logging.getLogger(__name__)
RESET_PURPOSE = "password-reset"
RESET_LIFETIME = timedelta(hours=1)
RESET_EMAIL = "password_reset"
USED_OR_OLD = "This reset link has expired or was already used. Ask for a new one below."


def request_reset(email: str) -> None:
    """Queue a reset email for the address, whether or not it has an account.

    The mail job looks the account up (and sends nothing without one), so the answer is the
    same, and takes the same time, for every address: one row written, nothing else.
    """
    address = normalise_email(email)
    if unstorable(address) or email_problem(address):
        return  # no account could have it; saying so tells nothing about anyone's account
    outgoing.queue(RESET_EMAIL, address)


@outgoing.composer(RESET_EMAIL, useful_for=RESET_LIFETIME)
def reset_email(to: str) -> Email | None:
    """The link, signed when it is sent: it works for an hour from then."""
    user = user_by_email(to)
    if user is None:
        return None
    token = links.sign(RESET_PURPOSE, {"u": user.id, "p": links.stamp(user.password_hash)})
    return messages.password_reset(
        user.email,
        user.name,
        links.external_url("auth.reset_password", token=token),
        utcnow() + RESET_LIFETIME,
    )


def user_for_reset(token: str) -> User:
    """The user a live reset link is for; LinkInvalid if it is forged, old or used."""
    payload = links.unsign(RESET_PURPOSE, token, int(RESET_LIFETIME.total_seconds()), USED_OR_OLD)
    user_id = payload.get("u")
    user = db.session.get(User, user_id) if is_id("usr", user_id) else None
    if user is None or payload.get("p") != links.stamp(user.password_hash):
        raise links.LinkInvalid(USED_OR_OLD)
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link and sign the account out everywhere."""
    user = user_for_reset(token)
    set_password(user, password)
    end_all_sessions(user, PASSWORD_RESET)
    log.info("password reset for %s; all sessions ended", user.id)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """From the account page: the current password first; then every session ends (the
    caller opens a fresh one for the browser that asked). Each check of the current password
    counts against RATELIMIT_PASSWORD_CHANGE for the person: a session left open on a shared
    computer must not become a way to guess the password."""
    if (wait := spend("RATELIMIT_PASSWORD_CHANGE", "password-check", user.id)) is not None:
        raise ValidationFailed(
            {
                "current_password": "Too many tries at your current password: try again in "
                f"{wait_words(wait)}."
            }
        )
    if not check_password(user, current):
        raise ValidationFailed({"current_password": "That is not your current password."})
    set_password(user, new)
    end_all_sessions(user, PASSWORD_CHANGED)
