"""The Numbers page and each row's actions: its assistant and its label (releasing it:
app.dashboard.number_release).

htmx swaps the row (or the label inside it) in place; without JavaScript each form is a plain
POST that redirects back to the table with a flash. The rules stay in the services.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app.accounts.members import was_in_a_team
from app.accounts.onboarding import checklist
from app.accounts.roles import Permission
from app.assistants import service as assistants
from app.dashboard import actor, bp, is_htmx, render, user_memberships
from app.dashboard.conditional import not_modified, tagged
from app.dashboard.forms import LabelForm, countries
from app.dashboard.page_cache import cached_page, page_etag, with_token
from app.exceptions import ValidationFailed
from app.models import PhoneNumber, utcnow
from app.numbers.costs import monthly_costs
from app.numbers.listing import NumberFilters, parse_filters
from app.numbers.managing import count_numbers, list_number_rows, page_place, set_label
from app.numbers.queries import list_state, team_number
from app.phone import national
from app.plans.rules import usage

# A page of the table; keyset paging keeps page 200 as quick as page 1 for a 10,000-number team.
NUMBERS_PER_PAGE = 50
# The search and filter form shows for a team with more numbers than this.
FILTERS_FROM = 10
NUMBER = "/teams/<team_id>/numbers/<id(pn):number_id>"


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.signin"))
    teams = [team for team, _role in user_memberships()]
    if not teams:
        return render_template("dashboard/no_team.html", left=was_in_a_team(current_user.id))
    remembered = session.get("team_id")
    team = next((t for t in teams if t.id == remembered), teams[0])
    return redirect(url_for("dashboard.numbers", team_id=team.id))


@bp.get("/teams/<team_id>/numbers")
@login_required
def numbers():
    team = actor().team
    filters, errors = page_filters()
    redirected: list[bool] = []
    flashing = bool(session.get("_flashes"))  # the render takes them out of the session
    # Only the full page shows the checklist; a test call moves no team version, so its ticks
    # are read each time and are part of the kept page's key.
    steps = None if is_htmx() else checklist(team)
    page = cached_page(
        "numbers",
        lambda: _render_numbers(team, filters, errors, redirected, steps),
        extra=steps.key if steps else None,
    )
    if redirected:  # a stale or hand-edited cursor: start from the top of the list
        return redirect(url_for("dashboard.numbers", team_id=team.id, **filters.params()))
    etag = None if flashing else page_etag(page)
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    response = make_response(with_token(page), page.status)
    if not flashing:  # a message is shown once: never a 304 for it again
        tagged(response, etag)
    if is_htmx() and not errors:
        # The form sends every field, empty ones too: the address bar gets the short spelling.
        cursor = {"cursor": request.args["cursor"]} if request.args.get("cursor") else {}
        short = url_for("dashboard.numbers", team_id=team.id, **filters.params(), **cursor)
        response.headers["HX-Push-Url"] = short
    return response


def _render_numbers(team, filters: NumberFilters, errors: dict, redirected: list, steps):
    """The page (or the table) as it reads now, and until when it stays so (None: not to be
    kept; an order still completing is settled by listing, a grace ends by itself)."""
    now = utcnow()
    live, ordering, releasing, changes_at = list_state(team.id, now)
    cursor = request.args.get("cursor")
    try:
        page = list_number_rows(team, NUMBERS_PER_PAGE, cursor, filters)
        place = page_place(team.id, cursor, filters, NUMBERS_PER_PAGE)
    except ValidationFailed:
        redirected.append(True)
        return "", 302, None
    html, status = render(
        "numbers/page.html",
        "numbers/_table.html",
        400 if errors else 200,
        team=team,
        actor=actor(),
        numbers=(numbers := page.numbers),
        next_cursor=page.next_cursor,
        paged=bool(cursor),
        place=place,
        filters=filters,
        filter_errors=errors,
        matched=place.total if filters.narrowed else None,
        assistants=_assistant_choices(),
        costs=None if is_htmx() else monthly_costs(team.id, now),  # the page shows them
        FILTERS_FROM=FILTERS_FROM,
        checklist=steps,
        filter_countries=countries,  # the search's list, in the search's words
        releasing=releasing,
        now=now,
        # Counted above, unless listing has just settled an order.
        plan=usage(team) if ordering else usage(team, now, held=live),
    )
    if ordering or team.grace_ends_at is not None:
        return html, status, None
    until = changes_at
    if any(n.is_trial or n.release_after for n in numbers):
        # A countdown or a release time reads in minutes (and "today"): true to the minute.
        minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        until = min(until, minute) if until else minute
    return html, status, until or now + timedelta(days=1)


def page_filters(values=None) -> tuple[NumberFilters, dict[str, str]]:
    """The list's filters (from the query string unless given); bad ones are named, and the
    list is shown unfiltered."""
    try:
        return parse_filters(request.args if values is None else values), {}
    except ValidationFailed as error:
        return NumberFilters(), error.fields


@bp.post(NUMBER + "/assistant")
@login_required
def assign_number(number_id: str):
    """The row's picker: an assistant's id assigns the number to it, an empty value unassigns."""
    number = team_number(actor().team.id, number_id)
    chosen = request.form.get("assistant_id", "")
    assistant = assistants.team_assistant(actor().team, chosen) if chosen else None
    assistants.assign_number(actor(), number, assistant)
    pretty = national(number.phone_number)
    if assistant is not None:
        message = f"{assistant.name} now answers on {pretty}."
    else:
        message = f"No assistant answers on {pretty} now."
    if not is_htmx():
        flash(message, "success")
        return back_to(number)
    return row_update(number, notice=message, saved="assistant")


@bp.get(NUMBER + "/assistant")
@login_required
def number_assistant(number_id: str):
    """The row's assistant as shown (what Cancel brings back)."""
    number = team_number(actor().team.id, number_id)
    if not is_htmx():
        return back_to(number)
    return render_template(
        "numbers/_assistant.html", team=actor().team, actor=actor(), number=number, now=utcnow()
    )


@bp.get(NUMBER + "/assistant/edit")
@login_required
def pick_assistant(number_id: str):
    """The picker for one row, loaded when asked: the option list is not repeated per row."""
    actor().require(Permission.ASSIGN)
    number = team_number(actor().team.id, number_id)
    return render(
        "numbers/assistant_page.html",
        "numbers/_assistant_form.html",
        team=actor().team,
        number=number,
        assistants=_assistant_choices(),
    )


@bp.get(NUMBER + "/label")
@login_required
def number_label(number_id: str):
    """The label as shown in the row (what Cancel brings back)."""
    number = team_number(actor().team.id, number_id)
    if not is_htmx():
        return back_to(number)
    return render_template("numbers/_label.html", team=actor().team, actor=actor(), number=number)


@bp.get(NUMBER + "/label/edit")
@login_required
def edit_label(number_id: str):
    actor().require(Permission.LABEL)  # the form would only be refused
    number = team_number(actor().team.id, number_id)
    form = LabelForm(data={"label": number.label or ""})
    return _label_form(number, form)


@bp.post(NUMBER + "/label")
@login_required
def save_label(number_id: str):
    number = team_number(actor().team.id, number_id)
    form = LabelForm()
    try:
        set_label(actor(), number, form.label.data or "")
    except ValidationFailed as error:
        form.label.errors = list(error.fields.values())
        return _label_form(number, form, 400)
    if not is_htmx():
        pretty = national(number.phone_number)
        flash(f"Label saved for {pretty}." if number.label else f"Label removed from {pretty}.")
        return back_to(number)
    return render_template(
        "numbers/_label.html", team=actor().team, actor=actor(), number=number, saved="label"
    )


def _label_form(number: PhoneNumber, form: LabelForm, status: int = 200):
    return render(
        "numbers/label_page.html",
        "numbers/_label_form.html",
        status,
        team=actor().team,
        number=number,
        form=form,
    )


def _assistant_choices():
    """The numbers table's picker: the team's assistants by name."""
    return [assistant for assistant, _count in assistants.list_assistants(actor().team)]


def list_news(team) -> dict:
    """What a release or an undo changes beyond its row, for the list as the browser shows it
    (htmx sends its address): the plan banner, the list's count and the monthly costs."""
    now = utcnow()
    shown = urlsplit(request.headers.get("HX-Current-URL", "")).query
    filters, _errors = page_filters(MultiDict(parse_qsl(shown)))
    live, _ordering, releasing, _changes_at = list_state(team.id, now)
    return {
        "plan": usage(team, now, held=live),
        "costs": monthly_costs(team.id, now),
        "releasing": releasing,
        "matched": count_numbers(team.id, filters, now) if filters.narrowed else None,
    }


def row_update(number: PhoneNumber | None, status: int = 200, **extra):
    """The row again (or nothing, once released), with out-of-band news for the page."""
    html = render_template(
        "numbers/_row_update.html",
        team=actor().team,
        actor=actor(),
        number=number,
        now=utcnow(),
        **extra,
    )
    return make_response(html, status)


def back_to(number: PhoneNumber):
    url = url_for("dashboard.numbers", team_id=number.team_id)
    return redirect(f"{url}#number-{number.id}")
