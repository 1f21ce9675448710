"""Team settings: its name and id, its people and their roles, invitations; and a new team.

htmx swaps the people panel in place; without JavaScript each form is a POST that redirects
back with a flash. Who may do what is the services' rule (app.accounts.members/invitations).
"""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts import invitations, members, two_factor
from app.accounts.invitations import INVITATION_LIFETIME
from app.accounts.roles import ROLE_DESCRIPTIONS
from app.accounts.teams import found_team
from app.dashboard import actor, bp, is_htmx, render
from app.dashboard.forms import GuardrailsForm, InviteForm, TeamForm
from app.exceptions import ServiceError, ValidationFailed
from app.guardrails.rules import Limits, spending
from app.models import Role
from app.plans.trial_rights import spent_elsewhere, would_get_trial
from app.timefmt import duration


@bp.get("/teams/<team_id>/settings")
@login_required
def team_settings():
    return _panel(InviteForm(formdata=None))


@bp.post("/teams/<team_id>/invitations")
@login_required
def invite():
    form = InviteForm()
    try:
        sent = invitations.invite(actor(), form.email.data or "", form.role.data or Role.MEMBER)
    except ValidationFailed as error:
        for name, message in error.fields.items():
            field = getattr(form, name, form.email)
            field.errors = [*field.errors, message]
        return _panel(form, 400)
    except ServiceError as error:
        if error.status == 403:
            raise
        form.email.errors = [*form.email.errors, error.message]
        return _panel(form, 400)
    return _done(
        f"Invited {sent.email} as {sent.role}. The link works for {duration(INVITATION_LIFETIME)}."
    )


@bp.post("/teams/<team_id>/invitations/<id(inv):invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: str):
    withdrawn = invitations.revoke(actor(), invitation_id)
    return _done(f"Withdrew the invitation to {withdrawn.email}.")


@bp.post("/teams/<team_id>/invitations/<id(inv):invitation_id>/resend")
@login_required
def resend_invitation(invitation_id: str):
    try:
        sent = invitations.resend(actor(), invitation_id)
    except ServiceError as error:
        return _refused(error)
    return _done(f"Sent the invitation to {sent.email} again. The new link works for 7 days.")


@bp.post("/teams/<team_id>/members/<id(usr):user_id>/role")
@login_required
def change_role(user_id: str):
    role = request.form.get("role", "")
    try:
        changed = members.change_role(actor(), user_id, role)
    except ServiceError as error:
        return _refused(error)
    return _done(
        f"{changed.user.name or changed.user.email} is {_a(changed.role)} now.", focus=user_id
    )


@bp.post("/teams/<team_id>/members/<id(usr):user_id>/transfer")
@login_required
def transfer_ownership(user_id: str):
    try:
        owner = members.transfer_ownership(actor(), user_id)
    except ServiceError as error:
        return _refused(error)
    return _done(f"{owner.user.name or owner.user.email} owns the team now; you are an admin.")


@bp.post("/teams/<team_id>/members/<id(usr):user_id>/remove")
@login_required
def remove_member(user_id: str):
    if user_id == current_user.id:
        return leave_team()
    try:
        removed = members.remove_member(actor(), user_id)
    except ServiceError as error:
        return _refused(error)
    return _done(f"Removed {removed.name or removed.email} from {actor().team.name}.")


@bp.post("/teams/<team_id>/leave")
@login_required
def leave_team():
    team = actor().team
    try:
        members.leave(actor())
    except ServiceError as error:
        return _refused(error)
    flash(f"You left {team.name}.", "info")
    target = url_for("dashboard.index")
    if is_htmx():  # the panel belongs to a team you are no longer in: load another page
        return make_response("", 200, {"HX-Redirect": target})
    return redirect(target, code=303)


@bp.post("/teams/<team_id>/two-factor")
@login_required
def require_two_factor():
    required = request.form.get("require_two_factor") == "on"
    try:
        two_factor.set_team_requirement(actor(), required)
    except ValidationFailed as error:
        flash(next(iter(error.fields.values())), "error")
    else:
        flash(
            "Two-factor sign-in is required: members without it are asked to set it up first."
            if required
            else "Two-factor sign-in is no longer required.",
            "success",
        )
    return redirect(url_for("dashboard.team_settings", team_id=actor().team.id) + "#two-factor")


@bp.route("/teams/new", methods=["GET", "POST"])
@login_required
def new_team():
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = found_team(current_user, form.name.data or "")
        except ValidationFailed as error:
            form.name.errors = list(error.fields.values())
        else:
            trial = (
                "with" if team.trial_used_at is None and not spent_elsewhere(team) else "without"
            )
            flash(
                f"Created {team.name}. It starts on the Free plan, {trial} a free trial.", "success"
            )
            target = url_for("dashboard.numbers", team_id=team.id)
            if is_htmx():  # a whole new page, not a fragment
                return make_response("", 200, {"HX-Redirect": target})
            return redirect(target, code=303)
    return render_template(
        "team/new.html",
        form=form,
        trial=would_get_trial(current_user),
        per_day=current_app.config["TEAMS_PER_USER_PER_DAY"],
    ), (400 if form.errors else 200)


def _done(message: str, focus: str | None = None):
    """The panel again with what happened; `focus` is the member whose row keeps the focus."""
    team = actor().team
    if not is_htmx():
        flash(message, "success")
        anchor = f"member-{focus}" if focus else None
        return redirect(
            url_for("dashboard.team_settings", team_id=team.id, _anchor=anchor), code=303
        )
    return _panel(InviteForm(formdata=None), notice=message, focus_user_id=focus)


def _refused(error: ServiceError):
    if error.status in (403, 404):
        raise error  # the error page: not yours, or not allowed
    team = actor().team
    if not is_htmx():
        flash(error.message, "error")
        return redirect(url_for("dashboard.team_settings", team_id=team.id), code=303)
    return _panel(InviteForm(formdata=None), error.status, problem=error.message)


def _panel(
    form: InviteForm,
    status: int = 200,
    notice: str | None = None,
    problem=None,
    focus_user_id: str | None = None,
):
    body, status = render(
        "team/page.html",
        "team/_people.html",
        status,
        **team_context(form),
        notice=notice,
        problem=problem,
        focus_user_id=focus_user_id,
    )
    return make_response(body, status)


def team_context(form: InviteForm | None = None, **guardrails) -> dict:
    """What the Team page shows: its people and invitations, and its guardrails."""
    team = actor().team
    people = members.members_of(team.id)
    return {
        "team": team,
        "actor": actor(),
        "members": people,
        "invitations": invitations.open_invitations(team.id),
        "invitation_link": invitations.invitation_link,
        "role_descriptions": ROLE_DESCRIPTIONS,
        "owners": sum(1 for m in people if m.role == Role.OWNER),
        "form": form or InviteForm(formdata=None),
        "Role": Role,
        "spending": spending(team),
        "guardrails_form": GuardrailsForm.of(Limits.of(team)),
        **guardrails,
    }


def _a(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"
