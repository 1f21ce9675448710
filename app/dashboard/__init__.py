"""The team dashboard: server-rendered pages, with htmx answering parts of them.

Every page under /teams/<team_id>/ acts for that team: the team (and the user's role in it)
is resolved once per request, before the view runs, into `g.actor`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.accounts import two_factor
from app.accounts.invitations import INVITATION_LIFETIME
from app.accounts.roles import Actor, Permission, who_may
from app.accounts.teams import actor_for
from app.api.auth import reads_alone
from app.exceptions import ServiceError
from app.guardrails.requests import memberships_with_requests
from app.plans.catalog import FREE
from app.providers.base import HOLD_LENGTH
from app.timefmt import duration

bp = Blueprint("dashboard", __name__)
# GET pages whose statements run one at a time without a transaction (app.api.auth.reads_alone).
READS_ALONE = frozenset({"dashboard.index", "dashboard.numbers", "dashboard.search"})


@bp.url_value_preprocessor
def resolve_team(_endpoint: str | None, values: dict | None) -> None:
    """Pop team_id from the URL and authorise the signed-in user for it (404 if not a member).

    A signed-out visitor gets no actor; the view's login_required sends them to sign in.
    The pages kept in the cache read without a transaction (they write nothing, unless
    listing settles an order, which commits first): no BEGIN and ROLLBACK around one query.
    """
    searching = request.endpoint == "dashboard.search" and "country" in request.args
    if request.method in ("GET", "HEAD") and request.endpoint in READS_ALONE and not searching:
        reads_alone()  # a search (with a country) may record what it found
    if values is None or "team_id" not in values:
        return
    team_id = values.pop("team_id")
    if current_user.is_authenticated:
        g.actor = actor_for(current_user, team_id, user_memberships())
        if session.get("team_id") != team_id:  # an unchanged session is not signed and sent again
            session["team_id"] = team_id


@bp.before_request
def two_factor_gate():
    """A team that requires two-factor sign-in shows a person without it nothing but the way
    to set it up; they come back to the page they asked for once it is on."""
    acting = g.get("actor")
    if acting is None or not two_factor.blocked_by_team(acting):
        return None
    flash(
        f"{acting.team.name} requires two-factor sign-in: set it up to go on.",
        "info",
    )
    target = url_for("dashboard.two_factor_page", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        return Response(status=200, headers={"HX-Redirect": target})
    return redirect(target)


def actor() -> Actor:
    return g.actor


def user_memberships():
    """The signed-in user's teams and roles: one query per request, shared with the header
    (which also shows how many purchase requests wait for them in each team)."""
    if "memberships" not in g:
        rows = memberships_with_requests(current_user) if current_user.is_authenticated else []
        g.memberships = [(team, role) for team, role, _waiting in rows]
        g.waiting_requests = {team.id: waiting for team, _role, waiting in rows}
    return g.memberships


def waiting_requests(team_id: str) -> int:
    """How many purchase requests wait in the team for the signed-in user to decide."""
    user_memberships()
    return g.waiting_requests.get(team_id, 0)


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, fragment: str, status: int = 200, **context):
    """The full page for browsers, the partial it includes for htmx."""
    return render_template(fragment if is_htmx() else page, **context), status


@bp.after_request
def vary_on_htmx(response: Response) -> Response:
    # The same URL answers a page or a fragment: caches must keep them apart.
    response.vary.add("HX-Request")
    return response


@bp.app_context_processor
def navigation():
    """The header's teams, read lazily so pages that never show a team switcher never query."""
    return {
        "nav_memberships": user_memberships,
        "waiting_requests": waiting_requests,
        "session_team_id": session.get("team_id"),
        "Permission": Permission,
        "who_may": who_may,
        "free_plan": FREE,
        "demo_numbers": demo_numbers,
    }


@bp.app_context_processor
def figures():
    """Lengths the pages state, read from the constants that set them."""
    return {
        "hold_length": duration(HOLD_LENGTH),
        "invitation_lifetime": duration(INVITATION_LIFETIME),
    }


def demo_numbers() -> bool:
    """Whether the numbers on offer are the embedded provider's fictional ones (the pages say
    so in customers' words: the provider's name is the operator's)."""
    from app.providers import current_provider

    return current_provider().name == "sandbox"


@bp.errorhandler(ServiceError)
def refused(error: ServiceError):
    from app.dashboard.error_pages import service_error_page

    return service_error_page(error)


from app.dashboard import (  # noqa: E402,F401  (registers routes and filters)
    account,
    account_security,
    assistants,
    caller_names,
    campaigns,
    cart,
    destinations,
    documents,
    formatting,
    guardrails,
    history,
    history_export,
    keep,
    number_health,
    number_list,
    number_page,
    number_release,
    numbers,
    onboarding,
    plans,
    requests,
    search,
    statements,
    team,
    tokens,
    webhooks,
)
