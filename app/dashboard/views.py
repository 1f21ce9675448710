"""The numbers table and the search page."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from app import accounts
from app.dashboard import bp, present
from app.dashboard.forms import SearchForm
from app.dashboard.htmx import render
from app.errors import ProviderFailed, ProviderTimedOut, TeamNotFound, ValidationFailed
from app.models import Team, utcnow
from app.numbers import service

# A page of the table; keyset paging keeps page 200 as quick as page 1 for a 10,000-number team.
NUMBERS_PER_PAGE = 50


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.signin"))
    teams = accounts.teams_for_user(current_user)
    if not teams:
        return render_template("dashboard/no_team.html")
    remembered = session.get("team_id")
    team = next((t for t in teams if t.id == remembered), teams[0])
    return redirect(url_for("dashboard.numbers", team_id=team.id))


@bp.get("/teams/<team_id>/numbers")
@login_required
def numbers(team_id: str):
    team = member_team(team_id)
    try:
        page = service.list_numbers_page(
            current_user, team.id, NUMBERS_PER_PAGE, request.args.get("cursor")
        )
    except ValidationFailed:  # a stale or hand-edited cursor: start from the newest
        return redirect(url_for("dashboard.numbers", team_id=team.id))
    return render(
        "numbers/page.html",
        "numbers/_table.html",
        team=team,
        numbers=page.numbers,
        next_cursor=page.next_cursor,
        paged=bool(request.args.get("cursor")),
        assistants=present.assistant_choices(current_user, team),
        now=utcnow(),
        plan=present.plan_status(team),
    )


@bp.get("/teams/<team_id>/search")
@login_required
def search(team_id: str):
    team = member_team(team_id)
    form = SearchForm(formdata=request.args or None)
    form.country.choices = present.country_choices()
    if not request.args:
        form.country.data = present.default_country()
    result, error, status = None, None, 200
    if "country" in request.args:
        filters = form.search_filters()
        if filters is None:
            status = 400
        else:
            try:
                result = service.search_numbers(filters)
            except (ProviderFailed, ProviderTimedOut) as failure:
                error = f"{failure.message} Nothing was bought; try the search again."
                status = 504 if isinstance(failure, ProviderTimedOut) else 502
    return render(
        "search/page.html",
        "search/_panel.html",
        status,
        team=team,
        form=form,
        result=result,
        error=error,
        plan=present.plan_status(team),
        query=request.query_string.decode(),
    )


@bp.get("/teams/<team_id>/search/area-code")
@login_required
def area_code_field(team_id: str):
    """The area-code field for the chosen country: an input for US/CA, nothing otherwise."""
    member_team(team_id)
    form = SearchForm(formdata=request.args)
    return render_template("search/_area_code.html", form=form)


def member_team(team_id: str) -> Team:
    """The team if the signed-in user belongs to it; 404 otherwise (never says which)."""
    try:
        team = accounts.team_for_user(current_user, team_id)
    except TeamNotFound:
        abort(404)
    session["team_id"] = team.id
    return team
