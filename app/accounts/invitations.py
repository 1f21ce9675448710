"""Invitations: an owner or admin invites an address into the team in a role.

The emailed link is signed (it names the invitation), works until it expires, and works
once: accepting sets `accepted_at` with one conditional UPDATE, which only one request can
win. A newer invitation to the same address in the same team withdraws the older one.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import audit, links
from app.accounts.roles import INVITABLE, Actor, Permission, with_article
from app.accounts.teams import lock_team
from app.accounts.users import (
    clean_email,
    clean_new_user,
    hash_password,
    insert_user,
    user_by_email,
)
from app.exceptions import Conflict, NotFound, RateLimited, ValidationFailed
from app.extensions import db
from app.ids import is_id, new_id
from app.mail import messages, outgoing
from app.mail.sending import Email
from app.models import Invitation, Membership, Role, User, utcnow
from app.ratelimit import spend, wait_words

INVITE_PURPOSE = "invitation"
INVITATION_LIFETIME = timedelta(days=7)
# Invitations a team may have waiting at once (each is an email to an outside address).
OPEN_INVITATIONS = 50
INVITATION_EMAIL = "invitation"
GONE = "This invitation was already used or withdrawn. Ask the team for a new one."
EXPIRED = "This invitation has expired. Ask the team for a new one."


def invite(actor: Actor, email: str, role: str = Role.MEMBER) -> Invitation:
    """Invite an address and queue its email (in the same transaction: an invitation is
    never kept without its email); ValidationFailed for a bad address or role."""
    actor.require(Permission.INVITE)
    if role not in INVITABLE:
        raise ValidationFailed(
            {"role": f"Invite as {' or '.join(map(with_article, reversed(INVITABLE)))}."}
        )
    actor.require_manage(role)  # granting more than member is a role change
    email = clean_email(email)
    team = actor.team
    _refuse_flooding(actor)
    if db.session.scalar(
        sa.select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id == team.id, User.email == email)
    ):
        raise ValidationFailed({"email": f"{email} is already in {team.name}."})
    now = utcnow()
    lock_team(team.id)  # the open invitations counted one invitation at a time
    _withdraw(team.id, email, now)
    if _open_count(team.id, now) >= OPEN_INVITATIONS:
        db.session.rollback()
        raise ValidationFailed(
            {
                "email": f"{team.name} has {OPEN_INVITATIONS} invitations waiting: withdraw "
                "some, or wait for them to be accepted, before inviting anyone else."
            }
        )
    invitation = Invitation(
        id=new_id("inv"),
        team_id=team.id,
        email=email,
        role=role,
        invited_by_id=actor.user.id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    _record(actor, audit.Action.MEMBER_INVITE, invitation)
    outgoing.queue(INVITATION_EMAIL, email, invitation_id=invitation.id)
    return invitation


def _refuse_flooding(actor: Actor) -> None:
    """A person may send RATELIMIT_INVITE invitations a while, and a team (whoever sends
    them) RATELIMIT_INVITE_TEAM: each is an email to an outside address, with the team's
    name in it, so an unlimited form would make this site a spammer's relay."""
    for setting, scope, key in (
        ("RATELIMIT_INVITE", "invite-user", actor.user.id),
        ("RATELIMIT_INVITE_TEAM", "invite-team", actor.team.id),
    ):
        if (wait := spend(setting, scope, key)) is not None:
            whose = "You have" if scope == "invite-user" else f"{actor.team.name} has"
            raise RateLimited(
                f"{whose} sent as many invitations as allowed for now: try again in "
                f"{wait_words(wait)}.",
                wait,
            )


def _open_count(team_id: str, now) -> int:
    query = sa.select(sa.func.count()).where(
        Invitation.team_id == team_id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )
    return db.session.scalar(query) or 0


@outgoing.composer(INVITATION_EMAIL, useful_for=INVITATION_LIFETIME)
def invitation_email(to: str, invitation_id: str) -> Email | None:
    """The invitation's link, or nothing if it was withdrawn, used or has expired meanwhile."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not invitation.is_open():
        return None
    inviter = invitation.invited_by
    return messages.invitation(
        to,
        (inviter.name or inviter.email) if inviter else invitation.team.name,
        invitation.team.name,
        invitation.role,
        invitation_link(invitation),
        invitation.expires_at,
    )


def invitation_token(invitation: Invitation) -> str:
    return links.sign(INVITE_PURPOSE, {"i": invitation.id})


def open_invitations(team_id: str) -> list[Invitation]:
    """The team's invitations that can still be accepted, newest first."""
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.team_id == team_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def revoke(actor: Actor, invitation_id: str) -> Invitation:
    actor.require(Permission.INVITE)
    invitation = _team_invitation(actor.team.id, invitation_id)
    actor.require_manage(invitation.role)
    if invitation.is_open():
        invitation.revoked_at = utcnow()
        _record(actor, audit.Action.INVITE_REVOKE, invitation)
        db.session.commit()
    return invitation


def resend(actor: Actor, invitation_id: str) -> Invitation:
    """Email a waiting invitation again, with a fresh link good for another 7 days.

    Limited per invitation (RATELIMIT_INVITE_RESEND), and counted as an invitation sent by
    the person and the team: a resend is another email to an outside address.
    """
    actor.require(Permission.INVITE)
    invitation = _team_invitation(actor.team.id, invitation_id)
    actor.require_manage(invitation.role)  # as withdrawing it
    if not invitation.is_open():
        raise Conflict(
            f"The invitation to {invitation.email} was used, withdrawn or has expired: "
            "invite them again."
        )
    if (wait := spend("RATELIMIT_INVITE_RESEND", "invite-resend", invitation.id)) is not None:
        raise RateLimited(
            f"The invitation to {invitation.email} was sent again a short while ago: "
            f"resend it in {wait_words(wait)}.",
            wait,
        )
    _refuse_flooding(actor)
    invitation.expires_at = utcnow() + INVITATION_LIFETIME
    outgoing.queue(INVITATION_EMAIL, invitation.email, invitation_id=invitation.id)
    db.session.commit()
    return invitation


def invitation_link(invitation: Invitation) -> str:
    """The link the invitation's email carries (to copy and send another way)."""
    return links.external_url("auth.invitation", token=invitation_token(invitation))


def invitation_for(token: str) -> Invitation:
    """The live invitation a link names; LinkInvalid when forged, used, withdrawn or expired."""
    lifetime = int(INVITATION_LIFETIME.total_seconds())
    payload = links.unsign(INVITE_PURPOSE, token, lifetime, EXPIRED)
    invitation_id = payload.get("i")
    invitation = db.session.get(Invitation, invitation_id) if is_id("inv", invitation_id) else None
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        raise links.LinkInvalid(GONE)
    if invitation.expires_at <= utcnow():
        raise links.LinkInvalid(EXPIRED)
    return invitation


def accept(token: str, user: User) -> Invitation:
    """The signed-in user joins the team; the invitation is for their address only."""
    invitation = invitation_for(token)
    if invitation.email != user.email:
        raise links.LinkInvalid(
            f"This invitation is for {invitation.email}, and you are signed in as {user.email}. "
            "Sign out, then open the link again."
        )
    _claim(invitation)
    lock_team(invitation.team_id)
    already = db.session.get(Membership, (user.id, invitation.team_id))
    if already is None:
        db.session.add(
            Membership(user_id=user.id, team_id=invitation.team_id, role=invitation.role)
        )
        audit.record(
            invitation.team_id,
            user.id,
            audit.Action.MEMBER_JOIN,
            subject_id=user.id,
            subject=user.email,
            after={"role": invitation.role},
        )
    db.session.commit()
    return invitation


def sign_up_and_accept(token: str, name: str, password: str) -> User:
    """An invited person without an account makes one (the link proves the address) and joins."""
    invitation = invitation_for(token)
    if user_by_email(invitation.email) is not None:
        raise links.LinkInvalid(
            f"{invitation.email} already has an account: sign in to accept the invitation."
        )
    email, name = clean_new_user(invitation.email, name, password)
    try:
        user = insert_user(email, name, hash_password(password))
    except IntegrityError:  # the same link used twice at once
        db.session.rollback()
        raise links.LinkInvalid(GONE) from None
    accept(token, user)
    return user


def _claim(invitation: Invitation) -> None:
    """Mark it accepted, or LinkInvalid if another request did first: one UPDATE decides."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise links.LinkInvalid(GONE)
    invitation.accepted_at = now


def _withdraw(team_id: str, email: str, now) -> None:
    db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.team_id == team_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def _team_invitation(team_id: str, invitation_id: str) -> Invitation:
    invitation = None
    if is_id("inv", invitation_id):
        invitation = db.session.scalar(
            sa.select(Invitation).where(
                Invitation.id == invitation_id, Invitation.team_id == team_id
            )
        )
    if invitation is None:
        raise NotFound("Invitation not found.")
    return invitation


def _record(actor: Actor, action: audit.Action, invitation: Invitation) -> None:
    audit.record(
        actor.team.id,
        actor.user.id,
        action,
        subject_id=invitation.id,
        subject=invitation.email,
        after={"role": invitation.role},
    )
