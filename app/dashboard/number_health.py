"""The health card on a number's page, and its Rest and Wake buttons.

The card is a component: htmx swaps it in place; without JavaScript each form posts and the
page comes back whole (redirected after a change, with the error beside the field if not)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_login import login_required

from app.accounts.roles import Permission
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.number_page import NUMBER, _context, _page
from app.exceptions import ValidationFailed
from app.extensions import db
from app.health.card import NumberBadge, health_card, team_badges
from app.health.rest import DEFAULT_DAYS, rest_days, rest_number, wake_number
from app.models import PhoneNumber, utcnow
from app.numbers.queries import team_number
from app.phone import national
from app.timefmt import readable


def health_context(number: PhoneNumber, **extra) -> dict:
    """What the card needs, for the page (app.dashboard.number_page) and the partial."""
    return {
        "health": health_card(number, utcnow()),
        "can_rest": actor().can(Permission.MANAGE_ASSISTANTS),
        "rest_days_value": str(DEFAULT_DAYS),
        "rest_errors": {},
        "health_notice": None,
        **extra,
    }


@bp.app_context_processor
def health_badges():
    """`health_badges()` in templates: the team's open alerts and rests, one query a request
    (the Numbers list's rows each show theirs)."""

    def badges() -> dict[str, NumberBadge]:
        if "health_badges" not in g:
            g.health_badges = team_badges(actor().team.id, utcnow())
        return g.health_badges

    return {"health_badges": badges}


@bp.post(NUMBER + "/rest")
@login_required
def rest_page(number_id: str):
    number = team_number(actor().team.id, number_id)
    sent = request.form.get("days", "")
    try:
        text = sent.strip()
        days = rest_days(int(text) if text.isascii() and text.isdigit() else text or None)
    except ValidationFailed as error:
        db.session.rollback()
        extra = {"rest_days_value": sent[:10], "rest_errors": error.fields}
        if not is_htmx():
            return _page(number, 400, **health_context(number, **extra))
        return _card(number, 400, **extra)
    until = rest_number(actor(), number, days, utcnow())
    return _done(number, f"{national(number.phone_number)} rests until {readable(until)}.")


@bp.post(NUMBER + "/wake")
@login_required
def wake_page(number_id: str):
    number = team_number(actor().team.id, number_id)
    woke = wake_number(actor(), number, utcnow())
    pretty = national(number.phone_number)
    return _done(number, f"{pretty} is awake." if woke else f"{pretty} was not resting.")


def _done(number: PhoneNumber, message: str):
    if not is_htmx():
        flash(message, "success")
        return redirect(
            url_for("dashboard.number_page", team_id=number.team_id, number_id=number.id)
        )
    return _card(number, health_notice=message)


def _card(number: PhoneNumber, status: int = 200, **extra):
    context = _context(number, **health_context(number, **extra))
    return render("numbers/detail.html", "numbers/_health.html", status, **context)
