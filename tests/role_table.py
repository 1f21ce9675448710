"""The role matrix as the product promises it, written out by hand.

The route matrices and the roles test read their expected answers from here, never from
`app.accounts.roles`: a change to the code's matrix fails them until this table (and the
README's) says the same.
"""

from __future__ import annotations

from app.accounts.roles import Permission
from app.models import Role

EVERYONE = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
OWNERS_AND_ADMINS = frozenset({Role.OWNER, Role.ADMIN})
OWNERS = frozenset({Role.OWNER})

ALLOWED: dict[Permission, frozenset[Role]] = {
    Permission.LABEL: EVERYONE,
    Permission.ASSIGN: EVERYONE,
    Permission.BUY: EVERYONE,  # members buy: the team's guardrails limit spending, not roles
    Permission.RELEASE: OWNERS_AND_ADMINS,
    Permission.APPROVE_PURCHASES: OWNERS_AND_ADMINS,
    Permission.MANAGE_ASSISTANTS: OWNERS_AND_ADMINS,
    Permission.INVITE: OWNERS_AND_ADMINS,
    Permission.MANAGE_ROLES: OWNERS,
    Permission.CHANGE_PLAN: OWNERS,
    Permission.SET_GUARDRAILS: OWNERS,
    Permission.MANAGE_WEBHOOKS: OWNERS_AND_ADMINS,
    Permission.REQUIRE_TWO_FACTOR: OWNERS,
}


def allowed(needed: Permission | None, role: Role) -> bool:
    """Whether `role` may use something that needs `needed` (None: any member of the team)."""
    return needed is None or role in ALLOWED[needed]
