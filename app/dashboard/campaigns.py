"""The Campaigns pages: the list with a create form, and one page per campaign (its settings,
pool, coverage with Fill gaps). Every form posts and redirects; errors are shown beside the
form they belong to, on the page rendered again with a 400."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.assistants.service import list_assistants
from app.caller_names.lifecycle import caller_name_lines
from app.campaigns import coverage, pool, service
from app.dashboard import actor, bp
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import Campaign, CampaignNumber, NumberStatus, PhoneNumber, utcnow

CAMPAIGN = "/teams/<team_id>/campaigns/<id(camp):campaign_id>"
MAX_UPLOAD = 2 * 1024 * 1024  # a CSV of 100,000 numbers is about 1.3 MB


@bp.get("/teams/<team_id>/campaigns")
@login_required
def campaigns():
    return _list()


@bp.post("/teams/<team_id>/campaigns")
@login_required
def create_campaign():
    body = {"name": request.form.get("name", "")}
    try:
        campaign = service.create_campaign(actor(), body)
    except ValidationFailed as error:
        return _list(error.fields, 400)
    flash(f"Created {campaign.name}. Add numbers to its pool below.", "success")
    return _to(campaign)


@bp.get(CAMPAIGN)
@login_required
def campaign_page(campaign_id: str):
    return _page(service.team_campaign(actor().team, campaign_id))


@bp.post(CAMPAIGN)
@login_required
def update_campaign(campaign_id: str):
    campaign = service.team_campaign(actor().team, campaign_id)
    body: dict[str, object] = {"name": request.form.get("name", "")}
    for field in ("dailyCap", "cooldownSeconds"):
        text = request.form.get(field, "").strip()
        body[field] = int(text) if text.isascii() and text.isdigit() else text
    if request.form.get("assistants_shown"):  # the boxes were on the form: none ticked is none
        body["assistantIds"] = request.form.getlist("assistant_ids")
    try:
        service.update_campaign(actor(), campaign, body)
    except ValidationFailed as error:
        return _page(campaign, error.fields, 400)
    flash("Saved.", "success")
    return _to(campaign)


@bp.post(CAMPAIGN + "/pause")
@login_required
def pause_campaign(campaign_id: str):
    campaign = service.team_campaign(actor().team, campaign_id)
    paused = request.form.get("paused") == "1"
    service.update_campaign(actor(), campaign, {"paused": paused})
    flash(f"{campaign.name} is {'paused' if paused else 'calling again'}.", "success")
    return _to(campaign)


@bp.post(CAMPAIGN + "/delete")
@login_required
def delete_campaign(campaign_id: str):
    campaign = service.team_campaign(actor().team, campaign_id)
    name = campaign.name
    count = service.delete_campaign(actor(), campaign)
    held = f" Its {count} number{'' if count == 1 else 's'} stay the team's." if count else ""
    flash(f"Deleted {name}.{held}", "success")
    return redirect(url_for("dashboard.campaigns", team_id=actor().team.id))


@bp.post(CAMPAIGN + "/numbers")
@login_required
def add_campaign_numbers(campaign_id: str):
    campaign = service.team_campaign(actor().team, campaign_id)
    ids = request.form.getlist("ids")
    if not ids:
        return _page(campaign, {"ids": "Choose at least one number."}, 400)
    count = pool.add_numbers(actor(), campaign, ids[: pool.MAX_NUMBERS])
    flash(f"Added {count} number{'' if count == 1 else 's'} to {campaign.name}.", "success")
    return _to(campaign)


@bp.post(CAMPAIGN + "/numbers/<id(pn):number_id>/remove")
@login_required
def remove_campaign_number(campaign_id: str, number_id: str):
    campaign = service.team_campaign(actor().team, campaign_id)
    pool.remove_number(actor(), campaign, number_id)
    flash(f"Took the number out of {campaign.name}.", "success")
    return _to(campaign)


@bp.post(CAMPAIGN + "/coverage")
@login_required
def set_coverage(campaign_id: str):
    """A CSV file (first column) or a typed list, one area code or number per line."""
    campaign = service.team_campaign(actor().team, campaign_id)
    upload = request.files.get("file")
    try:
        if upload and upload.filename:
            raw = upload.read(MAX_UPLOAD + 1)
            if len(raw) > MAX_UPLOAD:
                raise ValidationFailed({"destinations": "The file is over 2 MB."})
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationFailed({"destinations": "The file is not UTF-8 text."}) from None
            counts = coverage.parse_csv(text)
        else:
            lines = request.form.get("destinations", "").replace(",", "\n").splitlines()
            counts = coverage.parse_destinations([x for x in lines if x.strip()])
        coverage.set_destinations(actor(), campaign, counts)
    except ValidationFailed as error:
        shown = {"destinations": " ".join(error.fields.values())}
        return _page(campaign, shown, 400)
    flash(f"Coverage counted for {sum(counts.values()):,} destinations.", "success")
    return _to(campaign)


@bp.post(CAMPAIGN + "/fill-gaps")
@login_required
def fill_gaps(campaign_id: str):
    campaign = service.team_campaign(actor().team, campaign_id)
    filled = coverage.fill_gaps(actor(), campaign)
    if filled.held:
        shown = ", ".join(f"{a}: {n}" for a, n in filled.held)
        flash(f"Put {len(filled.held)} in the cart ({shown}). Buy them from the cart.", "success")
    if filled.in_cart:
        shown = ", ".join(f"{a}: {n}" for a, n in filled.in_cart)
        flash(f"Already in the cart: {shown}.", "success")
    for area_code, why in filled.unfilled[:5]:
        flash(f"Area code {area_code}: {why}", "error")
    if len(filled.unfilled) > 5:
        flash(f"{len(filled.unfilled) - 5} more area codes were not filled.", "error")
    return _to(campaign)


def _to(campaign: Campaign):
    return redirect(
        url_for("dashboard.campaign_page", team_id=actor().team.id, campaign_id=campaign.id)
    )


def _list(errors: dict[str, str] | None = None, status: int = 200):
    return render_template(
        "campaigns/page.html",
        team=actor().team,
        actor=actor(),
        rows=service.list_campaigns(actor().team),
        errors=errors or {},
        name=request.form.get("name", ""),
    ), status


def _page(campaign: Campaign, errors: dict[str, str] | None = None, status: int = 200):
    team = actor().team
    joinable = db.session.scalars(
        sa.select(PhoneNumber)
        .outerjoin(CampaignNumber, CampaignNumber.phone_number_id == PhoneNumber.id)
        .where(
            PhoneNumber.team_id == team.id,
            PhoneNumber.status.in_((NumberStatus.ACTIVE, NumberStatus.PENDING)),
            PhoneNumber.release_after.is_(None),
            sa.or_(CampaignNumber.campaign_id.is_(None), CampaignNumber.campaign_id != campaign.id),
        )
        .order_by(PhoneNumber.phone_number)
        .limit(500)
    ).all()
    members = pool.pool(campaign)
    return render_template(
        "campaigns/detail.html",
        team=team,
        actor=actor(),
        campaign=campaign,
        members=members,
        caller_lines=caller_name_lines([number for number, _member in members]),
        joinable=joinable,
        coverage=coverage.coverage_of(campaign) if campaign.coverage is not None else None,
        assistants=[a for a, _count in list_assistants(team)],
        chosen={a.assistant_id for a in campaign.assistants},
        today=utcnow().date(),
        errors=errors or {},
        form=request.form,
    ), status
