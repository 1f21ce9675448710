"""The people in a team: their roles, removing them, leaving, handing over ownership.

Owners change roles and may remove anyone; admins may remove members (not admins or owners);
anyone may leave. A team always keeps an owner: the last one can neither leave, be removed
nor be demoted. Each change takes the team's lock, so two owners demoting each other at
once cannot leave the team with none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.accounts.roles import BY_RANK, Actor, Permission
from app.accounts.teams import lock_team
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.ids import is_id
from app.models import AuditEvent, Membership, Role, User


@dataclass(frozen=True)
class Member:
    user: User
    role: Role
    joined_at: datetime


def members_of(team_id: str) -> list[Member]:
    """Owners first, then admins, then members; each by name."""
    rank = sa.case({role.value: i for i, role in enumerate(BY_RANK)}, value=Membership.role)
    rows = db.session.execute(
        sa.select(User, Membership.role, Membership.created_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team_id)
        .order_by(rank, User.name, User.email)
    )
    return [Member(user, Role(role), joined) for user, role, joined in rows]


def change_role(actor: Actor, user_id: str, role: str) -> Membership:
    actor.require(Permission.MANAGE_ROLES)
    if role not in Role.__members__.values():
        raise ValidationFailed({"role": f"Role must be one of {', '.join(Role)}."})
    membership = _membership(actor, user_id)
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER:
        _keep_an_owner(actor, membership)
    before = membership.role
    membership.role = role
    _record(actor, audit.Action.ROLE_CHANGE, membership, {"role": before}, {"role": role})
    db.session.commit()
    return membership


def transfer_ownership(actor: Actor, user_id: str) -> Membership:
    """The other person becomes an owner and the actor an admin, in one step."""
    actor.require(Permission.MANAGE_ROLES)
    if user_id == actor.user.id:
        raise ValidationFailed({"user": "Choose someone else to hand the team to."})
    membership = _membership(actor, user_id)
    mine = db.session.get(Membership, (actor.user.id, actor.team.id))
    before = membership.role
    membership.role = Role.OWNER
    mine.role = Role.ADMIN
    _record(actor, audit.Action.OWNERSHIP_TRANSFER, membership, {"role": before}, {"role": "owner"})
    db.session.commit()
    return membership


def remove_member(actor: Actor, user_id: str) -> User:
    if user_id == actor.user.id:
        leave(actor)
        return actor.user
    actor.require(Permission.INVITE)
    membership = _membership(actor, user_id)
    actor.require_manage(membership.role)  # admins remove members, not admins or owners
    if membership.role == Role.OWNER:
        _keep_an_owner(actor, membership)
    user = membership.user
    _record(actor, audit.Action.MEMBER_REMOVE, membership, {"role": membership.role}, None)
    db.session.delete(membership)
    db.session.commit()
    return user


def leave(actor: Actor) -> None:
    lock_team(actor.team.id)
    membership = db.session.get(Membership, (actor.user.id, actor.team.id))
    if membership is None:
        db.session.rollback()
        return  # left already (a second click)
    if membership.role == Role.OWNER:
        _keep_an_owner(actor, membership)
    _record(actor, audit.Action.MEMBER_LEAVE, membership, {"role": membership.role}, None)
    db.session.delete(membership)
    db.session.commit()


def was_in_a_team(user_id: str) -> bool:
    """Whether the person left a team or was removed from one (the words for having none)."""
    return bool(
        db.session.scalar(
            sa.select(AuditEvent.id)
            .where(
                AuditEvent.subject_id == user_id,
                AuditEvent.action.in_([audit.Action.MEMBER_LEAVE, audit.Action.MEMBER_REMOVE]),
            )
            .limit(1)
        )
    )


def _membership(actor: Actor, user_id: str) -> Membership:
    """The target's membership in the actor's team, under the team's lock; NotFound if none."""
    lock_team(actor.team.id)
    membership = (
        db.session.get(Membership, (user_id, actor.team.id)) if is_id("usr", user_id) else None
    )
    if membership is None:
        db.session.rollback()
        raise NotFound("That person is not in this team.")
    return membership


def _keep_an_owner(actor: Actor, membership: Membership) -> None:
    owners = db.session.scalar(
        sa.select(sa.func.count()).where(
            Membership.team_id == actor.team.id, Membership.role == Role.OWNER
        )
    )
    if owners <= 1:
        db.session.rollback()
        raise Conflict(
            f"{membership.user.name or membership.user.email} is the only owner of "
            f"{actor.team.name}: make someone else an owner first, or hand the team over."
        )


def _record(actor: Actor, action: audit.Action, membership: Membership, before, after) -> None:
    audit.record(
        actor.team.id,
        actor.user.id,
        action,
        subject_id=membership.user_id,
        subject=membership.user.email,
        before=before,
        after=after,
    )
