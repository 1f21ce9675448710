"""Changing a name, and an email: a new address takes effect only from a link sent to it.

The request needs the current password (a session left open must not hand the account to
another inbox). The link names the user, the new address and a stamp of the old one, signed
and valid for a day: once the email changes, the link (and every other one) stops working.
The old address is told, so a change its owner did not ask for does not go unseen.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app import links
from app.accounts.users import MAX_NAME, check_password, clean_email
from app.exceptions import ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.mail import messages, outgoing
from app.mail.sending import Email
from app.models import User, utcnow
from app.ratelimit import spend, wait_words
from app.text import one_line

PURPOSE = "email-change"
LIFETIME = timedelta(days=1)
CONFIRM_EMAIL = "email_change"
NOTICE_EMAIL = "email_change_notice"
TAKEN = "Another account took that email meanwhile: nothing changed."
USED_OR_OLD = "This link has expired or was already used. Ask for a new one on your Account page."


def rename(user: User, name: object) -> str:
    """A new display name; ValidationFailed({"name": ...}) if it will not do. Commits."""
    cleaned = one_line(name, "name") if isinstance(name, str) else ""
    if not cleaned:
        raise ValidationFailed({"name": "Tell us your name (visible characters, not only spaces)."})
    if len(cleaned) > MAX_NAME:
        raise ValidationFailed({"name": f"A name is at most {MAX_NAME} characters."})
    user.name = cleaned
    db.session.commit()
    return cleaned


def request_email_change(user: User, new_email: object, password: object) -> str:
    """Send a confirmation link to the new address and a notice to the current one."""
    if (wait := spend("RATELIMIT_PASSWORD_CHANGE", "password-check", user.id)) is not None:
        raise ValidationFailed(
            {"password": f"Too many tries at your password: try again in {wait_words(wait)}."}
        )
    if not check_password(user, password):
        raise ValidationFailed({"password": "That is not your current password."})
    email = clean_email(new_email)
    if email == user.email:
        raise ValidationFailed({"email": "That is your email already."})
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        # Another account has it: saying so would tell who has an account, but the person is
        # signed in and typed their password, and a link that cannot work helps nobody.
        raise ValidationFailed({"email": "Another account uses that email."})
    outgoing.queue(CONFIRM_EMAIL, email, user_id=user.id)
    outgoing.queue(NOTICE_EMAIL, user.email, name=user.name, new_email=email)
    return email


@outgoing.composer(CONFIRM_EMAIL, useful_for=LIFETIME)
def confirm_email(to: str, user_id: str) -> Email | None:
    user = db.session.get(User, user_id)
    if user is None:
        return None
    token = links.sign(PURPOSE, {"u": user.id, "e": to, "o": links.stamp(user.email)})
    url = links.external_url("auth.change_email", token=token)
    return messages.email_change(to, user.name, url, utcnow() + LIFETIME)


@outgoing.composer(NOTICE_EMAIL)
def notice_email(to: str, name: str, new_email: str) -> Email:
    return messages.email_change_notice(to, name, new_email)


def pending_change(token: str) -> tuple[User, str]:
    """The user and new address a live link is for; LinkInvalid if forged, old or used."""
    payload = links.unsign(PURPOSE, token, int(LIFETIME.total_seconds()), USED_OR_OLD)
    user_id, email = payload.get("u"), payload.get("e")
    user = db.session.get(User, user_id) if is_id("usr", user_id) else None
    if user is None or not isinstance(email, str) or payload.get("o") != links.stamp(user.email):
        raise links.LinkInvalid(USED_OR_OLD)
    return user, email


def apply_email_change(token: str) -> User:
    """Make the link's address the account's email (once: the link then stops working)."""
    user, email = pending_change(token)
    if _taken(email, user.id):
        raise links.LinkInvalid(TAKEN)
    user.email = email
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # Another account took the address between the check and the commit (the unique
        # index decides): the same answer as when the check sees it.
        db.session.rollback()
        raise links.LinkInvalid(TAKEN) from None
    return user


def _taken(email: str, user_id: str) -> bool:
    return (
        db.session.scalar(sa.select(User.id).where(User.email == email, User.id != user_id))
        is not None
    )
