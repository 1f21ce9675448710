"""The number page's caller name (CNAM) card and Replace, and the campaign page's one name
for all its numbers.

Each is a plain form: POST, then back to the page with what happened (or the page again with
the field's error). The caller-name card is also a component: htmx swaps it in place.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_login import login_required

from app.caller_names.lifecycle import (
    apply_to_campaign,
    caller_name_line,
    caller_name_of,
    set_caller_name,
)
from app.caller_names.rules import takes_caller_name
from app.campaigns import service as campaigns
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.campaigns import CAMPAIGN
from app.dashboard.campaigns import _page as campaign_page
from app.dashboard.number_page import NUMBER
from app.dashboard.number_page import _context as number_context
from app.dashboard.number_page import _page as number_page
from app.exceptions import NoNumberNearby, ValidationFailed
from app.extensions import db
from app.models import Campaign, CampaignNumber, PhoneNumber
from app.numbers.queries import team_number
from app.numbers.replacing import replace_number, waiting_replacement
from app.phone import national


def number_extras(number: PhoneNumber) -> dict[str, Any]:
    """What the number page shows of its campaign, caller name and replacement."""
    campaign = db.session.execute(
        sa.select(Campaign.id, Campaign.name)
        .join(CampaignNumber, CampaignNumber.campaign_id == Campaign.id)
        .where(CampaignNumber.phone_number_id == number.id)
    ).first()
    return {
        "number_campaign": campaign,
        "caller_name": caller_name_of(number),
        "caller_line": caller_name_line(number),
        "takes_caller_name": takes_caller_name(number.number_type),
        "caller_value": "",
        "caller_errors": {},
        "replacement": waiting_replacement(number),
        "replace_wider": None,
    }


@bp.post(NUMBER + "/caller-name")
@login_required
def save_caller_name(number_id: str):
    number = team_number(actor().team.id, number_id)
    sent = request.form.get("caller_name", "")
    try:
        set_caller_name(actor(), number, sent)
    except ValidationFailed as error:
        db.session.rollback()
        errors = {"caller_name": " ".join(error.fields.values()) or error.message}
        return _caller_card(number, 400, caller_value=sent, caller_errors=errors)
    message = f"Caller name sent for {national(number.phone_number)}: {caller_name_line(number)}."
    if is_htmx():
        return _caller_card(number, notice=message)
    flash(message, "success")
    return _back(number)


@bp.post(NUMBER + "/replace")
@login_required
def replace(number_id: str):
    number = team_number(actor().team.id, number_id)
    scope = request.form.get("scope", "area_code")
    try:
        replacement, _new = replace_number(actor(), number.id, scope)
    except NoNumberNearby as error:
        db.session.rollback()
        flash(error.message, "error")
        return number_page(number, 409, replace_wider=error.extra.get("tryScope"))
    except ValidationFailed as error:
        db.session.rollback()
        flash(" ".join(error.fields.values()) or error.message, "error")
        return _back(number)
    flash(
        f"{national(replacement.phone_number)} is in your cart as the replacement for "
        f"{national(number.phone_number)}: buy it there to complete the swap.",
        "success",
    )
    return redirect(url_for("dashboard.cart", team_id=number.team_id), code=303)


@bp.post(CAMPAIGN + "/caller-name")
@login_required
def campaign_caller_name(campaign_id: str):
    campaign = campaigns.team_campaign(actor().team, campaign_id)
    try:
        result = apply_to_campaign(actor(), campaign, request.form.get("caller_name", ""))
    except ValidationFailed as error:
        db.session.rollback()
        return campaign_page(campaign, {"caller_name": " ".join(error.fields.values())}, 400)
    done = len(result.applied)
    flash(
        f"Caller name {result.name} sent for {done} number{'' if done == 1 else 's'}"
        + (f"; {len(result.unchanged)} had it already." if result.unchanged else "."),
        "success",
    )
    if result.skipped:
        names = ", ".join(national(n.phone_number) for n in result.skipped)
        flash(f"Skipped toll-free numbers (no caller name listing): {names}.", "success")
    for number, message in result.failed[:5]:
        flash(f"{national(number.phone_number)}: {message}", "error")
    return redirect(
        url_for("dashboard.campaign_page", team_id=campaign.team_id, campaign_id=campaign.id),
        code=303,
    )


def _caller_card(number: PhoneNumber, status: int = 200, **extra):
    if not is_htmx() and status >= 400:
        return number_page(number, status, **extra)
    context = number_context(number, **extra)
    return render("numbers/detail.html", "numbers/_caller_name.html", status, **context)


def _back(number: PhoneNumber):
    return redirect(
        url_for("dashboard.number_page", team_id=number.team_id, number_id=number.id), code=303
    )
