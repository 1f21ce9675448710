"""Roles and what each may do: the permission matrix, enforced by the services.

| permission        | owner | admin | member |
|-------------------|-------|-------|--------|
| view the team     |  yes  |  yes  |  yes   |
| label numbers     |  yes  |  yes  |  yes   |
| assign numbers    |  yes  |  yes  |  yes   |
| buy numbers       |  yes  |  yes  |  yes   |
| release numbers   |  yes  |  yes  |   -    |
| approve purchases |  yes  |  yes  |   -    |
| manage assistants |  yes  |  yes  |   -    |
| invite / remove   |  yes  |  yes  |   -    |
| change roles      |  yes  |   -   |   -    |
| change the plan   |  yes  |   -   |   -    |
| set guardrails    |  yes  |   -   |   -    |
| manage webhooks   |  yes  |  yes  |   -    |

Every user manages their own API tokens; a token acts with its user's role in each team.

The ladder owner > admin > member lives here alone (RANK): sorting people, who may remove
or invite whom, and the "ask an owner or admin" sentences all read it. A new role is a line
in RANK and ROLE_PERMISSIONS, the Role enum, a migration for the role check constraints, and
the README's table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.exceptions import PermissionDenied
from app.models import Role, Team, User


class Permission(StrEnum):
    LABEL = "label numbers"
    ASSIGN = "assign numbers to assistants"
    BUY = "buy numbers"
    RELEASE = "release numbers"
    MANAGE_ASSISTANTS = "create, rename or delete assistants"
    INVITE = "invite or remove members"
    MANAGE_ROLES = "change members' roles"
    CHANGE_PLAN = "change the plan"
    APPROVE_PURCHASES = "approve or deny members' purchases"
    SET_GUARDRAILS = "set the team's spending guardrails"
    MANAGE_WEBHOOKS = "manage the team's webhook endpoints"
    REQUIRE_TWO_FACTOR = "require two-factor sign-in for the team"


# Members search, hold and buy (the product exists for them); the team's guardrails, not
# their role, limit what they spend (spend caps, approvals).
_EVERYONE = {Permission.LABEL, Permission.ASSIGN, Permission.BUY}
_ADMINS = _EVERYONE | {
    Permission.RELEASE,
    Permission.APPROVE_PURCHASES,
    Permission.MANAGE_ASSISTANTS,
    Permission.INVITE,
    Permission.MANAGE_WEBHOOKS,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(_ADMINS),
    Role.MEMBER: frozenset(_EVERYONE),
}
# Who stands above whom: higher ranks manage lower ones.
RANK: dict[Role, int] = {Role.OWNER: 2, Role.ADMIN: 1, Role.MEMBER: 0}
# Most senior first: the order the team's people are listed in.
BY_RANK: tuple[Role, ...] = tuple(sorted(RANK, key=RANK.__getitem__, reverse=True))
# An invitation grants any role but the top one (ownership is handed over, never invited).
INVITABLE: tuple[Role, ...] = BY_RANK[1:]


def may_manage(role: Role | str, other: Role | str) -> bool:
    """Whether someone in `role` may remove someone in `other`, withdraw an invitation for
    `other`, or invite as `other`: those who change roles manage everyone, the rest only the
    roles below their own (admins remove members, not admins or owners)."""
    return (
        Permission.MANAGE_ROLES in ROLE_PERMISSIONS[Role(role)]
        or RANK[Role(role)] > RANK[Role(other)]
    )


def roles_with(permission: Permission) -> tuple[Role, ...]:
    """The roles holding `permission`, most senior first."""
    return tuple(role for role in BY_RANK if permission in ROLE_PERMISSIONS[role])


def with_article(role: Role | str) -> str:
    """ "an owner", "a member": how a role reads after "as" or "ask"."""
    return f"{'an' if str(role)[:1] in 'aeiou' else 'a'} {role}"


def who_may(permission: Permission) -> str:
    """Who to ask, in words: "an owner", "an owner or admin"."""
    first, *rest = roles_with(permission)
    if not rest:
        return with_article(first)
    return f"{', '.join([with_article(first), *map(str, rest[:-1])])} or {rest[-1]}"


# What each role may do, in a sentence for the pages (beside every role select): the matrix
# above in words, kept here so the two are changed together.
ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.OWNER: "Everything an admin does, and changes the plan, roles and spending guardrails.",
    Role.ADMIN: (
        "Buys and releases numbers, manages assistants and webhooks, invites and removes "
        "members, and approves members' purchases."
    ),
    Role.MEMBER: "Searches, buys (within the team's guardrails), assigns and labels numbers.",
}


@dataclass(frozen=True)
class Actor:
    """A user acting for one of their teams, with the role they hold in it."""

    user: User
    team: Team
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def may_manage(self, other: Role | str) -> bool:
        return may_manage(self.role, other)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"Your role in {self.team.name} ({self.role}) may not {permission}: "
                f"ask {who_may(permission)}."
            )

    def require_manage(self, other: Role | str) -> None:
        """PermissionDenied unless the actor may manage someone in (or invite as) `other`."""
        if not self.may_manage(other):
            self.require(Permission.MANAGE_ROLES)
