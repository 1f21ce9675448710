"""The Numbers page and each row's actions: its assistant, its label, releasing it.

htmx swaps the row (or the label inside it) in place; without JavaScript each form is a plain
POST that redirects back to the table with a flash. The rules stay in the services.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from app.accounts.roles import Permission
from app.assistants import service as assistants
from app.dashboard import actor, bp, is_htmx, render, user_memberships
from app.dashboard.conditional import not_modified, numbers_page_etag, tagged
from app.dashboard.error_pages import provider_failure
from app.dashboard.forms import LabelForm
from app.exceptions import NumberUnavailable, ProviderFailed, ValidationFailed
from app.models import PhoneNumber, utcnow
from app.numbers.managing import list_numbers_page, set_label
from app.numbers.managing import release_number as give_back
from app.numbers.queries import list_state, team_number, team_numbers
from app.phone import national
from app.plans.rules import usage

# A page of the table; keyset paging keeps page 200 as quick as page 1 for a 10,000-number team.
NUMBERS_PER_PAGE = 50
NUMBER = "/teams/<team_id>/numbers/<id(pn):number_id>"


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.signin"))
    teams = [team for team, _role in user_memberships()]
    if not teams:
        return render_template("dashboard/no_team.html")
    remembered = session.get("team_id")
    team = next((t for t in teams if t.id == remembered), teams[0])
    return redirect(url_for("dashboard.numbers", team_id=team.id))


@bp.get("/teams/<team_id>/numbers")
@login_required
def numbers():
    team = actor().team
    now = utcnow()
    live, ordering = list_state(team.id, now)
    etag = numbers_page_etag(live, ordering, now)
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    try:
        page = list_numbers_page(team, NUMBERS_PER_PAGE, request.args.get("cursor"))
    except ValidationFailed:  # a stale or hand-edited cursor: start from the newest
        return redirect(url_for("dashboard.numbers", team_id=team.id))
    page_html = render(
        "numbers/page.html",
        "numbers/_table.html",
        team=team,
        actor=actor(),
        numbers=page.numbers,
        next_cursor=page.next_cursor,
        paged=bool(request.args.get("cursor")),
        assistants=_assistant_choices(),
        now=now,
        # Counted above, unless listing has just settled an order.
        plan=usage(team) if ordering else usage(team, now, held=live),
    )
    return tagged(make_response(page_html), etag)


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
        return _back_to(number)
    return _row_update(number, notice=message)


@bp.get(NUMBER + "/label")
@login_required
def number_label(number_id: str):
    """The label as shown in the row (what Cancel brings back)."""
    number = team_number(actor().team.id, number_id)
    if not is_htmx():
        return _back_to(number)
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
        return _back_to(number)
    return render_template("numbers/_label.html", team=actor().team, actor=actor(), number=number)


@bp.post(NUMBER + "/release")
@login_required
def release_number(number_id: str):
    """Give the number back; the row goes, the banner counts again. A failure keeps the row."""
    team = actor().team
    try:
        # Not looked up first: releasing a released number again is a quiet success.
        number = give_back(actor(), number_id)
    except (NumberUnavailable, ProviderFailed) as error:
        number = team_number(team.id, number_id)
        message = _release_failure(number, error)
        if not is_htmx():
            flash(message, "error")
            return _back_to(number)
        return _row_update(number, error.status, release_error=message)
    message = f"Released {national(number.phone_number)}."
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("dashboard.numbers", team_id=team.id))
    if not team_numbers(team.id, limit=1):
        # The last one: the table becomes its empty state rather than a table with no rows.
        html = render_template(
            "numbers/_row_update.html",
            team=team,
            actor=actor(),
            numbers=[],
            table=True,
            plan=usage(team),
            notice=message,
        )
        response = make_response(html)
        response.headers.update({"HX-Retarget": "#numbers-table", "HX-Reswap": "outerHTML"})
        return response
    return _row_update(None, plan=usage(team), notice=message)


def _release_failure(number: PhoneNumber, error: NumberUnavailable | ProviderFailed) -> str:
    if isinstance(error, NumberUnavailable):
        return error.message
    return provider_failure(
        error,
        f"{national(number.phone_number)} was not released",
        "It is still yours and still answering; try again in a moment.",
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


def _row_update(number: PhoneNumber | None, status: int = 200, **extra):
    """The row again (or nothing, once released), with out-of-band news for the page."""
    html = render_template(
        "numbers/_row_update.html",
        team=actor().team,
        actor=actor(),
        number=number,
        assistants=_assistant_choices(),
        now=utcnow(),
        **extra,
    )
    return make_response(html, status)


def _back_to(number: PhoneNumber):
    url = url_for("dashboard.numbers", team_id=number.team_id)
    return redirect(f"{url}#number-{number.id}")
