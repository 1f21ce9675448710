"""API token scopes: what each one lets a token call, and who may give a token each one.

A scope is one entry in SCOPES. Each API view names the scope it needs on its
`@token_required(...)` line (app.api.auth); the OpenAPI document reads them from there.

A scope is a ceiling on the token, never a grant beyond its user's role: every call needs the
token's scope AND a role in the named team that may do it (a member's token with
numbers:manage labels and assigns, but still cannot release).

Who may give a token a scope: someone whose role in at least one of their teams has one of the
permissions the scope gives use of (reading needs none: anyone may). A token acts in every
team its user is in, so the cap is the highest role they hold anywhere; in each team the role
held there still decides. An owner of one team who is a member of another may hold
assistants:manage, and it works only where they are an owner or admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.accounts.roles import ROLE_PERMISSIONS, Permission
from app.exceptions import ValidationFailed
from app.models import Role


@dataclass(frozen=True)
class Scope:
    name: str
    allows: str  # what it lets a token do, in words (the tokens page, the README)
    # The role permissions its operations need: a role with any of them may give a token
    # this scope. None at all: anyone may (reading is limited by the teams one is in).
    permissions: frozenset[Permission] = frozenset()

    def __str__(self) -> str:
        return self.name

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that may give a token this scope."""
        if not self.permissions:
            return frozenset(Role)
        return frozenset(role for role in Role if self.permissions & ROLE_PERMISSIONS[role])

    def holders(self) -> str:
        """Who may hold it, in words: "an owner or admin of a team"."""
        if self.roles == frozenset(Role):
            return "someone in a team"
        names = [str(role) for role in Role if role in self.roles]
        return f"an {' or '.join(names)} of a team" if names else "nobody"


NUMBERS_READ = Scope(
    "numbers:read",
    "search numbers; list and export the team's numbers; read its holds, orders, assistants, "
    "purchase requests and guardrails; read a number's routing and the call log; read campaigns "
    "and ask one for the caller ID of a call; read a number's health",
)
NUMBERS_BUY = Scope(
    "numbers:buy",
    "buy numbers, one at a time or in an order; hold numbers and drop holds; approve or deny "
    "purchase requests",
    frozenset({Permission.BUY, Permission.APPROVE_PURCHASES}),
)
NUMBERS_MANAGE = Scope(
    "numbers:manage",
    "label numbers, assign them to assistants and unassign them, change their routing and test "
    "it, release them and undo a release",
    frozenset({Permission.LABEL, Permission.ASSIGN, Permission.RELEASE}),
)
ASSISTANTS_MANAGE = Scope(
    "assistants:manage",
    "create, rename and delete assistants, and set where they answer; create, change and delete "
    "campaigns, their pools and coverage; rest a number from campaigns and wake it",
    frozenset({Permission.MANAGE_ASSISTANTS}),
)
TEAM_MANAGE = Scope(
    "team:manage",
    "change the team's own settings, such as its spending guardrails",
    frozenset({Permission.SET_GUARDRAILS}),
)
WEBHOOKS_MANAGE = Scope(
    "webhooks:manage",
    "list, add, change and delete the team's webhook endpoints, rotate their secrets, read "
    "their delivery logs, resend deliveries and send test events",
    frozenset({Permission.MANAGE_WEBHOOKS}),
)

# Every scope, in the order pages, lists and answers show them. A new scope is one entry here.
SCOPES: dict[str, Scope] = {
    scope.name: scope
    for scope in (
        NUMBERS_READ,
        NUMBERS_BUY,
        NUMBERS_MANAGE,
        ASSISTANTS_MANAGE,
        TEAM_MANAGE,
        WEBHOOKS_MANAGE,
    )
}


def grantable(roles: Iterable[Role]) -> list[Scope]:
    """The scopes someone holding these roles (one per team) may give a token."""
    held = set(roles)
    return [scope for scope in SCOPES.values() if scope.roles & held or not scope.permissions]


def chosen_scopes(names: Iterable[object], roles: Iterable[Role]) -> list[str]:
    """The scopes asked for, checked: each known and within the roles, at least one. Returns
    their names in SCOPES order, each once (what a token stores)."""
    wanted = list(names)
    if not wanted:
        raise ValidationFailed(
            {"scopes": "Choose at least one scope: a token without any could call nothing."}
        )
    allowed = {scope.name for scope in grantable(roles)}
    for name in wanted:
        scope = SCOPES.get(name) if isinstance(name, str) else None
        if scope is None:
            known = ", ".join(SCOPES)
            asked = repr(name[:40]) if isinstance(name, str) else "that"
            raise ValidationFailed({"scopes": f"No scope is called {asked}; scopes: {known}."})
        if scope.name not in allowed:
            raise ValidationFailed(
                {
                    "scopes": f"You cannot give a token the {scope} scope: only "
                    f"{scope.holders()} can."
                }
            )
    return [name for name in SCOPES if name in wanted]
