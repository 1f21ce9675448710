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

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            who = (
                "an owner"
                if permission not in ROLE_PERMISSIONS[Role.ADMIN]
                else "an owner or admin"
            )
            raise PermissionDenied(
                f"Your role in {self.team.name} ({self.role}) may not {permission}: ask {who}."
            )
